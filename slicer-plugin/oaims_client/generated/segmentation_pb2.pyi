from google.protobuf import timestamp_pb2 as _timestamp_pb2
from . import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
UNDO_WEIGHTS_KEPT: UndoWeights
UNDO_WEIGHTS_NO_UPDATE: UndoWeights
UNDO_WEIGHTS_RESTORED: UndoWeights
UNDO_WEIGHTS_UNSPECIFIED: UndoWeights
VOXEL_TYPE_FLOAT32: VoxelType
VOXEL_TYPE_INT16: VoxelType
VOXEL_TYPE_UINT8: VoxelType
VOXEL_TYPE_UNSPECIFIED: VoxelType

class Capabilities(_message.Message):
    __slots__ = ["device", "http_upload_port", "limits", "models", "server_version", "strategies", "token_required", "workspaces"]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    HTTP_UPLOAD_PORT_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    STRATEGIES_FIELD_NUMBER: _ClassVar[int]
    TOKEN_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    WORKSPACES_FIELD_NUMBER: _ClassVar[int]
    device: str
    http_upload_port: int
    limits: Limits
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    server_version: str
    strategies: _containers.RepeatedScalarFieldContainer[str]
    token_required: bool
    workspaces: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, server_version: _Optional[str] = ..., device: _Optional[str] = ..., models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ..., strategies: _Optional[_Iterable[str]] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ..., workspaces: _Optional[_Iterable[str]] = ..., token_required: bool = ..., http_upload_port: _Optional[int] = ...) -> None: ...

class Click(_message.Message):
    __slots__ = ["axis", "class_index", "i", "j", "k", "positive"]
    AXIS_FIELD_NUMBER: _ClassVar[int]
    CLASS_INDEX_FIELD_NUMBER: _ClassVar[int]
    I_FIELD_NUMBER: _ClassVar[int]
    J_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_FIELD_NUMBER: _ClassVar[int]
    axis: int
    class_index: int
    i: int
    j: int
    k: int
    positive: bool
    def __init__(self, axis: _Optional[int] = ..., i: _Optional[int] = ..., j: _Optional[int] = ..., k: _Optional[int] = ..., positive: bool = ..., class_index: _Optional[int] = ...) -> None: ...

class CloseSessionRequest(_message.Message):
    __slots__ = ["session_id"]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class CloseSessionResponse(_message.Message):
    __slots__ = ["click_count", "committed"]
    CLICK_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_FIELD_NUMBER: _ClassVar[int]
    click_count: int
    committed: bool
    def __init__(self, click_count: _Optional[int] = ..., committed: bool = ...) -> None: ...

class CommitEvent(_message.Message):
    __slots__ = ["done", "step"]
    DONE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    done: CommitSummary
    step: _common_pb2.AdaptationStep
    def __init__(self, step: _Optional[_Union[_common_pb2.AdaptationStep, _Mapping]] = ..., done: _Optional[_Union[CommitSummary, _Mapping]] = ...) -> None: ...

class CommitRequest(_message.Message):
    __slots__ = ["final_mask", "session_id"]
    FINAL_MASK_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    final_mask: _containers.RepeatedCompositeFieldContainer[_common_pb2.MaskDelta]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., final_mask: _Optional[_Iterable[_Union[_common_pb2.MaskDelta, _Mapping]]] = ...) -> None: ...

class CommitSummary(_message.Message):
    __slots__ = ["datastore_label_version", "latency", "model_version", "steps_applied"]
    DATASTORE_LABEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STEPS_APPLIED_FIELD_NUMBER: _ClassVar[int]
    datastore_label_version: int
    latency: _common_pb2.Latency
    model_version: int
    steps_applied: int
    def __init__(self, model_version: _Optional[int] = ..., steps_applied: _Optional[int] = ..., latency: _Optional[_Union[_common_pb2.Latency, _Mapping]] = ..., datastore_label_version: _Optional[int] = ...) -> None: ...

class FindImageRequest(_message.Message):
    __slots__ = ["image_id"]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    def __init__(self, image_id: _Optional[str] = ...) -> None: ...

class FindImageResponse(_message.Message):
    __slots__ = ["image", "known"]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    KNOWN_FIELD_NUMBER: _ClassVar[int]
    image: ImageRef
    known: bool
    def __init__(self, known: bool = ..., image: _Optional[_Union[ImageRef, _Mapping]] = ...) -> None: ...

class GetCapabilitiesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetMaskRequest(_message.Message):
    __slots__ = ["max_voxels_per_chunk", "session_id"]
    MAX_VOXELS_PER_CHUNK_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    max_voxels_per_chunk: int
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., max_voxels_per_chunk: _Optional[int] = ...) -> None: ...

