"""Shared fixtures: import paths, the real sidecar on loopback, and the BraTS case the integration tests use."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[1]
REPO = PLUGIN.parent
for path in (PLUGIN, PLUGIN / "OAIMS"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


import itertools
import re
import subprocess
import threading
import time

import pytest

DATA = REPO.parent / "shared" / "data"
BRATS_CASE = DATA / "brats2013" / "pat0004"
SHIPPED_MODEL = REPO / "models" / "brain-flair"
STARTUP_SECONDS = 180
_ADDRESS = re.compile(r"(https?)://(127\.0\.0\.1|localhost|\[::1\]):(\d+)")


def _cli() -> Path:
    """The `oaims` executable: $OAIMS_CLI (set by `make test`), else the Release build. Missing means a failed run."""
    path = Path(os.environ.get("OAIMS_CLI") or REPO / "src/Oaims.Cli/bin/Release/net10.0/oaims")
    if not path.is_file():
        pytest.fail(f"The oaims CLI is missing at {path}: run `make build` (or set OAIMS_CLI) before the Python tests.")
    return path


def _models(cli: Path, root: Path) -> Path:
    """A models folder holding brain-flair: the shipped checkpoint when present, else a one-step model trained now."""
    models = root / "models"
    models.mkdir()
    if (SHIPPED_MODEL / "card.json").is_file() and (SHIPPED_MODEL / "model.safetensors").is_file():
        (models / "brain-flair").mkdir()
        for name in ("card.json", "model.safetensors"):
            (models / "brain-flair" / name).symlink_to(SHIPPED_MODEL / name)
        return models
    # No shipped weights (a fresh clone before they were committed): one training step gives a real checkpoint.
    # Two small cases keep it to about a minute and a half on two cores (most of it the closing evaluation).
    run = subprocess.run([str(cli), "train", "--task", "brain-lesion", "--data", str(DATA / "brats2013"),
                          "--out", str(models / "brain-flair"), "--steps", "1", "--batch", "1", "--minutes", "2",
                          "--validate-every", "100", "--train-cases", "pat0001", "--val-cases", "pat0002", "--seed", "0"],
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        pytest.fail(f"Could not create a tiny model with `oaims train`:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    return models


class Sidecar:
    """A running `oaims serve` on a free loopback port."""

    def __init__(self, process, url, log_path):
        self.process = process
        self.url = url
        self.log_path = log_path

    def log_tail(self, chars=4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


def start_sidecar(cli: Path, models: Path, root: Path, extra=()) -> Sidecar:
    log_path = root / "sidecar.log"
    log = open(log_path, "w")
    command = [str(cli), "serve", "--models", str(models), "--address", "127.0.0.1:0", *extra]
    env = {k: v for k, v in os.environ.items() if k != "OAIMS_TOKEN"}  # the token is only what a test passes
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, text=True, cwd=root, env=env)
    found = []

    def read_stdout():
        for line in process.stdout:
            log.write("[stdout] " + line)
            log.flush()
            match = _ADDRESS.search(line)
            if match and not found and int(match.group(3)) > 0:
                found.append(match.group(0))
        log.flush()

    threading.Thread(target=read_stdout, daemon=True).start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not found and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if not found:
        stop_sidecar(process)
        log.flush()
        pytest.fail(f"`{' '.join(command)}` did not report a listening address:\n{log_path.read_text(errors='replace')[-4000:]}")
    return Sidecar(process, found[0], log_path)


def stop_sidecar(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="session")
def cli():
    return _cli()


@pytest.fixture(scope="session")
def models_dir(cli, tmp_path_factory):
    return _models(cli, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def sidecar(cli, models_dir, tmp_path_factory):
    """The real sidecar for the whole run: `oaims serve --models <dir with brain-flair> --address 127.0.0.1:0`."""
    root = tmp_path_factory.mktemp("sidecar")
    server = start_sidecar(cli, models_dir, root)
    yield server
    stop_sidecar(server.process)


@pytest.fixture(scope="session")
def brats_case():
    for name in ("t1c.nii.gz", "seg.nii.gz"):
        if not (BRATS_CASE / name).is_file():
            pytest.fail(f"The test case {BRATS_CASE / name} is missing (shared/data beside the repository).")
    return BRATS_CASE


@pytest.fixture(scope="session")
def client(sidecar):
    """One connection to the sidecar for the whole run."""
    from oaims_client.client import Client
    with Client.connect(sidecar.url, timeout=30) as connected:
        yield connected


@pytest.fixture(scope="session")
def t1c(brats_case):
    from brats import load_kji
    return load_kji(brats_case / "t1c.nii.gz")


@pytest.fixture(scope="session")
def lesion(brats_case):
    from brats import load_kji
    labels, _ = load_kji(brats_case / "seg.nii.gz")
    return labels > 0


_workspace_numbers = itertools.count(1)


def workspace(client, strategy: str) -> str:
    """A fresh workspace from the shipped model, so a test starts from the source weights whatever ran before."""
    name = f"test-{strategy.replace('+', '-')}-{next(_workspace_numbers)}"
    return client.create_workspace(name, "brain-flair", strategy).name
