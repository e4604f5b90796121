"""How soon a streamed reply shows in Slicer, measured with Slicer's lock behaviour simulated.

Slicer runs PythonQt without thread support: its main thread holds Python's lock (the GIL) while Qt waits for the
next event, and runs Python only inside slots (here: the module's pump timer). `SlicerEventLoop` does the same: it
waits for the timer's next timeout inside a C call made through ctypes.PyDLL, which keeps the lock, as Qt's event
wait does, then runs the timer's slot. The server (streaming_server.py) runs in its own process and stamps every
event with the moment it sent it; the listener notes when the Logic hands each one to the panel.

Figures (docs/slicer.md quotes them) are printed with `pytest -s`.
"""

import ctypes
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from fake_slicer import FakeSlicer, VolumeNode
from OAIMSLib.jobs import BackgroundJobs
from OAIMSLib.logic import OAIMSLogic, VolumeWork
from OAIMSLib.segment_target import SegmentTarget

STEPS, GAP_MS = 10, 10
TARGET_MS = 30
_HOLDING_THE_LOCK = ctypes.PyDLL(None).usleep  # PyDLL: the call keeps the GIL, as Qt's wait under PythonQt does


def now_ms():
    return time.monotonic() * 1000.0


class SlicerEventLoop:
    """The main thread as Slicer runs it: the lock held while waiting for the timer, Python only in its slot.
    `slot()` returns the interval in ms until the next timeout, as the Widget's pump sets it."""

    def __init__(self, slot):
        self.slot = slot

    def run_until(self, finished, seconds):
        deadline = time.monotonic() + seconds
        due = time.monotonic()
        while not finished() and time.monotonic() < deadline:
            wait = due - time.monotonic()
            if wait > 0:
                _HOLDING_THE_LOCK(int(wait * 1e6))
            due = time.monotonic() + self.slot() / 1000.0
        return finished()


class Timing:
    """A listener that notes how long after its sending each step and the click's summary reached it."""

    def __init__(self):
        self.steps, self.done_ms, self.errors = [], None, []

    def on_step(self, record, step):
        self.steps.append(now_ms() - step.milliseconds)

    def on_click_done(self, record, result):
        self.done_ms = now_ms() - result.latency.queue_ms

    def on_error(self, sentence):
        self.errors.append(sentence)


@pytest.fixture(scope="module")
def paced_server():
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("streaming_server.py")), str(STEPS), str(GAP_MS)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line.startswith("PORT "), line
    yield f"http://127.0.0.1:{line.split()[1]}"
    process.stdin.close()
    process.wait(10)


def click_under_the_lock(url, slot_of):
    """One click through the real client and the Logic, its replies pumped by `slot_of(logic)` under the lock."""
    from oaims_client.client import Client, Session
    from oaims_client.results import SessionInfo
    scene, listener = FakeSlicer(), Timing()
    logic = OAIMSLogic(slicer=scene, vtk=scene.vtk, jobs=BackgroundJobs(), listener=listener)
    client = Client.connect(url)
    try:
        ijk_to_ras = np.eye(4)
        node = scene.add(VolumeNode(np.zeros((4, 5, 6), np.int16), ijk_to_ras, "paced"))
        target = SegmentTarget.prepare(scene, scene.vtk, node, None, "", "lesion")
        session = Session(client, SessionInfo("s1", "paced", "image", 1, (6, 5, 4), 60, None, 0, 0, False))
        logic.client = client
        logic.work = VolumeWork(node, target, "paced", 1, ijk_to_ras, (6, 5, 4), session=session,
                                mask=np.zeros((4, 5, 6), np.uint8))
        started = time.monotonic()
        logic.click_at((3.0, 2.0, 1.0), True)
        assert SlicerEventLoop(slot_of(logic)).run_until(lambda: listener.done_ms is not None or listener.errors, 20), \
            "the click did not finish under the lock"
        assert not listener.errors, listener.errors
        return listener, (time.monotonic() - started) * 1000.0
    finally:
        logic.jobs.stop()
        client.close()


def report(name, runs):
    """Prints the figures of `runs` ((listener, total ms) per click); returns every step's and summary's delay, sorted."""
    steps = sorted(ms for listener, _ in runs for ms in listener.steps)
    dones = sorted(listener.done_ms for listener, _ in runs)
    p90 = steps[int(0.9 * (len(steps) - 1))]
    print(f"{name}, {len(runs)} clicks of {STEPS} steps {GAP_MS} ms apart: a step shows after median "
          f"{statistics.median(steps):.1f} ms (90th percentile {p90:.1f}, max {steps[-1]:.1f}); the summary after median "
          f"{statistics.median(dones):.1f} ms; a click takes median {statistics.median(t for _, t in runs):.0f} ms in all")
    return steps, dones


def test_a_streamed_reply_shows_within_30_ms_of_its_sending_while_slicer_holds_the_lock(paced_server):
    # The median, not the maximum, is held to the target: on a loaded machine the scheduler alone adds outliers.
    runs = [click_under_the_lock(paced_server, lambda logic: logic.jobs.tick) for _ in range(3)]
    steps, dones = report("adaptive pump", runs)
    assert len(steps) == 3 * STEPS
    assert statistics.median(steps) < TARGET_MS and statistics.median(dones) < TARGET_MS


def test_the_simulation_holds_the_lock_a_fixed_50_ms_poll_shows_steps_late(paced_server):
    """The control: the module's former pump (poll the queue every 50 ms, never let the lock go) under the same loop.
    Were the simulation not holding the lock, this one would be fast too."""

    def former_pump(logic):
        def slot():
            logic.jobs.poll()
            return 50
        return slot

    steps, _ = report("former pump (50 ms poll)", [click_under_the_lock(paced_server, former_pump)])
    # Steps 10 ms apart polled every 50 ms wait 10 to 50 ms, so the median sits at the target itself and flips with the
    # scheduler; the late tail is what holding the lock leaves: the step sent just after a poll waits for the next one.
    assert steps[int(0.9 * (len(steps) - 1))] > TARGET_MS
