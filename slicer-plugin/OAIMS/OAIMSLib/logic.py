"""OAIMSLogic: the module's work without Qt. It reads volumes and writes segments through the `slicer` module it is
given (a small fake in tests), runs every network call on a worker thread, and reports to a listener on the main
thread (whoever drains `jobs.tick()`): on_connected, on_upload_progress, on_session_started, on_step, on_mask,
on_click_done, on_click_refused, on_undone, on_hand_edits, on_committed, on_model_reset, on_model_restored,
on_workspace_created, on_versions, on_propagation, on_propagation_ended, on_session_ended, on_busy and
on_error(sentence). Every exception a Slicer call
raises on the main thread ends in on_error too, never in a traceback on the console.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional, Sequence

import numpy as np

from oaims_client import geometry
from oaims_client.errors import OaimsError
from oaims_client.images import ImagePayload
from oaims_client.masks import MaskDelta
from oaims_client.results import PropagatedSlice

from . import volumes
from .dependencies import DependencyError, ensure_installed
from .errors import LogicError
from .history import ClickHistory
from .jobs import BackgroundJobs
from .propagation import PropagationRun, Proposals
from .segment_target import SegmentTarget, ijk_to_ras, matrix_between
from .settings import ServerSettings

log = logging.getLogger("OAIMS")


@dataclass
class VolumeWork:
    """The volume being segmented: its nodes, its geometry in world RAS, the server session, and the mask so far."""

    volume_node: Any
    target: SegmentTarget
    workspace: str
    target_class: int
    ijk_to_world: np.ndarray
    dims: tuple  # (i, j, k)
    image: Any = None
    session: Any = None
    mask: Optional[np.ndarray] = None  # [k, j, i], the server's labels as the deltas built them
    before_click: Optional[np.ndarray] = None  # the mask when the click in progress started
    shown_box: Optional[tuple] = None  # the box the click in progress last wrote
    proposals: Proposals = field(default_factory=Proposals)  # propagated slices not yet clicked or accepted
    accepted_slices: set = field(default_factory=set)  # (axis, slice) accepted on the server: never accepted twice

    @property
    def segmentation_node(self):
        return self.target.segmentation_node

    @property
    def segment_id(self) -> str:
        return self.target.segment_id


def _default_connect(url, token, root_certificates):
    from oaims_client.client import Client  # imports grpc: only once the dependencies are in
    return Client.connect(url, token=token or None, root_certificates=root_certificates)


class OAIMSLogic:
    """Connect, upload a volume once, turn points into clicks, write the returned deltas into a segment."""

    def __init__(self, slicer=None, vtk=None, connect: Optional[Callable] = None, jobs: Optional[BackgroundJobs] = None,
                 listener=None):
        if slicer is None:
            import slicer  # noqa: F811  (inside Slicer; tests pass a fake)
        if vtk is None:
            import vtk  # noqa: F811
        self.slicer = slicer
        self.vtk = vtk
        self.listener = listener
        self.jobs = jobs or BackgroundJobs()
        self._connect = connect or _default_connect
        self.client = None
        self.capabilities = None
        self.work: Optional[VolumeWork] = None
        self.history = ClickHistory()
        self.reset_undo = None  # (workspace, version the last reset replaced)
        self.propagation: Optional[PropagationRun] = None  # the propagation running, one at a time

    # --- settings ----------------------------------------------------------------------------------------------

    def load_settings(self) -> ServerSettings:
        return ServerSettings.load(self.slicer.app.settings())

    def save_settings(self, settings: ServerSettings, remember_token: bool = True):
        settings.save(self.slicer.app.settings(), remember_token)

    # --- connect -----------------------------------------------------------------------------------------------

    def ensure_dependencies(self) -> bool:
        """Installs grpcio/protobuf with pip on first use (main thread; blocks while pip runs)."""
        return ensure_installed(self.slicer)

    def connect(self, settings: ServerSettings):
        """Installs what is missing, then connects off the main thread; on_connected(capabilities) follows."""
        try:
            self.ensure_dependencies()
        except DependencyError as error:
            self._notify("error", str(error))
            return

        def work(ctx):
            certificates = None
            if settings.ca_certificate:
                try:
                    with open(settings.ca_certificate, "rb") as f:
                        certificates = f.read()
                except OSError as error:
                    raise LogicError(f"Cannot read the CA certificate {settings.ca_certificate}: {error.strerror}.")
            client = self._connect(settings.url, settings.token, certificates)
            return client, client.capabilities()

        def done(result):
            if self.client is not None:
                self.client.close()
            self.client, self.capabilities = result
            self.work = None
            self._notify("connected", self.capabilities)

        self._submit(work, done)

    @property
    def connected(self) -> bool:
        return self.client is not None

    # --- scene reads -------------------------------------------------------------------------------------------

    def volume_ijk_to_world(self, volume_node) -> np.ndarray:
        """The volume's IJK -> world RAS matrix, its parent transforms included (they must be linear)."""
        to_world = matrix_between(self.slicer, self.vtk, volume_node.GetParentTransformNode(), None,
                                  f"The volume '{volume_node.GetName()}'")
        return to_world @ ijk_to_ras(self.slicer, self.vtk, volume_node)

    def segment_has_content(self, segmentation_node, segment_id, volume_node) -> bool:
        """Whether the segment already holds voxels (a session keeps them outside the boxes its clicks change).

        A segment Slicer cannot export (e.g. a closed-surface segmentation) counts as empty here; Start says why."""
        if segmentation_node is None or not segment_id or volume_node is None:
            return False
        try:
            if segmentation_node.GetSegmentation().GetSegment(segment_id) is None:
                return False
            array = self.slicer.util.arrayFromSegmentBinaryLabelmap(segmentation_node, segment_id, volume_node)
        except Exception as error:  # a Slicer RuntimeError: Start reports the reason
            log.info("OAIMS: cannot read segment %s: %s", segment_id, error)
            return False
        return array is not None and bool(np.any(array))

    def next_volume(self, current):
        """The segmentable volume after `current` in the scene (see volumes.py), or None at the end."""
        candidates = volumes.segmentable(self.slicer)
        ids = [n.GetID() for n in candidates]
        if current is None or current.GetID() not in ids:
            return candidates[0] if candidates else None
        at = ids.index(current.GetID())
        return candidates[at + 1] if at + 1 < len(candidates) else None

    # --- a volume ---------------------------------------------------------------------------------------------

    def start(self, volume_node, segmentation_node=None, segment_id: str = "", workspace: str = "", target_class: int = 1,
              from_segment: bool = False, field_of_view: int = 0):
        """Uploads the volume (free when the server already has it) and opens a session; on_session_started follows.

        The chosen segment is kept as it is: clicks replace it only inside the boxes their masks change. With
        `from_segment`, its voxels also travel as the session's first mask, so the server starts from them (the base
        its clicks change, and what it learns from at Accept). With no segmentation or segment chosen, one is
        created. Nothing of the user's scene is moved. `field_of_view` (pixels, 0 = the whole slice): each slice's first
        click centres a square the model works in (OpenSession.field_of_view)."""
        try:
            self._require_client()
            volumes.check(volume_node)
            workspace = workspace or self._default_workspace()
            ijk_to_world = self.volume_ijk_to_world(volume_node)
            # A copy: the worker reads it while the scene may change the node's own array.
            voxels = np.array(self.slicer.util.arrayFromVolume(volume_node), copy=True)
            if voxels.ndim != 3 or voxels.size == 0:
                raise LogicError(f"The volume '{volume_node.GetName()}' has no 3D voxel array.")
            target = SegmentTarget.prepare(self.slicer, self.vtk, volume_node, segmentation_node, segment_id, self._segment_name())
            initial = self._segment_as_mask(target, volume_node, voxels.shape, target_class) if from_segment else None
        except Exception as error:  # LogicError, or a Slicer call's own exception
            self._report(error)
            return
        depth, height, width = voxels.shape
        work = VolumeWork(volume_node, target, workspace, target_class, ijk_to_world, (width, height, depth))
        payload = ImagePayload.from_array(voxels, ijk_to_world)
        client, name = self.client, volume_node.GetName()
        self.end_session()

        def job(ctx):
            image = client.upload(payload, name=name, progress=lambda sent, total: ctx.post(self._notify, "upload_progress", sent, total))
            return image, client.open_session(image, workspace, target_class, initial_mask=initial, field_of_view=field_of_view)

        def done(result):
            work.image, work.session = result
            work.mask = np.zeros((depth, height, width), dtype=np.uint8) if initial is None else initial
            self.work = work
            self.history.clear()
            self._notify("session_started", work)

        self._submit(job, done)

    def _segment_as_mask(self, target: SegmentTarget, volume_node, shape, target_class: int) -> Optional[np.ndarray]:
        """The segment's voxels as class labels in the volume's grid (one export), or None when it holds none."""
        segment = target.read(volume_node)
        if segment.shape != shape:
            raise LogicError(f"The segment could not be read in the grid of '{volume_node.GetName()}' "
                             f"({segment.shape} instead of {shape}); start without it.")
        if not segment.any():
            return None
        return np.where(segment != 0, target_class, 0).astype(np.uint8)

    def end_session(self):
        """Forgets the volume in progress (scene closed, another volume started): its session closes on the server."""
        old, self.work = self.work, None
        self.history.clear()
        if old is not None and old.session is not None:
            session = old.session
            self.jobs.submit(lambda ctx: _close_quietly(session), lambda _: None,
                             lambda error: log.info("OAIMS: closing a session: %s", error))
            self._notify("session_ended", old)

    def click_at(self, ras: Sequence[float], positive: bool, views: Sequence[geometry.SliceView] = (),
                 preferred_view: Optional[str] = None, axis: Optional[int] = None):
        """A point placed at world `ras` becomes a click on the voxel under it, on the slice axis of the view it was
        placed in (see geometry.slice_axis). Returns the click's record, or None when it is refused at once (then
        on_error says why). The first mask is shown as soon as it arrives (on_mask, before any step), then each adaptation
        step (on_step), then the click's last mask replaces the first (on_click_done(record, result): the refined mask
        when the steps changed the weights); on_click_refused(record) and on_error when the call fails."""
        work = self.work
        try:
            if work is None or work.session is None:
                raise LogicError("Start a volume first (Start), then place points.")
            voxel = geometry.voxel_at(work.ijk_to_world, ras, work.dims)
            if voxel is None:
                raise LogicError("The point lies outside the volume.")
            if axis is None:
                axis = geometry.slice_axis(work.ijk_to_world, ras, views, preferred_view)
        except LogicError as error:
            self._notify("error", str(error))
            return None
        record = self.history.start(positive, axis, voxel)
        session = work.session

        def job(ctx):
            # The Interact stream in the order the user sees it: the first mask (one forward pass with the new click)
            # is posted the moment it arrives, so it is shown before any adaptation step; the steps follow as they
            # stream; done() then shows the click's last mask, the refined one when the steps changed the weights.
            def first_mask(delta):
                ctx.post(self._on_first_mask, work, record, delta)

            events = session.iter_click(axis, voxel, positive, on_first_mask=first_mask)
            while True:
                try:
                    step = next(events)
                except StopIteration as finished:
                    return finished.value
                ctx.post(self._on_step, record, step)

        def done(result):
            record.total_ms = result.latency.total_ms or result.round_trip_ms
            record.model_version = result.model_version
            if self.work is work:
                work.proposals.discard(axis, voxel[axis])  # a click on a proposal corrects it: the slice is the user's
                try:
                    self._show_click_mask(work, result.delta)
                finally:
                    work.before_click, work.shown_box = None, None  # the next click starts from here
            self._notify("click_done", record, result)

        def failed(error):
            if record in self.history.clicks:
                self.history.clicks.remove(record)
            try:
                if self.work is work and work.before_click is not None:
                    self._show_click_mask(work, None)  # back to the mask before the refused click
            finally:
                work.before_click, work.shown_box = None, None
                self._notify("click_refused", record)
                self._report(error)

        self._submit(job, done, failed)
        return record

    def _on_step(self, record, step):
        record.steps.append(step)
        self._notify("step", record, step)

    def _on_first_mask(self, work, record, delta):
        if self.work is work:
            self._show_click_mask(work, delta)
            self._notify("mask", record, delta)

    def propagate(self):
        """Proposes the neighbours of the last click's slice, down then up until the structure ends, with the server's
        Propagate; each slice is written into the segment as it arrives (on_propagation(run) after each) and stays a
        proposal (work.proposals) until the user clicks it. The start slice is accepted first, once: the model learns
        from it before proposing. on_propagation_ended(run, result) follows, with result None after on_error.

        One propagation at a time, and it cannot be cancelled: the client's stream has no cancel handle, and the server
        would finish the slices (writing them into its mask) anyway; the panel disables Propagate while one runs."""
        work = self._session_work()
        if work is None:
            return
        if self.propagation is not None:
            self._notify("error", "A propagation is running: wait for it to finish.")
            return
        if not self.history.clicks:
            self._notify("error", "Click the structure on a slice first: Propagate starts from the slice of your last click.")
            return
        last = self.history.clicks[-1]
        axis, start = last.axis, last.voxel[last.axis]
        run = PropagationRun(axis, start, accept_first=(axis, start) not in work.accepted_slices)
        self.propagation = run
        session = work.session

        def job(ctx):
            events = session.iter_propagate(axis, start, accept_first=run.accept_first)
            while True:
                try:
                    event = next(events)
                except StopIteration as finished:
                    return finished.value
                ctx.post(self._on_propagation_event, work, run, event)

        def ended(result):
            self.propagation = None
            self._notify("propagation_ended", run, result)

        def failed(error):
            try:
                self._report(error)
            finally:
                ended(None)

        self._submit(job, ended, failed)
        self._notify("propagation", run)

    def _on_propagation_event(self, work: VolumeWork, run: PropagationRun, event):
        """One step of the start slice's acceptance, or one slice (written into the segment at once)."""
        if run.accept_first:  # anything streamed means the server accepted the start slice
            work.accepted_slices.add((run.axis, run.start))
        if isinstance(event, PropagatedSlice):
            run.add_slice(event)
            if self.work is work:
                self._apply(work, event.delta)
                if event.proposal:
                    work.proposals.add(event.axis, event.slice)
                else:
                    work.proposals.discard(event.axis, event.slice)
        else:
            run.steps.append(event)
        self._notify("propagation", run)

    def undo(self):
        """Takes back the last click (mask and weight update); on_undone(result) follows."""
        work = self._session_work()
        if work is None:
            return

        def done(result):
            if result.undone:
                self.history.drop_last()
                if self.work is work:
                    self._apply(work, result.delta)
            self._notify("undone", result)

        self._submit(lambda ctx: work.session.undo(), done)

    def accept(self):
        """Commits the segment as the user left it (post-interaction adaptation, streamed as on_step(None, step)) and
        closes the session.

        The segment is left as the user made it. When its voxels differ from the server's mask (edits made by hand,
        e.g. in the Segment Editor), on_hand_edits(voxels) says how many, and the edited mask travels with the
        commit (only the box around the edits), so the model learns from what the user accepted."""
        work = self._session_work()
        if work is None:
            return
        final, edits = self.accepted_mask(work)
        self._notify("hand_edits", edits)

        def job(ctx):
            on_step = lambda step: ctx.post(self._on_commit_step, step)  # noqa: E731
            if final is None:
                result = work.session.commit(on_step=on_step)
            else:
                result = work.session.commit(on_step=on_step, final_mask=final, base=work.mask)
            _close_quietly(work.session)
            return result

        def done(result):
            if self.work is work:
                self.work = None
            self._notify("committed", result)

        self.history.commit_steps = []
        self._submit(job, done)

    def accepted_mask(self, work: VolumeWork):
        """The server's mask with the segment's hand edits in it, and how many voxels they are: (None, 0) when the
        segment equals the server's mask or cannot be read (one export of the segment; a failure is only logged).
        Labels of other classes the server's mask holds stay; the segment decides only where the target class is."""
        try:
            segment = work.target.read(work.volume_node)
        except Exception as error:  # a Slicer export failure must not stop the commit
            log.info("OAIMS: cannot read the segment to compare: %s", error)
            return None, 0
        if segment.shape != work.mask.shape:
            return None, 0
        inside, target = segment != 0, work.mask == work.target_class
        edits = int(np.count_nonzero(inside != target))
        if edits == 0:
            return None, 0
        final = work.mask.copy()
        final[inside & ~target] = work.target_class
        final[~inside & target] = 0
        return final, edits

    def _on_commit_step(self, step):
        self.history.commit_steps.append(step)
        self._notify("step", None, step)

    def reset_model(self, workspace: str = ""):
        """Back to the source weights (a new version); on_model_reset(workspace_info) follows. The version it
        replaced is remembered, so that `undo_reset` can bring it back."""
        if not self._check_client():
            return
        try:
            name = self._workspace_or_current(workspace)
        except LogicError as error:
            self._report(error)
            return
        client = self.client

        def job(ctx):
            before = client.workspace(name).model_version
            return before, client.reset(name)

        def done(result):
            before, info = result
            self.reset_undo = (name, before)
            self._notify("model_reset", info)

        self._submit(job, done)

    def create_workspace(self, name: str, from_workspace: str = ""):
        """A new workspace named `name` from the source model of `from_workspace` (else the current one), with the
        server's default strategy and rate; it learns apart from every other workspace. on_workspace_created(info)
        follows."""
        if not self._check_client():
            return
        name = (name or "").strip()
        if not name:
            self._notify("error", "Type a name for the new workspace first.")
            return
        try:
            source = self._workspace_or_current(from_workspace)
        except LogicError as error:
            self._report(error)
            return
        client = self.client

        def job(ctx):
            return client.create_workspace(name, client.workspace(source).model)

        def done(info):
            if info.name not in self.capabilities.workspaces:
                self.capabilities = replace(self.capabilities, workspaces=self.capabilities.workspaces + (info.name,))
            self._notify("workspace_created", info)

        self._submit(job, done)

    def undo_reset(self):
        """Restores the version the last Reset replaced (the workspace's rollback: a new version with its weights);
        on_model_restored(workspace_info) follows."""
        if not self._check_client():
            return
        if self.reset_undo is None:
            self._notify("error", "There is no reset to undo.")
            return
        (name, version), client = self.reset_undo, self.client

        def done(info):
            self.reset_undo = None
            self._notify("model_restored", info)

        self._submit(lambda ctx: client.rollback(name, version), done)

    def load_versions(self, workspace: str = ""):
        """Asks for the workspace's version history; on_versions(history) follows."""
        if not self._check_client():
            return
        name = self._workspace_or_current(workspace)
        client = self.client
        self._submit(lambda ctx: client.versions(name), lambda history: self._notify("versions", history))

    def keep_alive(self):
        """Renews the session's lease while the user is idle; a failure is only logged (the next click reports it)."""
        work = self.work
        if work is None or work.session is None or self.jobs.busy:
            return
        self.jobs.submit(lambda ctx: work.session.heartbeat(), lambda info: None,
                         lambda error: log.info("OAIMS heartbeat failed: %s", error))

    def shutdown(self):
        """Closes the session and the connection (module cleanup, Reload); the worker thread ends after that job."""
        work, client = self.work, self.client
        self.work, self.client = None, None

        def job(ctx):
            if work is not None and work.session is not None:
                _close_quietly(work.session)
            if client is not None:
                client.close()

        self.jobs.submit(job, lambda _: None, lambda _: None)
        self.jobs.stop()

    # --- segment writes (main thread) --------------------------------------------------------------------------

    def _segment_name(self) -> str:
        model = self.capabilities.models[0] if self.capabilities and self.capabilities.models else None
        if model is not None and len(model.class_names) > 1:
            return model.class_names[1]
        return "OAIMS"

    def _apply(self, work: VolumeWork, delta):
        """Writes a delta into the mirror of the server's mask and into the segment, inside its box only."""
        if delta.is_empty:
            return
        delta.apply_to(work.mask)
        self._write_box(work, delta.slices)

    def _show_click_mask(self, work: VolumeWork, delta: Optional[MaskDelta]):
        """Shows one mask of the click in progress, replacing the one shown before it (the server may send a first
        mask, then a refined one; each is a change from the mask before the click). None shows that mask again."""
        if work.before_click is None:
            work.before_click = work.mask.copy()
        boxes = [box for box in (work.shown_box, None if delta is None or delta.is_empty else delta.slices) if box]
        if not boxes:
            return
        union = tuple(slice(min(b[axis].start for b in boxes), max(b[axis].stop for b in boxes)) for axis in range(3))
        work.mask[union] = work.before_click[union]
        if delta is not None:
            delta.apply_to(work.mask)
        work.shown_box = None if delta is None or delta.is_empty else delta.slices
        self._write_box(work, union)

    def _write_box(self, work: VolumeWork, box):
        work.target.write_box(work.mask[box] == work.target_class, box)

    # --- plumbing ----------------------------------------------------------------------------------------------

    def _workspace_or_current(self, workspace: str) -> str:
        """The named workspace, else the one being worked in, else the default for the connected model."""
        return workspace or (self.work.workspace if self.work else "") or self._default_workspace()

    def _default_workspace(self) -> str:
        if self.capabilities and self.capabilities.workspaces:
            return self.capabilities.workspaces[0]
        raise LogicError("The server has no workspace: start it with --models pointing at a model folder.")

    def _require_client(self):
        if self.client is None:
            raise LogicError("Connect to an OAIMS server first.")

    def _check_client(self) -> bool:
        try:
            self._require_client()
            return True
        except LogicError as error:
            self._notify("error", str(error))
            return False

    def _session_work(self) -> Optional[VolumeWork]:
        if self.work is None or self.work.session is None:
            self._notify("error", "There is no volume in progress: press Start first.")
            return None
        return self.work

    def _submit(self, work, on_done, on_error=None):
        self._notify("busy", True)

        def finished(callback):
            def run(value):
                try:
                    callback(value)
                except Exception as error:  # a Slicer call failed on the main thread: the user reads why
                    self._report(error)
                finally:
                    self._notify("busy", self.jobs.pending > 1)  # the job being reported still counts
            return run

        self.jobs.submit(work, finished(on_done), finished(on_error or self._report))

    def _report(self, error: BaseException):
        self._notify("error", user_sentence(error))

    def _notify(self, event: str, *args):
        handler = getattr(self.listener, "on_" + event, None)
        if handler is None:
            return
        try:
            handler(*args)
        except Exception as error:  # the panel failed to show something: say so once, never recursively
            log.exception("OAIMS: the panel failed on %s", event)
            if event != "error":
                self._notify("error", user_sentence(error))


def user_sentence(error: BaseException) -> str:
    """What the user reads for an exception: the server's sentence, our own, or a short line (never a traceback)."""
    if isinstance(error, OaimsError):
        return error.message if error.code in ("UNKNOWN", "") else f"{error.message} [{error.code}]"
    if isinstance(error, (LogicError, DependencyError)):
        return str(error)
    log.exception("OAIMS: unexpected error", exc_info=error)
    return f"Unexpected error: {error}. Details are in the Python console log."


def _close_quietly(session):
    try:
        session.close()
    except OaimsError as error:  # already expired or closed: nothing left to free
        log.info("OAIMS: closing session %s: %s", session.id, error)
