from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
MASK_ENCODING_BIT_PACKED: MaskEncoding
MASK_ENCODING_BYTE_PER_VOXEL: MaskEncoding
MASK_ENCODING_UNSPECIFIED: MaskEncoding

class AdaptationStep(_message.Message):
    __slots__ = ["applied", "index", "kind", "loss", "milliseconds", "model_version"]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LOSS_FIELD_NUMBER: _ClassVar[int]
    MILLISECONDS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    applied: bool
    index: int
    kind: str
    loss: float
    milliseconds: float
    model_version: int
    def __init__(self, index: _Optional[int] = ..., kind: _Optional[str] = ..., loss: _Optional[float] = ..., milliseconds: _Optional[float] = ..., model_version: _Optional[int] = ..., applied: bool = ...) -> None: ...

class Latency(_message.Message):
    __slots__ = ["adaptation_ms", "encode_ms", "forward_ms", "queue_ms", "total_ms"]
    ADAPTATION_MS_FIELD_NUMBER: _ClassVar[int]
    ENCODE_MS_FIELD_NUMBER: _ClassVar[int]
    FORWARD_MS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_MS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MS_FIELD_NUMBER: _ClassVar[int]
    adaptation_ms: float
    encode_ms: float
    forward_ms: float
    queue_ms: float
    total_ms: float
    def __init__(self, queue_ms: _Optional[float] = ..., forward_ms: _Optional[float] = ..., adaptation_ms: _Optional[float] = ..., encode_ms: _Optional[float] = ..., total_ms: _Optional[float] = ...) -> None: ...

class MaskDelta(_message.Message):
    __slots__ = ["box", "data", "encoding"]
    BOX_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    box: VoxelBox
    data: bytes
    encoding: MaskEncoding
    def __init__(self, box: _Optional[_Union[VoxelBox, _Mapping]] = ..., encoding: _Optional[_Union[MaskEncoding, str]] = ..., data: _Optional[bytes] = ...) -> None: ...

class ModelVersion(_message.Message):
    __slots__ = ["created", "kind", "loss", "restored_from", "version"]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LOSS_FIELD_NUMBER: _ClassVar[int]
    RESTORED_FROM_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    created: _timestamp_pb2.Timestamp
    kind: str
    loss: float
    restored_from: int
    version: int
    def __init__(self, version: _Optional[int] = ..., kind: _Optional[str] = ..., restored_from: _Optional[int] = ..., loss: _Optional[float] = ..., created: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VoxelBox(_message.Message):
    __slots__ = ["max_i", "max_j", "max_k", "min_i", "min_j", "min_k"]
    MAX_I_FIELD_NUMBER: _ClassVar[int]
    MAX_J_FIELD_NUMBER: _ClassVar[int]
    MAX_K_FIELD_NUMBER: _ClassVar[int]
    MIN_I_FIELD_NUMBER: _ClassVar[int]
    MIN_J_FIELD_NUMBER: _ClassVar[int]
    MIN_K_FIELD_NUMBER: _ClassVar[int]
    max_i: int
    max_j: int
    max_k: int
    min_i: int
    min_j: int
    min_k: int
    def __init__(self, min_i: _Optional[int] = ..., min_j: _Optional[int] = ..., min_k: _Optional[int] = ..., max_i: _Optional[int] = ..., max_j: _Optional[int] = ..., max_k: _Optional[int] = ...) -> None: ...

class MaskEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
