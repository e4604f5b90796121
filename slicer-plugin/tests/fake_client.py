"""A stand-in for oaims_client.Client with the same calls, answering at once: for Logic tests that need no server.

A click marks a 3x3 square around the voxel on its slice (or clears it for a negative click); every call records
which thread made it.
"""

from __future__ import annotations

import threading

import numpy as np

from oaims_client import masks
from oaims_client.errors import OaimsError
from oaims_client.results import (AdaptationStep, Capabilities, ClickResult, CommitResult, ImageRef, Latency, ModelInfo,
                                  SessionInfo, UndoResult, VersionHistory, WorkspaceInfo)


class FakeClient:
    def __init__(self):
        self.threads = []
        self.uploads = []
        self.sessions = []
        self.resets = []
        self.rollbacks = []
        self.closed = False
        self.fail_click = None
        # Mask events streamed before the final delta, as a server that sends a first mask after the forward pass
        # then a refined one does: each a function (session mask after the click, box) -> MaskDelta.
        self.first_masks = []
        self.fail_after_masks = None

    def _called(self):
        self.threads.append(threading.current_thread())

    def capabilities(self):
        self._called()
        model = ModelInfo("brain-flair", "brain-lesion", ("background", "lesion"), 1, 256)
        return Capabilities("0.1.0-test", "cpu", (model,), ("mi", "pi+mi"), ("brain-flair",), False, {"upload_chunk_bytes": 1024})

    def upload(self, payload, name="", progress=None):
        self._called()
        self.uploads.append(payload)
        if progress:
            progress(payload.nbytes // 2, payload.nbytes)
            progress(payload.nbytes, payload.nbytes)
        return ImageRef(payload.fingerprint, payload.dims, payload.channels, len(self.uploads) > 1, payload.nbytes, name)

    def open_session(self, image, workspace, target_class=1, initial_mask=None, field_of_view=0):
        self._called()
        session = FakeSession(self, image.image_id, workspace, target_class, self.uploads[-1].dims)
        session.field_of_view = field_of_view
        if initial_mask is not None:
            session.initial_mask = initial_mask.copy()
            session.mask = initial_mask.copy()
        self.sessions.append(session)
        return session

    def workspace(self, name):
        self._called()
        return WorkspaceInfo(name, "brain-flair", "pi+mi", 1e-4, 42, 0, 0)

    def reset(self, workspace):
        self._called()
        self.resets.append(workspace)
        return WorkspaceInfo(workspace, "brain-flair", "pi+mi", 1e-4, 99, 0, 0)

    def rollback(self, workspace, version):
        self._called()
        self.rollbacks.append((workspace, version))
        return WorkspaceInfo(workspace, "brain-flair", "pi+mi", 1e-4, 100, 0, 0)

    def versions(self, workspace):
        self._called()
        return VersionHistory((), 0)

    def close(self):
        self.closed = True


class FakeSession:
    def __init__(self, client, image_id, workspace, target_class, dims):
        self.client = client
        i, j, k = dims
        self.info = SessionInfo(f"s{len(client.sessions) + 1}", workspace, image_id, target_class, dims, 60, None, 1, 0, False)
        self.mask = np.zeros((k, j, i), dtype=np.uint8)
        self.undo_stack = []
        self.clicks = []
        self.version = 1
        self.committed = False
        self.closed = False
        self.initial_mask = None  # as open_session received it
        self.field_of_view = 0  # as open_session received it
        self.final_mask = None  # (final_mask, base) as commit received them

    @property
    def id(self):
        return self.info.session_id

    def click(self, axis, voxel, positive=True, class_index=None, on_step=None, on_first_mask=None):
        events = self.iter_click(axis, voxel, positive, class_index, on_first_mask)
        while True:
            try:
                step = next(events)
            except StopIteration as finished:
                return finished.value
            if on_step:
                on_step(step)

    def iter_click(self, axis, voxel, positive=True, class_index=None, on_first_mask=None):
        """As Session.iter_click: calls on_first_mask(delta) for each of self.client.first_masks before any step, then
        yields each step; returns the ClickResult."""
        self.client._called()
        if self.client.fail_click:
            raise self.client.fail_click
        self.clicks.append((axis, tuple(voxel), positive))
        i, j, k = voxel
        before = self.mask.copy()
        box = [max(i - 1, 0), max(j - 1, 0), max(k - 1, 0), min(i + 1, self.mask.shape[2] - 1),
               min(j + 1, self.mask.shape[1] - 1), min(k + 1, self.mask.shape[0] - 1)]
        box[axis], box[axis + 3] = voxel[axis], voxel[axis]  # only the clicked slice changes
        x0, y0, z0, x1, y1, z1 = box
        self.mask[z0:z1 + 1, y0:y1 + 1, x0:x1 + 1] = self.info.target_class if positive else 0
        self.undo_stack.append(before)
        for first_mask in self.client.first_masks:
            if on_first_mask:
                on_first_mask(first_mask(before, self.mask, tuple(box)))
        if self.client.fail_after_masks:  # the server fails after streaming a mask: nothing of the click stays
            self.mask = self.undo_stack.pop()
            self.clicks.pop()
            raise self.client.fail_after_masks
        steps = []
        for index in range(2):
            self.version += 1
            step = AdaptationStep(index, "mi", 0.5 / (len(self.clicks) + index), 3.0, self.version, True)
            steps.append(step)
            yield step
        delta = masks.encode(self.mask, tuple(box))
        return ClickResult(tuple(steps), delta, axis, voxel[axis], len(self.clicks), self.version, Latency(total_ms=7.0), 8.0)

    def undo(self):
        self.client._called()
        if not self.undo_stack:
            return UndoResult(False, masks.MaskDelta(None, masks.BIT_PACKED, b""), self.version, 0)
        self.mask = self.undo_stack.pop()
        self.clicks.pop()
        self.version += 1
        return UndoResult(True, masks.encode(self.mask), self.version, len(self.clicks))

    def commit(self, on_step=None, final_mask=None, base=None):
        self.client._called()
        self.committed = True
        if final_mask is not None:
            self.final_mask = (final_mask.copy(), None if base is None else base.copy())
            self.mask = final_mask.copy()
        steps = [AdaptationStep(0, "pi-stage1", 0.2, 5.0, self.version + 1, True)]
        for step in steps:
            if on_step:
                on_step(step)
        return CommitResult(tuple(steps), self.version + 1, 1, Latency(total_ms=5.0))

    def heartbeat(self):
        self.client._called()
        return self.info

    def close(self):
        if self.closed:
            raise OaimsError("NOT_FOUND", "No such session.")
        self.closed = True


class Recorder:
    """A listener that keeps every event with its thread."""

    def __init__(self):
        self.events = []

    def __getattr__(self, name):
        if not name.startswith("on_"):
            raise AttributeError(name)
        return lambda *args: self.events.append((name[3:], args, threading.current_thread()))

    def named(self, name):
        return [args for event, args, _ in self.events if event == name]

    def errors(self):
        return [args[0] for args in self.named("error")]
