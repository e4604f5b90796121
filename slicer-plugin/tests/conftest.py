"""Shared fixtures: import paths, the real sidecar on loopback, and the BraTS case the integration tests use."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[1]
REPO = PLUGIN.parent
for path in (PLUGIN, PLUGIN / "OAIMS"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

