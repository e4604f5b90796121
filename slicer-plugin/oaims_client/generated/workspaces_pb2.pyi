from google.protobuf import timestamp_pb2 as _timestamp_pb2
from . import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateWorkspaceRequest(_message.Message):
    __slots__ = ["learning_rate", "model", "name", "restore_from", "strategy"]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RESTORE_FROM_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    learning_rate: float
    model: str
    name: str
    restore_from: str
    strategy: str
    def __init__(self, name: _Optional[str] = ..., model: _Optional[str] = ..., strategy: _Optional[str] = ..., learning_rate: _Optional[float] = ..., restore_from: _Optional[str] = ...) -> None: ...

class ExportCheckpointRequest(_message.Message):
    __slots__ = ["name", "path", "workspace"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    name: str
    path: str
    workspace: str
    def __init__(self, workspace: _Optional[str] = ..., path: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class GetWorkspaceRequest(_message.Message):
    __slots__ = ["include_checksum", "workspace"]
    INCLUDE_CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    include_checksum: bool
    workspace: str
    def __init__(self, workspace: _Optional[str] = ..., include_checksum: bool = ...) -> None: ...

class ListVersionsRequest(_message.Message):
    __slots__ = ["workspace"]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    def __init__(self, workspace: _Optional[str] = ...) -> None: ...

class ListVersionsResponse(_message.Message):
    __slots__ = ["current_version", "versions"]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    current_version: int
    versions: _containers.RepeatedCompositeFieldContainer[_common_pb2.ModelVersion]
    def __init__(self, versions: _Optional[_Iterable[_Union[_common_pb2.ModelVersion, _Mapping]]] = ..., current_version: _Optional[int] = ...) -> None: ...

class ListWorkspacesRequest(_message.Message):
    __slots__ = ["include_checksum"]
    INCLUDE_CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    include_checksum: bool
    def __init__(self, include_checksum: bool = ...) -> None: ...

class ListWorkspacesResponse(_message.Message):
    __slots__ = ["workspaces"]
    WORKSPACES_FIELD_NUMBER: _ClassVar[int]
    workspaces: _containers.RepeatedCompositeFieldContainer[WorkspaceInfo]
    def __init__(self, workspaces: _Optional[_Iterable[_Union[WorkspaceInfo, _Mapping]]] = ...) -> None: ...

class ResetToSourceRequest(_message.Message):
    __slots__ = ["workspace"]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    def __init__(self, workspace: _Optional[str] = ...) -> None: ...

class RollbackRequest(_message.Message):
    __slots__ = ["version", "workspace"]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    version: int
    workspace: str
    def __init__(self, workspace: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class SaveCheckpointRequest(_message.Message):
    __slots__ = ["path", "workspace"]
    PATH_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    path: str
    workspace: str
    def __init__(self, workspace: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class SaveCheckpointResponse(_message.Message):
    __slots__ = ["model_version", "path"]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    model_version: int
    path: str
    def __init__(self, path: _Optional[str] = ..., model_version: _Optional[int] = ...) -> None: ...

class WorkspaceInfo(_message.Message):
    __slots__ = ["created", "learning_rate", "model", "model_version", "name", "open_sessions", "queued", "strategy", "weights_checksum"]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OPEN_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    created: _timestamp_pb2.Timestamp
    learning_rate: float
    model: str
    model_version: int
    name: str
    open_sessions: int
    queued: int
    strategy: str
    weights_checksum: str
    def __init__(self, name: _Optional[str] = ..., model: _Optional[str] = ..., strategy: _Optional[str] = ..., learning_rate: _Optional[float] = ..., model_version: _Optional[int] = ..., open_sessions: _Optional[int] = ..., queued: _Optional[int] = ..., weights_checksum: _Optional[str] = ..., created: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
