"""OAIMS client: a pure-Python wrapper of the sidecar's gRPC contract (protos/oaims/v1), with no Slicer imports.

    client = Client.connect("http://127.0.0.1:50051")
    image = client.upload(voxels_kji, ijk_to_ras, progress=print)       # free when the server has it
    session = client.open_session(image, workspace="brain-flair")
    shown = mask_kji.copy()
    result = session.click(axis=2, voxel=(i, j, k), positive=True, on_step=print,
                           on_first_mask=lambda first: first.apply_to(shown))  # the first mask, at once
    result.delta.apply_to(mask_kji)                                            # the refined one replaces it
"""

from .errors import OaimsError
from .masks import MaskDelta, assemble, encode
from .results import (AdaptationStep, Capabilities, ClickResult, CommitResult, ImageRef, Latency, ModelInfo, ModelVersion,
                      PropagatedSlice, PropagateResult, SessionInfo, UndoResult, VersionHistory, WorkspaceInfo)

__all__ = [
    "OaimsError", "MaskDelta", "assemble", "encode", "AdaptationStep", "Capabilities", "ClickResult", "CommitResult",
    "ImageRef", "Latency", "ModelInfo", "ModelVersion", "PropagatedSlice", "PropagateResult", "SessionInfo", "UndoResult", "VersionHistory", "WorkspaceInfo",
    "Client", "Session", "ImagePayload",
]


def __getattr__(name):
    # grpc and the generated stubs load on first use, so the mask and geometry helpers work before they are installed.
    if name in ("Client", "Session"):
        from . import client
        return getattr(client, name)
    if name == "ImagePayload":
        from .images import ImagePayload
        return ImagePayload
    raise AttributeError(name)
