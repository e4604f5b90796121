"""What the server answers, as plain Python values (no protobuf types leak past the client)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from .masks import MaskDelta


@dataclass(frozen=True)
class ModelInfo:
    """A checkpoint the server loaded: its name, task, class names and figures from its card."""

    name: str
    task: str
    class_names: Tuple[str, ...]
    image_channels: int
    input_size: int
    metrics: Dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Capabilities:
    """What the server offers: its version, device, models, strategies, workspaces and limits."""

    server_version: str
    device: str
    models: Tuple[ModelInfo, ...]
    strategies: Tuple[str, ...]
    workspaces: Tuple[str, ...]
    token_required: bool
    limits: Dict[str, int]
    # The fast upload endpoint's port on the server's host (POST /v1/images); 0: none, uploads go over gRPC.
    http_upload_port: int = 0

    def model(self, name: str) -> Optional[ModelInfo]:
        return next((m for m in self.models if m.name == name), None)


@dataclass(frozen=True)
class ImageRef:
    """An image on the server: its content fingerprint (image_id) and whether the upload was free."""

    image_id: str
    dims: Tuple[int, int, int]
    channels: int
    already_known: bool
    payload_bytes: int
    name: str = ""
    # Set by Client.upload: how the caller's voxel order maps onto the uploaded one (orientation.Reorientation).
    reorientation: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SessionInfo:
    """One user's session on one image in one workspace."""

    session_id: str
    workspace: str
    image_id: str
    target_class: int
    dims: Tuple[int, int, int]
    lease_seconds: int
    expires_at: Optional[datetime]
    model_version: int
    click_count: int
    committed: bool


@dataclass(frozen=True)
class AdaptationStep:
    """One weight update as it happened: its kind (mi, pi-stage1, ...), loss, time and the version it made."""

    index: int
    kind: str
    loss: float
    milliseconds: float
    model_version: int
    applied: bool


@dataclass(frozen=True)
class Latency:
    """Where a request's time went, in milliseconds, as the server measured it."""

    queue_ms: float = 0.0
    forward_ms: float = 0.0
    adaptation_ms: float = 0.0
    encode_ms: float = 0.0
    total_ms: float = 0.0


@dataclass(frozen=True)
class ClickResult:
    """A click's outcome: its steps, the mask delta, the slice it touched, and the latency split.

    `delta` is the click's last mask (the refined one when the steps changed the weights): applied to the labels from
    before the click it gives the final mask, whether or not `first_delta` was applied. `first_delta` is the mask from
    the forward pass with the new click, sent before the steps (`on_first_mask` hears of it as it arrives)."""

    steps: Tuple[AdaptationStep, ...]
    delta: MaskDelta
    axis: int
    slice: int
    click_count: int
    model_version: int
    latency: Latency
    round_trip_ms: float
    first_delta: Optional[MaskDelta] = None
    refined: bool = False
    time_to_first_mask_ms: float = 0.0
    time_to_done_ms: float = 0.0
    first_mask_round_trip_ms: float = 0.0


@dataclass(frozen=True)
class UndoResult:
    """What Undo did: whether a click was taken back, the delta restoring the mask, the version now in use, and
    whether the click's weight update was taken back too (weights_kept_reason says why not, when another user changed
    the workspace since the click)."""

    undone: bool
    delta: MaskDelta
    model_version: int
    click_count: int
    weights_restored: bool = False
    weights_kept_reason: str = ""


@dataclass(frozen=True)
class PropagatedSlice:
    """One slice a propagation changed: apply `delta`; `proposal` False means an old proposal was cleared."""

    axis: int
    slice: int
    delta: MaskDelta
    proposal: bool
    done: int


@dataclass(frozen=True)
class PropagateResult:
    """A propagation's acceptance steps, the slices it changed, and why it stopped each way."""

    steps: Tuple[AdaptationStep, ...]
    slices: Tuple[PropagatedSlice, ...]
    proposed: Tuple[int, ...]
    cleared: Tuple[int, ...]
    axis: int
    stop_below: str
    stop_above: str
    model_version: int
    latency: Latency


@dataclass(frozen=True)
class CommitResult:
    """A commit's post-interaction steps and the model version it left."""

    steps: Tuple[AdaptationStep, ...]
    model_version: int
    steps_applied: int
    latency: Latency


@dataclass(frozen=True)
class WorkspaceInfo:
    """An online-learning stream: its source model, strategy and current version."""

    name: str
    model: str
    strategy: str
    learning_rate: float
    model_version: int
    open_sessions: int
    queued: int
    weights_checksum: str = ""


@dataclass(frozen=True)
class ModelVersion:
    """One entry of a workspace's history (source, mi, pi-stage1, ..., undo, rollback, reset)."""

    version: int
    kind: str
    restored_from: Optional[int]
    loss: Optional[float]
    created: Optional[datetime]


@dataclass(frozen=True)
class VersionHistory:
    """A workspace's versions, oldest first, and the one in use."""

    versions: Tuple[ModelVersion, ...]
    current_version: int

    def kinds(self) -> List[str]:
        return [v.kind for v in self.versions]
