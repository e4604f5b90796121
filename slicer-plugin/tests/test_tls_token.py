"""A sidecar started as a remote one would be (--tls-cert, --tls-key, --token), still on loopback."""

import subprocess

import pytest

from conftest import start_sidecar, stop_sidecar
from oaims_client import OaimsError
from oaims_client.client import Client

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
