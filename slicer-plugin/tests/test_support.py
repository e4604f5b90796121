"""The module's small parts: dependency install, background jobs, the upload payload, the click history."""

import hashlib
import struct
import threading

import numpy as np
import pytest

from fake_slicer import FakeSlicer
from oaims_client.errors import OaimsError
from oaims_client.images import VOXEL_TYPE_FLOAT32, VOXEL_TYPE_INT16, ImagePayload
from oaims_client.results import AdaptationStep
from OAIMSLib.dependencies import REQUIREMENTS, DependencyError, ensure_installed, missing_requirements
from OAIMSLib.history import ClickHistory, sparkline
from OAIMSLib.jobs import BackgroundJobs


def importer(missing=(), protobuf_version="4.21.12"):
    installed = set()

    def import_module(name):
        if name in missing and name not in installed:
            raise ImportError(name)
        return type("Module", (), {"__version__": protobuf_version})

    import_module.installed = installed
    return import_module


def test_nothing_is_installed_when_grpc_and_a_recent_protobuf_import():
    scene = FakeSlicer()
    assert ensure_installed(scene, importer()) is False
    assert scene.pip_calls == []


def test_missing_packages_are_installed_with_slicers_pip_install():
    scene = FakeSlicer()
    imports = importer(missing=("grpc", "google.protobuf"))
    scene.util.pip_effect = lambda reqs: imports.installed.update({"grpc", "google.protobuf"})
    assert ensure_installed(scene, imports) is True
    assert scene.pip_calls == [REQUIREMENTS]


def test_a_protobuf_older_than_3_20_is_upgraded():
    assert missing_requirements(importer(protobuf_version="3.19.6")) == ["protobuf>=3.20,<8"]
    assert missing_requirements(importer(protobuf_version="6.31.1")) == []


def test_a_failed_pip_install_says_what_to_do():
    scene = FakeSlicer()
    scene.util.pip_error = RuntimeError("network unreachable")
    with pytest.raises(DependencyError) as raised:
        ensure_installed(scene, importer(missing=("grpc",)))
    message = str(raised.value)
    assert "grpcio" in message and "network unreachable" in message and "slicer.util.pip_install" in message


def test_jobs_run_off_the_calling_thread_in_order_and_report_where_poll_is_called():
    jobs = BackgroundJobs()
    seen, reported = [], []
    for n in range(3):
        jobs.submit(lambda ctx, n=n: (seen.append((n, threading.current_thread())), ctx.post(reported.append, f"step {n}"), n)[2],
                    lambda value: reported.append((value, threading.current_thread())), lambda error: None)
    assert jobs.wait_idle(5)
    jobs.stop()
    assert [n for n, _ in seen] == [0, 1, 2] and all(t is not threading.main_thread() for _, t in seen)
    assert reported == ["step 0", (0, threading.main_thread()), "step 1", (1, threading.main_thread()),
                        "step 2", (2, threading.main_thread())]


def test_a_failing_job_reports_its_exception_and_the_worker_goes_on():
    jobs = BackgroundJobs()
    errors, values = [], []
    jobs.submit(lambda ctx: 1 / 0, values.append, errors.append)
    jobs.submit(lambda ctx: 5, values.append, errors.append)
    assert jobs.wait_idle(5)
    jobs.stop()
    assert isinstance(errors[0], ZeroDivisionError) and values == [5]


def test_the_payload_is_planar_i_fastest_and_fingerprinted_as_the_contract_says():
    voxels = np.arange(2 * 3 * 4, dtype=np.int16).reshape(2, 3, 4)  # [k, j, i]
    m = np.diag([-1.0, -2.0, 3.0, 1.0])  # stored L, P, S: travels as it is
    payload = ImagePayload.from_array(voxels, m)
    assert payload.dims == (4, 3, 2) and payload.channels == 1 and payload.voxel_type == VOXEL_TYPE_INT16
    assert bytes(payload.data) == voxels.astype("<i2").tobytes()
    expected = hashlib.sha256(b"oaims.v1.image\n" + struct.pack("<5i16d", 4, 3, 2, 1, 2, *m.ravel()) + voxels.tobytes())
    assert payload.fingerprint == expected.hexdigest()
    assert b"".join(bytes(c) for c in payload.chunks(5)) == bytes(payload.data)


def test_channels_last_arrays_travel_planar_and_other_types_as_float32():
    rgb = np.arange(1 * 2 * 2 * 3, dtype=np.float64).reshape(1, 2, 2, 3)
    payload = ImagePayload.from_array(rgb)
    assert payload.channels == 3 and payload.voxel_type == VOXEL_TYPE_FLOAT32
    assert np.array_equal(np.frombuffer(bytes(payload.data), "<f4")[:4], rgb[..., 0].ravel())


def test_the_history_lists_steps_and_draws_the_loss_per_click():
    history = ClickHistory()
    for n, loss in enumerate([0.9, 0.5, 0.1]):
        record = history.start(n % 2 == 0, 2, (1, 2, 3))
        record.steps.append(AdaptationStep(0, "mi", loss, 12.0, n + 2, True))
    assert history.sparkline() == "█▅▁"
    assert "#2 - axis 2 voxel (1, 2, 3)" in history.text() and "loss 0.5000, 12 ms, v3" in history.text()
    history.drop_last()
    assert len(history.clicks) == 2
    assert sparkline([None, 1.0, 1.0]) == "·▁▁"


def test_an_rpc_error_becomes_an_oaims_error_with_code_and_sentence():
    import grpc

    class Failure(grpc.RpcError):
        def code(self):
            return grpc.StatusCode.INVALID_ARGUMENT

        def details(self):
            return "Voxel (300, 1, 1) lies outside the 240x240x155 image."

    error = OaimsError.from_rpc_error(Failure())
    assert (error.code, error.message) == ("INVALID_ARGUMENT", "Voxel (300, 1, 1) lies outside the 240x240x155 image.")
