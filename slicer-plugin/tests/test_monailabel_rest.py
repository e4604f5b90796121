"""MONAI Label's REST API on the real server (`oaims serve --datastore DIR --http 127.0.0.1:0`), driven by a client
written to MONAI Label's client contract, on a datastore of three BraTS T1c volumes."""

from __future__ import annotations

import gzip
import re
import shutil
import time

import nibabel as nib
import numpy as np
import pytest
from scipy import ndimage

from conftest import DATA, start_sidecar, stop_sidecar
from monailabel_client import MonaiLabelClient, MonaiLabelError

CASES = ("pat0001", "pat0002", "pat0003")
REST_LINE = re.compile(r"OAIMS REST \(MONAI Label API\) on (http://127\.0\.0\.1:\d+)")


def _start(cli, models_dir, root, cases=CASES):
    """`oaims serve --datastore ROOT/studies --http 127.0.0.1:0` on a copy of the T1c volumes (the three by default);
    the server and its REST address (announced on stdout after the gRPC one)."""
    studies = root / "studies"
    studies.mkdir()
    for case in cases:
        shutil.copy(DATA / "brats2013" / case / "t1c.nii.gz", studies / f"{case}.nii.gz")
    server = start_sidecar(cli, models_dir, root, extra=["--datastore", str(studies), "--http", "127.0.0.1:0"])
    deadline = time.monotonic() + 30
    while not (found := REST_LINE.search(server.log_path.read_text(errors="replace"))) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not found:
        stop_sidecar(server.process)
        pytest.fail(f"no REST address announced:\n{server.log_tail()}")
    return server, found.group(1), studies


