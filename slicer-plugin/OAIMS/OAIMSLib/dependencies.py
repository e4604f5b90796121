"""grpcio and protobuf inside Slicer: installed on first use with slicer.util.pip_install, on the main thread."""

from __future__ import annotations

import importlib
from typing import Callable, List

# The generated stubs (protoc 3.21) use the descriptor builder API, which protobuf runtimes have from 3.20 on and
# still keep in 7.x (docs/slicer.md says why); grpcio 1.51 is the oldest runtime the client is tested with.
REQUIREMENTS = ["grpcio>=1.51", "protobuf>=3.20,<8"]


class DependencyError(Exception):
    """grpcio or protobuf is missing and could not be installed; the message says what to do."""


def _protobuf_too_old(module) -> bool:
    parts = module.__version__.split(".")[:2]
    try:
        major, minor = int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        return False
    return (major, minor) < (3, 20)


def missing_requirements(import_module: Callable = importlib.import_module) -> List[str]:
    """The requirement lines still to install: grpcio if `grpc` does not import, protobuf if absent or older than 3.20."""
    missing = []
    try:
        import_module("grpc")
    except ImportError:
        missing.append(REQUIREMENTS[0])
    try:
        protobuf = import_module("google.protobuf")
        if _protobuf_too_old(protobuf):
            missing.append(REQUIREMENTS[1])
    except ImportError:
        missing.append(REQUIREMENTS[1])
    return missing


def ensure_installed(slicer, import_module: Callable = importlib.import_module) -> bool:
    """Installs what is missing with slicer.util.pip_install (blocking: call it on the main thread, before connecting).

    Returns True when something was installed. Raises DependencyError with a sentence for the user when pip fails.
    """
    missing = missing_requirements(import_module)
    if not missing:
        return False
    try:
        slicer.util.pip_install(missing)
    except Exception as error:  # pip's own failure text is long; the user needs what to do next
        raise DependencyError(
            "OAIMS needs the Python packages " + " and ".join(missing) + " and could not install them "
            f"({error}). Check the internet connection, or install them from Slicer's Python console with "
            f"slicer.util.pip_install({missing!r}), then restart Slicer.") from error
    importlib.invalidate_caches()
    still = missing_requirements(import_module)
    if still:
        raise DependencyError(
            "OAIMS installed " + " and ".join(missing) + " but still cannot import them; restart Slicer and try again.")
    return True