class HeartbeatRequest(_message.Message):
    __slots__ = ["session_id"]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class ImageHeader(_message.Message):
    __slots__ = ["channels", "dims", "fingerprint", "ijk_to_ras", "name", "voxel_type"]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    DIMS_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    IJK_TO_RAS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VOXEL_TYPE_FIELD_NUMBER: _ClassVar[int]
    channels: int
    dims: _containers.RepeatedScalarFieldContainer[int]
    fingerprint: str
    ijk_to_ras: _containers.RepeatedScalarFieldContainer[float]
    name: str
    voxel_type: VoxelType
    def __init__(self, dims: _Optional[_Iterable[int]] = ..., channels: _Optional[int] = ..., voxel_type: _Optional[_Union[VoxelType, str]] = ..., ijk_to_ras: _Optional[_Iterable[float]] = ..., fingerprint: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ImageRef(_message.Message):
    __slots__ = ["already_known", "channels", "dims", "image_id", "name", "payload_bytes"]
    ALREADY_KNOWN_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    DIMS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    already_known: bool
    channels: int
    dims: _containers.RepeatedScalarFieldContainer[int]
    image_id: str
    name: str
    payload_bytes: int
    def __init__(self, image_id: _Optional[str] = ..., dims: _Optional[_Iterable[int]] = ..., channels: _Optional[int] = ..., already_known: bool = ..., payload_bytes: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...

class InteractEvent(_message.Message):
    __slots__ = ["done", "mask", "step"]
    DONE_FIELD_NUMBER: _ClassVar[int]
    MASK_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    done: InteractSummary
    mask: MaskUpdate
    step: _common_pb2.AdaptationStep
    def __init__(self, step: _Optional[_Union[_common_pb2.AdaptationStep, _Mapping]] = ..., mask: _Optional[_Union[MaskUpdate, _Mapping]] = ..., done: _Optional[_Union[InteractSummary, _Mapping]] = ...) -> None: ...

class InteractRequest(_message.Message):
    __slots__ = ["click", "session_id"]
    CLICK_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    click: Click
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., click: _Optional[_Union[Click, _Mapping]] = ...) -> None: ...

class InteractSummary(_message.Message):
    __slots__ = ["click_count", "latency", "model_version", "refined", "time_to_done_ms", "time_to_first_mask_ms"]
    CLICK_COUNT_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    REFINED_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_DONE_MS_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_FIRST_MASK_MS_FIELD_NUMBER: _ClassVar[int]
    click_count: int
    latency: _common_pb2.Latency
    model_version: int
    refined: bool
    time_to_done_ms: float
    time_to_first_mask_ms: float
    def __init__(self, click_count: _Optional[int] = ..., model_version: _Optional[int] = ..., latency: _Optional[_Union[_common_pb2.Latency, _Mapping]] = ..., time_to_first_mask_ms: _Optional[float] = ..., time_to_done_ms: _Optional[float] = ..., refined: bool = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ["default_lease_seconds", "max_concurrent_uploads", "max_lease_seconds", "max_message_bytes", "max_sessions", "max_upload_bytes", "max_voxels", "max_workspaces", "memory_budget_bytes", "queue_capacity", "snapshot_bytes_per_workspace", "upload_chunk_bytes", "upload_idle_seconds"]
    DEFAULT_LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_UPLOADS_FIELD_NUMBER: _ClassVar[int]
    MAX_LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    MAX_UPLOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_VOXELS_FIELD_NUMBER: _ClassVar[int]
    MAX_WORKSPACES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BUDGET_BYTES_FIELD_NUMBER: _ClassVar[int]
    QUEUE_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_BYTES_PER_WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_CHUNK_BYTES_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_IDLE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    default_lease_seconds: int
    max_concurrent_uploads: int
    max_lease_seconds: int
    max_message_bytes: int
    max_sessions: int
    max_upload_bytes: int
    max_voxels: int
    max_workspaces: int
    memory_budget_bytes: int
    queue_capacity: int
    snapshot_bytes_per_workspace: int
    upload_chunk_bytes: int
    upload_idle_seconds: int
    def __init__(self, max_upload_bytes: _Optional[int] = ..., max_voxels: _Optional[int] = ..., max_message_bytes: _Optional[int] = ..., max_sessions: _Optional[int] = ..., queue_capacity: _Optional[int] = ..., default_lease_seconds: _Optional[int] = ..., max_lease_seconds: _Optional[int] = ..., upload_chunk_bytes: _Optional[int] = ..., memory_budget_bytes: _Optional[int] = ..., snapshot_bytes_per_workspace: _Optional[int] = ..., max_concurrent_uploads: _Optional[int] = ..., upload_idle_seconds: _Optional[int] = ..., max_workspaces: _Optional[int] = ...) -> None: ...

class MaskChunk(_message.Message):
    __slots__ = ["delta", "dims", "index"]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    DIMS_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    delta: _common_pb2.MaskDelta
    dims: _containers.RepeatedScalarFieldContainer[int]
    index: int
    def __init__(self, delta: _Optional[_Union[_common_pb2.MaskDelta, _Mapping]] = ..., dims: _Optional[_Iterable[int]] = ..., index: _Optional[int] = ...) -> None: ...

class MaskUpdate(_message.Message):
    __slots__ = ["axis", "delta", "refined", "slice"]
    AXIS_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    REFINED_FIELD_NUMBER: _ClassVar[int]
    SLICE_FIELD_NUMBER: _ClassVar[int]
    axis: int
    delta: _common_pb2.MaskDelta
    refined: bool
    slice: int
    def __init__(self, delta: _Optional[_Union[_common_pb2.MaskDelta, _Mapping]] = ..., axis: _Optional[int] = ..., slice: _Optional[int] = ..., refined: bool = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ["class_names", "image_channels", "input_size", "metrics", "name", "task"]
    class MetricsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    CLASS_NAMES_FIELD_NUMBER: _ClassVar[int]
    IMAGE_CHANNELS_FIELD_NUMBER: _ClassVar[int]
    INPUT_SIZE_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    class_names: _containers.RepeatedScalarFieldContainer[str]
    image_channels: int
    input_size: int
    metrics: _containers.ScalarMap[str, float]
    name: str
    task: str
    def __init__(self, name: _Optional[str] = ..., task: _Optional[str] = ..., class_names: _Optional[_Iterable[str]] = ..., image_channels: _Optional[int] = ..., input_size: _Optional[int] = ..., metrics: _Optional[_Mapping[str, float]] = ...) -> None: ...

class OpenSessionRequest(_message.Message):
    __slots__ = ["field_of_view", "image_id", "initial_mask", "lease_seconds", "target_class", "workspace"]
    FIELD_OF_VIEW_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    INITIAL_MASK_FIELD_NUMBER: _ClassVar[int]
    LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TARGET_CLASS_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    field_of_view: int
    image_id: str
    initial_mask: _containers.RepeatedCompositeFieldContainer[_common_pb2.MaskDelta]
    lease_seconds: int
    target_class: int
    workspace: str
    def __init__(self, workspace: _Optional[str] = ..., image_id: _Optional[str] = ..., target_class: _Optional[int] = ..., lease_seconds: _Optional[int] = ..., initial_mask: _Optional[_Iterable[_Union[_common_pb2.MaskDelta, _Mapping]]] = ..., field_of_view: _Optional[int] = ...) -> None: ...

class SessionInfo(_message.Message):
    __slots__ = ["click_count", "committed", "dims", "expires_at", "field_of_view", "image_id", "lease_seconds", "model_version", "session_id", "target_class", "workspace"]
    CLICK_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_FIELD_NUMBER: _ClassVar[int]
    DIMS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    FIELD_OF_VIEW_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_CLASS_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    click_count: int
    committed: bool
    dims: _containers.RepeatedScalarFieldContainer[int]
    expires_at: _timestamp_pb2.Timestamp
    field_of_view: int
    image_id: str
    lease_seconds: int
    model_version: int
    session_id: str
    target_class: int
    workspace: str
    def __init__(self, session_id: _Optional[str] = ..., workspace: _Optional[str] = ..., image_id: _Optional[str] = ..., target_class: _Optional[int] = ..., dims: _Optional[_Iterable[int]] = ..., lease_seconds: _Optional[int] = ..., expires_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., model_version: _Optional[int] = ..., click_count: _Optional[int] = ..., committed: bool = ..., field_of_view: _Optional[int] = ...) -> None: ...

class UndoRequest(_message.Message):
    __slots__ = ["session_id"]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class UndoResponse(_message.Message):
    __slots__ = ["click_count", "delta", "model_version", "undone", "weights", "weights_kept_reason"]
    CLICK_COUNT_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    UNDONE_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_KEPT_REASON_FIELD_NUMBER: _ClassVar[int]
    click_count: int
    delta: _common_pb2.MaskDelta
    model_version: int
    undone: bool
    weights: UndoWeights
    weights_kept_reason: str
    def __init__(self, undone: bool = ..., delta: _Optional[_Union[_common_pb2.MaskDelta, _Mapping]] = ..., model_version: _Optional[int] = ..., click_count: _Optional[int] = ..., weights: _Optional[_Union[UndoWeights, str]] = ..., weights_kept_reason: _Optional[str] = ...) -> None: ...

class UploadImageRequest(_message.Message):
    __slots__ = ["data", "header"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    header: ImageHeader
    def __init__(self, header: _Optional[_Union[ImageHeader, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class VoxelType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class UndoWeights(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