@pytest.fixture(scope="module")
def rest(cli, models_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("monailabel")
    server, url, studies = _start(cli, models_dir, root)
    yield MonaiLabelClient(url), studies, root
    stop_sidecar(server.process)


def _nifti(content: bytes) -> nib.Nifti1Image:
    """A .nii.gz file's bytes as an image (nibabel's from_bytes takes the uncompressed file)."""
    return nib.Nifti1Image.from_bytes(gzip.decompress(content))


def _next_click(truth: np.ndarray, prediction: np.ndarray):
    """The simulated user: the centre of the largest error region, positive where the lesion was missed."""
    errors, count = ndimage.label(truth != prediction)
    if count == 0:
        return None
    largest = 1 + int(np.argmax(ndimage.sum(np.ones_like(errors), errors, range(1, count + 1))))
    inside = np.pad(errors == largest, 1)
    j, i = np.unravel_index(int(np.argmax(ndimage.distance_transform_edt(inside)[1:-1, 1:-1])), truth.shape)
    return int(i), int(j), bool(truth[j, i])


def test_a_lab_labels_through_monai_labels_api(rest, tmp_path):
    client, studies, _ = rest
    info = client.info()
    model = "brain-flair"
    assert info["models"][model]["dimension"] == 2 and info["models"][model]["labels"] == {"lesion": 1}
    assert "first" in info["strategies"] and info["datastore"]["total"] == 3
    version_before = info["models"][model]["version"]
    assert set(client.datastore("all")["objects"]) == set(CASES)

    sample = client.next_sample("first")
    assert sample["id"] == "pat0001"

    image = nib.load(str(studies / "pat0001.nii.gz"))
    seg = np.asarray(nib.load(str(DATA / "brats2013" / "pat0001" / "seg.nii.gz")).dataobj)
    k = int(np.argmax((seg > 0).sum(axis=(0, 1))))
    truth = (seg[:, :, k] > 0).T  # [j, i]
    foreground, background, label, replies = [], [], None, []
    prediction = np.zeros_like(truth)
    for _ in range(5):
        i, j, positive = _next_click(truth, prediction)
        (foreground if positive else background).append([i, j, k])
        label, params = client.infer(model, "pat0001", {"foreground": foreground, "background": background, "label": "lesion"})
        replies.append(params)
        volume = np.asarray(_nifti(label).dataobj)
        prediction = volume[:, :, k].T > 0
    assert [r["click_count"] for r in replies] == [1, 2, 3, 4, 5]
    assert [r["new_interaction"] for r in replies] == [True, False, False, False, False]

    saved_file = tmp_path / "label.nii.gz"
    saved_file.write_bytes(label)
    saved = client.save_label("pat0001", saved_file)
    assert saved["label_version"] == 1
    assert client.info()["models"][model]["version"] > version_before

    downloaded = nib.load(str(client.download_label("pat0001", tmp_path / "downloaded.nii.gz")))
    assert np.array_equal(np.asarray(downloaded.dataobj), np.asarray(_nifti(label).dataobj))
    assert np.array_equal(downloaded.affine, image.affine)

    assert client.next_sample("first")["id"] == "pat0002"
    with pytest.raises(MonaiLabelError) as refused:
        client.infer(model, "pat0002", {"foreground": [[image.shape[0] + 5, 10, k]]})
    assert 400 <= refused.value.status < 500 and "outside" in refused.value.body


def _dice(truth: np.ndarray, prediction: np.ndarray) -> float:
    total = truth.sum() + prediction.sum()
    return 1.0 if total == 0 else 2.0 * float((truth & prediction).sum()) / float(total)


@pytest.fixture
def fresh_rest(cli, models_dir, tmp_path):
    """A server of its own: three T1c volumes, REST and gRPC on the same process, nothing leased yet."""
    server, url, studies = _start(cli, models_dir, tmp_path)
    yield MonaiLabelClient(url), server.url, studies
    stop_sidecar(server.process)


def test_clicks_through_infer_give_the_same_dice_as_the_same_clicks_through_grpc(fresh_rest, capsys):
    """Two workspaces from the same model take the same click stream, one through /infer, one through gRPC."""
    from oaims_client.client import Client
    rest, grpc_url, studies = fresh_rest
    rows = []
    with Client.connect(grpc_url, timeout=60) as grpc_client:
        for name in ("via-rest", "via-grpc"):
            grpc_client.create_workspace(name, "brain-flair")
        for case in CASES:
            image = nib.load(str(studies / f"{case}.nii.gz"))
            seg = np.asarray(nib.load(str(DATA / "brats2013" / case / "seg.nii.gz")).dataobj)
            k = int(np.argmax((seg > 0).sum(axis=(0, 1))))
            truth = (seg[:, :, k] > 0).T
            clicks, rest_dice, prediction = [], [], np.zeros_like(truth)
            for _ in range(5):
                i, j, positive = _next_click(truth, prediction)
                clicks.append((i, j, positive))
                label, _ = rest.infer("via-rest", case, {
                    "foreground": [[ci, cj, k] for ci, cj, p in clicks if p],
                    "background": [[ci, cj, k] for ci, cj, p in clicks if not p]})
                prediction = np.asarray(_nifti(label).dataobj)[:, :, k].T > 0
                rest_dice.append(_dice(truth, prediction))
            voxels = np.ascontiguousarray(np.asarray(image.dataobj, dtype=np.float32).transpose(2, 1, 0))
            session = grpc_client.open_session(grpc_client.upload(voxels, image.affine, orientation=None), "via-grpc")
            grpc_dice = []
            for i, j, positive in clicks:
                session.click(2, (i, j, k), positive)
                grpc_dice.append(_dice(truth, session.mask()[k] > 0))
            session.close()
            rows.append((case, k, rest_dice, grpc_dice))
    with capsys.disabled():
        for case, k, r, g in rows:
            print(f"\n{case} slice {k}: Dice@1 /infer {r[0]:.6f} gRPC {g[0]:.6f}; Dice@5 /infer {r[4]:.6f} gRPC {g[4]:.6f}")
    for case, _, r, g in rows:
        assert abs(r[0] - g[0]) <= 1e-6 and abs(r[4] - g[4]) <= 1e-6, (case, r, g)


def test_batch_infer_pre_labels_the_datastore_in_the_background_with_each_images_geometry(cli, models_dir, tmp_path):
    """MONAI Label's batch inference as its client calls it: POST starts a background task, GET follows it to DONE,
    and each image gets labels/original/ID.nii.gz on its own grid; final labels stay as they were (none here)."""
    server, url, studies = _start(cli, models_dir, tmp_path, cases=())
    try:
        # Eight slices of a T1c volume (nibabel's slicer moves the origin with them): a batch of seconds, not minutes.
        whole = nib.load(str(DATA / "brats2013" / "pat0001" / "t1c.nii.gz"))
        nib.save(whole.slicer[:, :, 70:78], str(studies / "pat0001.nii.gz"))
        client = MonaiLabelClient(url)
        task = client.batch_infer("brain-flair", images="unlabeled")
        assert task["status"] == "RUNNING" and task["total"] == 1
        deadline = time.monotonic() + 300
        while (status := client.batch_infer_status())["status"] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert status["id"] == task["id"] and status["status"] == "DONE" and status["done"] == 1, status
        assert status["result"]["pat0001"]["status"] == "written"
        with pytest.raises(MonaiLabelError) as idle:
            client.batch_infer_status(check_if_running=True)
        assert idle.value.status == 404

        image = nib.load(str(studies / "pat0001.nii.gz"))
        label = nib.load(str(studies / "labels" / "original" / "pat0001.nii.gz"))
        assert label.shape == image.shape and np.allclose(label.affine, image.affine, atol=1e-5)
        assert set(np.unique(np.asarray(label.dataobj))) <= {0, 1}
        assert "original" in client.datastore("all")["objects"]["pat0001"]["labels"]
        assert not any((studies / "labels" / "final").iterdir())
    finally:
        stop_sidecar(server.process)
