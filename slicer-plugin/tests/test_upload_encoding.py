"""The upload's hand-encoded data messages are the UploadImageRequest protobuf itself would have written."""

import pytest

from oaims_client.client import encode_data_message
from oaims_client.generated import segmentation_pb2 as seg


@pytest.mark.parametrize("size", [0, 1, 127, 128, 16383, 16384, 80 << 10, (2 << 20) + 1])
def test_a_data_message_encodes_as_protobuf_does_at_every_length_boundary(size):
    chunk = memoryview(bytes(range(256)) * (size // 256 + 1))[:size]
    encoded = encode_data_message(chunk)
    assert encoded == seg.UploadImageRequest(data=bytes(chunk)).SerializeToString()
    parsed = seg.UploadImageRequest.FromString(encoded)
    assert parsed.WhichOneof("part") == "data" and parsed.data == bytes(chunk)
