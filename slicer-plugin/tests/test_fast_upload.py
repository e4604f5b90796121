"""The fast upload path (POST /v1/images) of the client against the real sidecar on loopback."""

import dataclasses
import socket

import grpc
import numpy as np
import pytest

from oaims_client import OaimsError, http_upload
from oaims_client.client import Client
from oaims_client.generated import segmentation_pb2 as seg
from oaims_client.images import ImagePayload


def _volume(seed: int, shape=(12, 40, 48)) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def _grpc_only(sidecar) -> Client:
    """A client that knows no host for the fast path, so its uploads go over UploadImage."""
    target = sidecar.url.split("://", 1)[1]
    return Client(grpc.insecure_channel(target))


def _header(payload: ImagePayload, fingerprint: str = "") -> seg.ImageHeader:
    return seg.ImageHeader(dims=list(payload.dims), channels=payload.channels, voxel_type=payload.voxel_type,
                           ijk_to_ras=list(payload.ijk_to_ras), fingerprint=fingerprint)


def _post(client: Client, header: seg.ImageHeader, data) -> seg.ImageRef:
    return http_upload.post_image(client._host, client.capabilities().http_upload_port, header, memoryview(data).cast("B"))


def test_a_loopback_server_offers_the_fast_path_and_the_client_uses_it(client):
    assert client.capabilities().http_upload_port > 0
    sent = []
    payload = ImagePayload.from_array(_volume(1))
    image = client.upload(payload, progress=lambda done, total: sent.append(done), chunk_bytes=32 << 10)
    assert image.image_id == payload.fingerprint and image.dims == (48, 40, 12) and not image.already_known
    assert sent == list(range(32 << 10, payload.nbytes, 32 << 10)) + [payload.nbytes]


def test_the_fast_path_and_grpc_store_the_same_image_under_the_same_fingerprint(client, sidecar):
    voxels = _volume(2)
    affine = np.array([[0, 0, 1.5, -10], [0, -1.2, 0, 20], [-1, 0, 0, 30], [0, 0, 0, 1]])
    fast = client.upload(voxels, affine, name="fast")
    with _grpc_only(sidecar) as slow:
        assert slow.capabilities().http_upload_port > 0 and slow._http_upload_port() == 0
        again = slow.upload(voxels, affine, name="grpc")
    assert again.already_known and again.image_id == fast.image_id
    assert dataclasses.replace(again, already_known=False, name="fast") == fast
    session = client.open_session(fast, "brain-flair")
    assert session.shape == voxels.shape
    session.close()


def test_a_second_fast_upload_of_the_same_content_is_already_known(client):
    payload = ImagePayload.from_array(_volume(3))
    first = client.upload(payload, ask_first=False)
    second = client.upload(payload, ask_first=False)
    assert not first.already_known and second.already_known and second.image_id == first.image_id


def test_asking_first_sends_nothing_for_content_the_server_holds(client):
    payload = ImagePayload.from_array(_volume(4))
    client.upload(payload)
    progress = []
    again = client.upload(payload, ask_first=True, progress=lambda done, total: progress.append(done))
    assert again.already_known and progress == [payload.nbytes]


def test_a_lying_fingerprint_is_refused_and_stores_nothing(client):
    payload = ImagePayload.from_array(_volume(5))
    with pytest.raises(OaimsError) as refused:
        _post(client, _header(payload, fingerprint="a" * 64), payload.data)
    assert refused.value.code == "INVALID_ARGUMENT" and "fingerprint" in refused.value.message
    assert client.find_image(payload.fingerprint) is None


def test_a_non_finite_voxel_is_refused(client):
    voxels = _volume(6)
    voxels[3, 4, 5] = np.nan
    with pytest.raises(OaimsError) as refused:
        client.upload(voxels, ask_first=False)
    assert refused.value.code == "INVALID_ARGUMENT" and "finite" in refused.value.message


def test_an_image_over_the_limits_is_refused_before_its_voxels_are_sent(client):
    payload = ImagePayload.from_array(_volume(7, (4, 4, 4)))
    header = _header(payload)
    header.dims[:] = [100_000, 100_000, 100]  # far more voxels than any server accepts
    with pytest.raises(OaimsError) as refused:
        _post(client, header, payload.data)
    assert refused.value.code == "RESOURCE_EXHAUSTED" and "voxels" in refused.value.message


def test_a_body_that_does_not_match_the_dims_is_refused(client):
    payload = ImagePayload.from_array(_volume(8))
    with pytest.raises(OaimsError) as refused:
        _post(client, _header(payload), payload.data[:-4])
    assert refused.value.code == "INVALID_ARGUMENT" and "declares" in refused.value.message


def test_a_fast_path_port_that_cannot_be_reached_falls_back_to_grpc(sidecar):
    with Client.connect(sidecar.url, timeout=30) as client:
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()  # nothing listens there now
        client._capabilities = dataclasses.replace(client.capabilities(), http_upload_port=port)
        payload = ImagePayload.from_array(_volume(9))
        image = client.upload(payload)
        assert image.image_id == payload.fingerprint and client._http_upload_port() == 0
