from . import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PropagateEvent(_message.Message):
    __slots__ = ["done", "slice", "step"]
    DONE_FIELD_NUMBER: _ClassVar[int]
    SLICE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    done: PropagateSummary
    slice: PropagatedSlice
    step: _common_pb2.AdaptationStep
    def __init__(self, step: _Optional[_Union[_common_pb2.AdaptationStep, _Mapping]] = ..., slice: _Optional[_Union[PropagatedSlice, _Mapping]] = ..., done: _Optional[_Union[PropagateSummary, _Mapping]] = ...) -> None: ...

class PropagateRequest(_message.Message):
    __slots__ = ["accept_first", "axis", "max_slices", "session_id", "slice"]
    ACCEPT_FIRST_FIELD_NUMBER: _ClassVar[int]
    AXIS_FIELD_NUMBER: _ClassVar[int]
    MAX_SLICES_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SLICE_FIELD_NUMBER: _ClassVar[int]
    accept_first: bool
    axis: int
    max_slices: int
    session_id: str
    slice: int
    def __init__(self, session_id: _Optional[str] = ..., axis: _Optional[int] = ..., slice: _Optional[int] = ..., accept_first: bool = ..., max_slices: _Optional[int] = ...) -> None: ...

class PropagateSummary(_message.Message):
    __slots__ = ["cleared", "latency", "model_version", "proposed", "stop_above", "stop_below"]
    CLEARED_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_FIELD_NUMBER: _ClassVar[int]
    STOP_ABOVE_FIELD_NUMBER: _ClassVar[int]
    STOP_BELOW_FIELD_NUMBER: _ClassVar[int]
    cleared: _containers.RepeatedScalarFieldContainer[int]
    latency: _common_pb2.Latency
    model_version: int
    proposed: _containers.RepeatedScalarFieldContainer[int]
    stop_above: str
    stop_below: str
    def __init__(self, proposed: _Optional[_Iterable[int]] = ..., cleared: _Optional[_Iterable[int]] = ..., stop_below: _Optional[str] = ..., stop_above: _Optional[str] = ..., model_version: _Optional[int] = ..., latency: _Optional[_Union[_common_pb2.Latency, _Mapping]] = ...) -> None: ...

class PropagatedSlice(_message.Message):
    __slots__ = ["axis", "delta", "done", "proposal", "slice"]
    AXIS_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    SLICE_FIELD_NUMBER: _ClassVar[int]
    axis: int
    delta: _common_pb2.MaskDelta
    done: int
    proposal: bool
    slice: int
    def __init__(self, delta: _Optional[_Union[_common_pb2.MaskDelta, _Mapping]] = ..., axis: _Optional[int] = ..., slice: _Optional[int] = ..., proposal: bool = ..., done: _Optional[int] = ...) -> None: ...
