"""Where the module remembers the server: Slicer's settings (slicer.app.settings(), a QSettings), under OAIMS/."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SERVER_URL = "http://127.0.0.1:50051"


@dataclass
class ServerSettings:
    """The server to connect to: its URL (https:// means TLS), a bearer token, and an optional CA certificate file."""

    url: str = DEFAULT_SERVER_URL
    token: str = ""
    ca_certificate: str = ""
    workspace: str = ""

    _KEYS = {"url": "OAIMS/ServerURL", "token": "OAIMS/Token", "ca_certificate": "OAIMS/CACertificate", "workspace": "OAIMS/Workspace"}

    @classmethod
    def load(cls, store) -> "ServerSettings":
        """Reads from a QSettings-like `store` (value(key, default)); missing keys keep their defaults."""
        defaults = cls()
        values = {}
        for field, key in cls._KEYS.items():
            value = store.value(key, getattr(defaults, field))
            values[field] = "" if value is None else str(value)
        return cls(**values)

    def save(self, store, remember_token: bool = True):
        """Writes to a QSettings-like `store` (setValue(key, value)). The token is stored in plain text, so it is optional."""
        for field, key in self._KEYS.items():
            value = getattr(self, field)
            if field == "token" and not remember_token:
                value = ""
            store.setValue(key, value)
