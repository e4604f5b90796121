"""Network calls off the main thread, their results back on it: one worker thread and a queue the main thread drains.

Slicer's MRML scene and Qt widgets may only be touched from the main thread, and a gRPC call can take seconds.
The Widget drains `tick()` from a qt.QTimer; tests drain it themselves. No Qt here.

Why `tick()` waits a little: Slicer runs PythonQt without thread support, so its main thread holds Python's lock
(the GIL) while Qt waits for events. The worker (and grpcio's own Python threads) can only run while the main thread
is inside Python code that lets the lock go. A tick that only looks at the queue lets a streamed reply wait a whole
timer period per message (1.3-1.5 s for a 10-message stream at 50 ms). So while a job is busy the timer fires every
BUSY_INTERVAL_MS and each tick blocks on the queue for up to WAIT_S, lock released: whatever has arrived meanwhile is
read, parsed and handed over inside that window. Idle, the timer slows to IDLE_INTERVAL_MS and ticks do not wait.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Optional

# Measured with tests/test_latency_under_lock.py (figures in docs/slicer.md).
BUSY_INTERVAL_MS = 5
IDLE_INTERVAL_MS = 100
WAIT_S = 0.002


class BackgroundJobs:
    """Runs jobs one at a time, in order, on one worker thread; callbacks run wherever `poll()` is called."""

    def __init__(self):
        self._jobs: "queue.Queue[Optional[tuple]]" = queue.Queue()
        self._callbacks: "queue.Queue[tuple]" = queue.Queue()
        self._pending = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._run, name="oaims-network", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Jobs queued, running, or finished but not yet reported by `poll()` (a job counts until its callback ends)."""
        with self._lock:
            return self._pending

    @property
    def busy(self) -> bool:
        return self.pending > 0

    def submit(self, work: Callable[["JobContext"], Any], on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]):
        """Queues `work(context)` for the worker; `on_done(result)` or `on_error(exception)` later runs in `poll()`.

        `work` may call `context.post(callback, *args)` to have progress shown on the main thread meanwhile.
        """
        with self._lock:
            self._pending += 1
        self._jobs.put((work, on_done, on_error))

    def post(self, callback: Callable, *args):
        """Queues a callback for the main thread (callable from any thread)."""
        self._callbacks.put((callback, args))

    def poll(self) -> int:
        """Runs every callback queued so far on the calling thread (the main thread); returns how many ran."""
        count = 0
        while True:
            try:
                callback, args = self._callbacks.get_nowait()
            except queue.Empty:
                return count
            try:
                callback(*args)
            finally:
                count += 1

    def tick(self, wait_s: float = WAIT_S) -> int:
        """One timer tick on the main thread: while a job is busy, runs the callbacks that arrive within `wait_s`,
        waiting for them with the lock released (see the module doc); then runs any still queued.

        Returns the interval in ms the timer should use until the next tick.
        """
        if self.busy and wait_s > 0:
            deadline = time.monotonic() + wait_s
            while self.busy:  # the whole window: a reply may need several threads to run in turn before it is queued
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    callback, args = self._callbacks.get(timeout=remaining)
                except queue.Empty:
                    break
                callback(*args)
        self.poll()
        return BUSY_INTERVAL_MS if self.busy else IDLE_INTERVAL_MS

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Runs callbacks until every submitted job has finished and been reported (for tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            with self._lock:
                if self._pending == 0:
                    return True
                self._idle.wait(0.02)
        return False

    def stop(self):
        """Lets the worker finish its current job and end; queued jobs still run first."""
        self._jobs.put(None)

    @property
    def running(self) -> bool:
        """Whether the worker thread is still alive (False once `stop()` took effect)."""
        return self._thread.is_alive()

    def _run(self):
        while True:
            item = self._jobs.get()
            if item is None:
                return
            work, on_done, on_error = item
            try:
                result = work(JobContext(self))
            except BaseException as error:  # reported on the main thread, never lost on the worker
                self._callbacks.put((self._finish, (on_error, error)))
            else:
                self._callbacks.put((self._finish, (on_done, result)))

    def _finish(self, callback, value):
        try:
            callback(value)
        finally:
            with self._lock:
                self._pending -= 1
                self._idle.notify_all()


class JobContext:
    """What a running job may do besides computing: post callbacks to the main thread."""

    def __init__(self, jobs: BackgroundJobs):
        self._jobs = jobs

    def post(self, callback: Callable, *args):
        self._jobs.post(callback, *args)
