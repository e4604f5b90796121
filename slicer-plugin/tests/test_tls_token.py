"""A sidecar started as a remote one would be (--tls-cert, --tls-key, --token), still on loopback."""

import subprocess

import numpy as np
import pytest

from conftest import start_sidecar, stop_sidecar
from oaims_client import OaimsError, http_upload
from oaims_client.client import Client
from oaims_client.generated import segmentation_pb2 as seg
from oaims_client.images import ImagePayload

TOKEN = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def tls_sidecar(cli, models_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("tls")
    cert, key = root / "server.crt", root / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = start_sidecar(cli, models_dir, root, ["--tls-cert", str(cert), "--tls-key", str(key), "--token", TOKEN])
    yield server, cert.read_bytes()
    stop_sidecar(server.process)


def test_tls_with_the_token_connects_and_reports_that_a_token_is_required(tls_sidecar):
    server, certificate = tls_sidecar
    assert server.url.startswith("https://")
    with Client.connect(server.url, token=TOKEN, root_certificates=certificate) as client:
        assert client.capabilities().token_required
        assert "brain-flair" in [w.name for w in client.workspaces()]


@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_missing_or_wrong_token_is_unauthenticated(tls_sidecar, token):
    server, certificate = tls_sidecar
    with pytest.raises(OaimsError) as raised:
        Client.connect(server.url, token=token, root_certificates=certificate)
    assert raised.value.code == "UNAUTHENTICATED" and raised.value.message


def test_an_untrusted_certificate_is_refused(tls_sidecar):
    server, _ = tls_sidecar
    with pytest.raises(OaimsError) as raised:
        Client.connect(server.url, token=TOKEN, timeout=5)
    assert raised.value.code in ("UNAVAILABLE", "DEADLINE_EXCEEDED")


def test_the_fast_upload_path_speaks_tls_and_wants_the_token(tls_sidecar):
    server, certificate = tls_sidecar
    payload = ImagePayload.from_array(np.random.default_rng(0).random((3, 16, 16), dtype=np.float32))
    with Client.connect(server.url, token=TOKEN, root_certificates=certificate) as client:
        port = client.capabilities().http_upload_port
        assert port > 0
        image = client.upload(payload, ask_first=False)
        assert image.image_id == payload.fingerprint and not image.already_known
        header = seg.ImageHeader(dims=list(payload.dims), channels=payload.channels, voxel_type=payload.voxel_type)
        with pytest.raises(OaimsError) as raised:
            http_upload.post_image(client._host, port, header, payload.data, token="wrong", tls=client._tls)
        assert raised.value.code == "UNAUTHENTICATED"
        with pytest.raises(OaimsError) as plain:
            http_upload.post_image(client._host, port, header, payload.data, token=TOKEN, timeout=5)
        assert plain.value.code in ("UNAVAILABLE", "DEADLINE_EXCEEDED")

