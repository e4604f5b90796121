from . import segmentation_pb2 as _segmentation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DATASTORE_IMAGE_STATUS_LABELLED: DatastoreImageStatus
DATASTORE_IMAGE_STATUS_LEASED: DatastoreImageStatus
DATASTORE_IMAGE_STATUS_UNLABELLED: DatastoreImageStatus
DATASTORE_IMAGE_STATUS_UNSPECIFIED: DatastoreImageStatus
DESCRIPTOR: _descriptor.FileDescriptor

class DatastoreImage(_message.Message):
    __slots__ = ["file_name", "id", "label_versions", "status"]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    file_name: str
    id: str
    label_versions: int
    status: DatastoreImageStatus
    def __init__(self, id: _Optional[str] = ..., file_name: _Optional[str] = ..., status: _Optional[_Union[DatastoreImageStatus, str]] = ..., label_versions: _Optional[int] = ...) -> None: ...

class DatastoreSession(_message.Message):
    __slots__ = ["image", "session"]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    image: DatastoreImage
    session: _segmentation_pb2.SessionInfo
    def __init__(self, image: _Optional[_Union[DatastoreImage, _Mapping]] = ..., session: _Optional[_Union[_segmentation_pb2.SessionInfo, _Mapping]] = ...) -> None: ...

class FetchImageRequest(_message.Message):
    __slots__ = ["image_id", "label", "label_version"]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    LABEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    label: bool
    label_version: int
    def __init__(self, image_id: _Optional[str] = ..., label: bool = ..., label_version: _Optional[int] = ...) -> None: ...

class FileChunk(_message.Message):
    __slots__ = ["data", "file_name", "size"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    file_name: str
    size: int
    def __init__(self, file_name: _Optional[str] = ..., size: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class ListImagesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListImagesResponse(_message.Message):
    __slots__ = ["images", "strategies"]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    STRATEGIES_FIELD_NUMBER: _ClassVar[int]
    images: _containers.RepeatedCompositeFieldContainer[DatastoreImage]
    strategies: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, images: _Optional[_Iterable[_Union[DatastoreImage, _Mapping]]] = ..., strategies: _Optional[_Iterable[str]] = ...) -> None: ...

class NextImageRequest(_message.Message):
    __slots__ = ["lease_seconds", "strategy", "target_class", "workspace"]
    LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TARGET_CLASS_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    lease_seconds: int
    strategy: str
    target_class: int
    workspace: str
    def __init__(self, workspace: _Optional[str] = ..., strategy: _Optional[str] = ..., target_class: _Optional[int] = ..., lease_seconds: _Optional[int] = ...) -> None: ...

class OpenImageRequest(_message.Message):
    __slots__ = ["image_id", "lease_seconds", "target_class", "workspace"]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TARGET_CLASS_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    lease_seconds: int
    target_class: int
    workspace: str
    def __init__(self, workspace: _Optional[str] = ..., image_id: _Optional[str] = ..., target_class: _Optional[int] = ..., lease_seconds: _Optional[int] = ...) -> None: ...

class DatastoreImageStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
