"""The one exception the Logic raises for the user: something they must change, in one sentence."""


class LogicError(Exception):
    """Something the user must change (no volume, a warped volume, a point outside it); the message says what."""
