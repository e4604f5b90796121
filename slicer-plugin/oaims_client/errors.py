"""The one exception the client raises: a gRPC status code and the server's sentence."""

from __future__ import annotations


class OaimsError(Exception):
    """A failed call: `code` is the gRPC status name (e.g. "INVALID_ARGUMENT"), `message` the server's sentence."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{message} ({code})" if code else message)
        self.code = code
        self.message = message

    @classmethod
    def from_rpc_error(cls, error) -> "OaimsError":
        """Turns a grpc.RpcError into an OaimsError; the server's details sentence is kept as is."""
        code = error.code() if hasattr(error, "code") else None
        details = error.details() if hasattr(error, "details") else None
        name = code.name if code is not None else "UNKNOWN"
        if not details:
            details = _FALLBACK_SENTENCES.get(name, "The call to the OAIMS server failed.")
        return cls(name, details)


# What the user reads when the server (or the channel) gave no sentence of its own.
_FALLBACK_SENTENCES = {
    "UNAVAILABLE": "The OAIMS server cannot be reached: is it running, and is the address right?",
    "UNAUTHENTICATED": "The OAIMS server refused the token.",
    "DEADLINE_EXCEEDED": "The OAIMS server did not answer in time.",
    "CANCELLED": "The call was cancelled.",
}
