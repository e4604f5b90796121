"""The OAIMS client: connect, upload an image once, click in a session, and manage workspaces. No Slicer here."""

from __future__ import annotations

import dataclasses
import ipaddress
import ssl
import time
from datetime import datetime, timezone
from typing import Callable, Generator, Iterator, Optional, Tuple, Union
from urllib.parse import urlparse

import grpc
import numpy as np

from . import http_upload, masks
from .errors import OaimsError
from .generated import common_pb2, segmentation_pb2 as seg, segmentation_pb2_grpc, workspaces_pb2 as ws, workspaces_pb2_grpc
from .generated import propagation_pb2 as prop, propagation_pb2_grpc
from .images import ImagePayload
from .orientation import Reorientation
from .results import (AdaptationStep, Capabilities, ClickResult, CommitResult, ImageRef, Latency, ModelInfo, ModelVersion,
                      PropagatedSlice, PropagateResult,
                      SessionInfo, UndoResult, VersionHistory, WorkspaceInfo)

Progress = Callable[[int, int], None]
StepCallback = Callable[[AdaptationStep], None]
FirstMaskCallback = Callable[[masks.MaskDelta], None]

DEFAULT_CHUNK_BYTES = 1 << 20
# Generous: a click may queue behind other sessions' clicks on a CPU server.
UNARY_TIMEOUT_S = 60.0
STREAM_TIMEOUT_S = 600.0


def parse_target(url: str) -> Tuple[str, bool]:
    """'http://host:port' or 'host:port' -> (host:port, no TLS); 'https://host:port' -> (host:port, TLS)."""
    text = url.strip()
    if "://" not in text:
        return text, False
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https", "grpc", "grpcs"):
        raise OaimsError("INVALID_ARGUMENT", f"Unknown scheme '{parsed.scheme}' in {url}: use http:// or https://.")
    if not parsed.netloc:
        raise OaimsError("INVALID_ARGUMENT", f"No host in {url}.")
    tls = parsed.scheme in ("https", "grpcs")
    netloc = parsed.netloc if parsed.port else f"{parsed.netloc}:{443 if tls else 50051}"
    return netloc, tls


_DATA_TAG = bytes([seg.UploadImageRequest.DESCRIPTOR.fields_by_name["data"].number << 3 | 2])  # wire type 2: length-delimited


def encode_data_message(chunk: memoryview) -> bytes:
    """An UploadImageRequest with `data` = chunk, encoded by hand: one copy of the chunk, where building the message
    and serialising it (protobuf wants bytes, not a memoryview) copy it twice; a payload hundreds of MB long notices."""
    length, varint = chunk.nbytes, bytearray()
    while length > 0x7F:
        varint.append(length & 0x7F | 0x80)
        length >>= 7
    varint.append(length)
    return b"".join((_DATA_TAG, varint, chunk))


class Client:
    """A connection to one OAIMS server (a gRPC channel); every call raises OaimsError on failure."""

    def __init__(self, channel: grpc.Channel, token: Optional[str] = None, host: Optional[str] = None,
                 tls: Optional[ssl.SSLContext] = None):
        """`host` (the server's name or address, as the channel reaches it) enables the fast upload path when the server
        offers it; `tls` is the context that path's connection uses when the channel uses TLS."""
        self._channel = channel
        self._token = token
        self._host = host
        self._tls = tls
        self._fast_path_unreachable = False
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._segmentation = segmentation_pb2_grpc.SegmentationStub(channel)
        self._workspaces = workspaces_pb2_grpc.WorkspacesStub(channel)
        self._propagation = propagation_pb2_grpc.PropagationStub(channel)
        # UploadImage taking messages already encoded (see encode_data_message): the chunks are copied once, not twice.
        self._upload_encoded = channel.stream_unary("/oaims.v1.Segmentation/UploadImage", request_serializer=None,
                                                    response_deserializer=seg.ImageRef.FromString)
        self._capabilities: Optional[Capabilities] = None

    @classmethod
    def connect(cls, url: str, token: Optional[str] = None, root_certificates: Optional[bytes] = None,
                timeout: float = 10.0) -> "Client":
        """Opens a channel to `url` (https:// for TLS, optionally trusting `root_certificates` PEM bytes) and checks
        the server answers by asking its capabilities within `timeout` seconds."""
        target, tls = parse_target(url)
        options = [("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]
        if tls:
            channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=root_certificates), options)
        else:
            channel = grpc.insecure_channel(target, options)
        context = ssl.create_default_context(cadata=root_certificates.decode("ascii")) if tls and root_certificates else \
            ssl.create_default_context() if tls else None
        client = cls(channel, token, host=target.rsplit(":", 1)[0].strip("[]"), tls=context)
        try:
            client.capabilities(timeout=timeout)
        except OaimsError:
            channel.close()
            raise
        return client

    def close(self):
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- calls -------------------------------------------------------------------------------------------------

    def _call(self, method, request, timeout: float = UNARY_TIMEOUT_S):
        try:
            return method(request, metadata=self._metadata, timeout=timeout)
        except grpc.RpcError as error:
            raise OaimsError.from_rpc_error(error) from None

    def _stream(self, method, request, timeout: float = STREAM_TIMEOUT_S) -> Iterator:
        try:
            for event in method(request, metadata=self._metadata, timeout=timeout):
                yield event
        except grpc.RpcError as error:
            raise OaimsError.from_rpc_error(error) from None

    # --- server ------------------------------------------------------------------------------------------------

    def capabilities(self, timeout: float = UNARY_TIMEOUT_S) -> Capabilities:
        """The server's version, device, models, strategies, workspaces and limits (kept for the upload chunk size)."""
        reply = self._call(self._segmentation.GetCapabilities, seg.GetCapabilitiesRequest(), timeout)
        limits = {f.name: getattr(reply.limits, f.name) for f in reply.limits.DESCRIPTOR.fields}
        self._capabilities = Capabilities(
            server_version=reply.server_version, device=reply.device,
            models=tuple(ModelInfo(m.name, m.task, tuple(m.class_names), m.image_channels, m.input_size, dict(m.metrics))
                         for m in reply.models),
            strategies=tuple(reply.strategies), workspaces=tuple(reply.workspaces),
            token_required=reply.token_required, limits=limits, http_upload_port=reply.http_upload_port)
        return self._capabilities

    # --- images ------------------------------------------------------------------------------------------------

    def find_image(self, image_id: str) -> Optional[ImageRef]:
        """The image with this fingerprint when the server holds it, else None."""
        reply = self._call(self._segmentation.FindImage, seg.FindImageRequest(image_id=image_id))
        return _image_ref(reply.image) if reply.known else None

    def upload(self, voxels: Union[np.ndarray, ImagePayload], ijk_to_ras: Optional[np.ndarray] = None, name: str = "",
               progress: Optional[Progress] = None, chunk_bytes: Optional[int] = None, orientation: Optional[str] = "LPS",
               ask_first: Optional[bool] = None) -> ImageRef:
        """Uploads an image; content the server already holds is stored once (the reply says `already_known`).

        `voxels` is indexed [k, j, i] (or [k, j, i, c]); `progress(sent_bytes, total_bytes)` is called as chunks go.
        The voxels travel in `orientation` order (see orientation.py); sessions opened on the returned ImageRef take
        clicks and give masks in the caller's own order all the same.
        The bytes go over the server's fast upload endpoint when it offers one (Capabilities.http_upload_port), else
        over gRPC's UploadImage. `ask_first`: fingerprint the payload and ask the server for it before sending, so
        that a re-upload sends nothing (and the server checks the bytes against that fingerprint). None (the default):
        ask first except over the fast path to a server on this machine, where sending the bytes costs no more than
        hashing them and the server fingerprints them as they arrive.
        """
        payload = voxels if isinstance(voxels, ImagePayload) else ImagePayload.from_array(voxels, ijk_to_ras, orientation)
        port = self._http_upload_port()
        if ask_first is None:
            ask_first = not (port and _is_loopback(self._host))
        fingerprint = payload.fingerprint if ask_first else ""
        known = self.find_image(fingerprint) if ask_first else None
        if known is not None:
            if progress:
                progress(payload.nbytes, payload.nbytes)
            return dataclasses.replace(known, reorientation=payload.reorientation)
        header = seg.ImageHeader(dims=list(payload.dims), channels=payload.channels, voxel_type=payload.voxel_type,
                                 ijk_to_ras=list(payload.ijk_to_ras), fingerprint=fingerprint, name=name)
        if port:
            try:
                reply = http_upload.post_image(self._host, port, header, payload.data, self._token, self._tls, STREAM_TIMEOUT_S,
                                               progress, chunk_bytes)
                return dataclasses.replace(_image_ref(reply), reorientation=payload.reorientation)
            except http_upload.Unreachable:
                self._fast_path_unreachable = True  # gRPC reaches the server but this port does not: gRPC from now on
        size = chunk_bytes or self._chunk_bytes()

        def requests():
            yield seg.UploadImageRequest(header=header).SerializeToString()
            sent = 0
            for chunk in payload.chunks(size):
                yield encode_data_message(chunk)
                sent += chunk.nbytes
                if progress:
                    progress(sent, payload.nbytes)

        reply = self._call(self._upload_encoded, requests(), timeout=STREAM_TIMEOUT_S)
        return dataclasses.replace(_image_ref(reply), reorientation=payload.reorientation)

    def _http_upload_port(self) -> int:
        """The server's fast upload port; 0 when it offers none, this client does not know the server's host, or the
        port could not be reached before."""
        if not self._host or self._fast_path_unreachable:
            return 0
        return (self._capabilities or self.capabilities()).http_upload_port

    def _chunk_bytes(self) -> int:
        limits = (self._capabilities or self.capabilities()).limits
        size = limits.get("upload_chunk_bytes") or DEFAULT_CHUNK_BYTES
        ceiling = limits.get("max_message_bytes") or 0
        if ceiling:
            size = min(size, ceiling - 1024)  # room for the message's own framing
        return max(size, 1024)

    # --- sessions ----------------------------------------------------------------------------------------------

    def open_session(self, image: ImageRef, workspace: str, target_class: int = 1, lease_seconds: int = 0,
                     initial_mask: Optional[np.ndarray] = None, field_of_view: int = 0) -> "Session":
        """Starts segmenting an uploaded image with a workspace's model; positive clicks assert `target_class`.

        `image` is what upload (or find_image) returned: it carries the voxel order the session speaks, so a bare
        image id, which would silently mean the uploaded order, is refused. `initial_mask` (class labels [k, j, i],
        e.g. an existing segment as `target_class`) becomes the session's first mask: the base the clicks' deltas
        change. Only the box around its non-zero voxels travels. `field_of_view` (pixels, 0 = the whole slice): each
        slice's first click centres a square window the model then works in, for structures much smaller in these
        images than in the model's training data; later clicks outside it are refused."""
        if not isinstance(image, ImageRef):
            raise TypeError("open_session takes the ImageRef that upload() or find_image() returned, not an image id.")
        request = seg.OpenSessionRequest(workspace=workspace, image_id=image.image_id, target_class=target_class,
                                         lease_seconds=lease_seconds, field_of_view=field_of_view)
        reorientation = image.reorientation or Reorientation.identity(image.dims)
        if initial_mask is not None:
            request.initial_mask.extend(_mask_boxes(reorientation, initial_mask, None, "initial mask"))
        info = self._call(self._segmentation.OpenSession, request)
        return Session(self, _session_info(info), image.reorientation)

    # --- workspaces --------------------------------------------------------------------------------------------

    def workspaces(self) -> Tuple[WorkspaceInfo, ...]:
        reply = self._call(self._workspaces.ListWorkspaces, ws.ListWorkspacesRequest())
        return tuple(_workspace_info(w) for w in reply.workspaces)

    def workspace(self, name: str, include_checksum: bool = False) -> WorkspaceInfo:
        return _workspace_info(self._call(self._workspaces.GetWorkspace, ws.GetWorkspaceRequest(
            workspace=name, include_checksum=include_checksum)))

    def create_workspace(self, name: str, model: str, strategy: str = "", learning_rate: Optional[float] = None) -> WorkspaceInfo:
        request = ws.CreateWorkspaceRequest(name=name, model=model, strategy=strategy)
        if learning_rate is not None:
            request.learning_rate = learning_rate
        return _workspace_info(self._call(self._workspaces.CreateWorkspace, request))

    def versions(self, workspace: str) -> VersionHistory:
        """The workspace's version history, oldest first."""
        reply = self._call(self._workspaces.ListVersions, ws.ListVersionsRequest(workspace=workspace))
        return VersionHistory(tuple(_model_version(v) for v in reply.versions), reply.current_version)

    def reset(self, workspace: str) -> WorkspaceInfo:
        """Back to the source weights, as a new version (the history stays)."""
        return _workspace_info(self._call(self._workspaces.ResetToSource, ws.ResetToSourceRequest(workspace=workspace)))

    def rollback(self, workspace: str, version: int) -> WorkspaceInfo:
        """Restores an earlier version's weights as a new version."""
        return _workspace_info(self._call(self._workspaces.Rollback, ws.RollbackRequest(workspace=workspace, version=version)))


class Session:
    """One user segmenting one image: clicks, undo, commit, and the mask so far (arrays indexed [k, j, i]).

    Voxels, axes, slices and masks are in the caller's voxel order; `reorientation` maps them onto the uploaded one.
    """

    def __init__(self, client: Client, info: SessionInfo, reorientation: Optional[Reorientation] = None):
        self._client = client
        self.info = info
        self.reorientation = reorientation or Reorientation.identity(info.dims)

    @property
    def id(self) -> str:
        return self.info.session_id

    @property
    def shape(self) -> Tuple[int, int, int]:
        """The mask's shape as [k, j, i]."""
        i, j, k = self.reorientation.dims
        return (k, j, i)

    def _to_caller(self, delta: masks.MaskDelta) -> masks.MaskDelta:
        """A delta in the uploaded order re-expressed in the caller's (re-encoded; boxes are small)."""
        if delta.is_empty or self.reorientation.is_identity:
            return delta
        return masks.encode_box(self.reorientation.to_stored(delta.labels()), self.reorientation.box_to_stored(delta.box))

    def iter_click(self, axis: int, voxel: Tuple[int, int, int], positive: bool = True, class_index: Optional[int] = None,
                   on_first_mask: Optional[FirstMaskCallback] = None) -> Generator[AdaptationStep, None, ClickResult]:
        """Clicks voxel (i, j, k) on the slice across `axis`; `on_first_mask(delta)` is called as soon as the first mask
        arrives (before any step), then each adaptation step is yielded as it streams, then the ClickResult is returned
        (use `result = yield from ...`, or `click()` with callbacks). A click made while an earlier click's steps still
        run waits behind them on the server, in the order sent."""
        r = self.reorientation
        i, j, k = r.voxel_to_canonical(voxel)
        click = seg.Click(axis=r.axis_to_canonical(int(axis)), i=i, j=j, k=k)
        if class_index is None:
            click.positive = bool(positive)
        else:
            click.class_index = int(class_index)
        started = time.perf_counter()
        steps, first, first_ms, update, done = [], None, 0.0, None, None
        c = self._client
        for event in c._stream(c._segmentation.Interact, seg.InteractRequest(session_id=self.id, click=click)):
            kind = event.WhichOneof("event")
            if kind == "step":
                step = _step(event.step)
                steps.append(step)
                yield step
            elif kind == "mask":
                update = event.mask
                if first is None:
                    first_ms = (time.perf_counter() - started) * 1000.0
                    first = self._to_caller(_delta(update.delta))
                    if on_first_mask:
                        on_first_mask(first)
            elif kind == "done":
                done = event.done
        if update is None or done is None:
            raise OaimsError("DATA_LOSS", "The server ended the click without a mask or a summary.")
        last = first if not update.refined else self._to_caller(_delta(update.delta))
        return ClickResult(tuple(steps), last, r.axis_to_stored(update.axis),
                           r.index_to_stored(update.axis, update.slice), done.click_count, done.model_version,
                           _latency(done.latency), (time.perf_counter() - started) * 1000.0,
                           first, done.refined, done.time_to_first_mask_ms, done.time_to_done_ms, first_ms)

    def click(self, axis: int, voxel: Tuple[int, int, int], positive: bool = True, class_index: Optional[int] = None,
              on_step: Optional[StepCallback] = None, on_first_mask: Optional[FirstMaskCallback] = None) -> ClickResult:
        """One click; `on_first_mask(delta)` is called when the first mask arrives (show it at once), `on_step(step)` as
        each adaptation step streams in; the result's `delta` (the refined mask when there is one) replaces it."""
        return _drain(self.iter_click(axis, voxel, positive, class_index, on_first_mask), on_step)

    def undo(self) -> UndoResult:
        """Takes back the last click: its mask (the delta restores it), and its weight update unless the workspace
        changed since the click (then `weights_kept_reason` says so)."""
        c = self._client
        reply = c._call(c._segmentation.Undo, seg.UndoRequest(session_id=self.id))
        return UndoResult(reply.undone, self._to_caller(_delta(reply.delta)), reply.model_version, reply.click_count,
                          reply.weights == seg.UNDO_WEIGHTS_RESTORED, reply.weights_kept_reason)

    def iter_commit(self, final_mask: Optional[np.ndarray] = None,
                    base: Optional[np.ndarray] = None) -> Generator[AdaptationStep, None, CommitResult]:
        """Accepts the mask: yields the post-interaction steps as they stream, returns the CommitResult.

        `final_mask` (class labels [k, j, i]) is the mask the user accepts when it differs from the session's (hand
        edits): the server learns from it instead. Only the box where it differs from `base`, the session's mask as
        the caller mirrors it (the deltas applied so far), travels; without `base` the session's mask is fetched."""
        request = seg.CommitRequest(session_id=self.id)
        if final_mask is not None:
            base = self.mask() if base is None else base
            request.final_mask.extend(_mask_boxes(self.reorientation, final_mask, base, "final mask"))
        c = self._client
        steps, done = [], None
        for event in c._stream(c._segmentation.Commit, request):
            if event.WhichOneof("event") == "step":
                step = _step(event.step)
                steps.append(step)
                yield step
            else:
                done = event.done
        if done is None:
            raise OaimsError("DATA_LOSS", "The server ended the commit without a summary.")
        return CommitResult(tuple(steps), done.model_version, done.steps_applied, _latency(done.latency))

    def commit(self, on_step: Optional[StepCallback] = None, final_mask: Optional[np.ndarray] = None,
               base: Optional[np.ndarray] = None) -> CommitResult:
        """Accepts the mask (with `final_mask`: the user's edited one; see iter_commit); `on_step` sees each step."""
        return _drain(self.iter_commit(final_mask, base), on_step)

    def iter_propagate(self, axis: int, slice_index: int, accept_first: bool = False,
                       max_slices: int = 0) -> Generator[Union[AdaptationStep, PropagatedSlice], None, PropagateResult]:
        """Proposes the neighbours of slice `slice_index` across `axis` (after accepting it, with `accept_first`): yields
        each adaptation step and each PropagatedSlice as it streams (apply its delta as a click's), returns the summary."""
        r = self.reorientation
        canonical_axis = r.axis_to_canonical(int(axis))
        voxel = [0, 0, 0]
        voxel[int(axis)] = int(slice_index)
        request = prop.PropagateRequest(session_id=self.id, axis=canonical_axis, slice=r.voxel_to_canonical(voxel)[canonical_axis],
                                        accept_first=bool(accept_first), max_slices=int(max_slices))
        steps, slices, done = [], [], None
        c = self._client
        for event in c._stream(c._propagation.Propagate, request):
            kind = event.WhichOneof("event")
            if kind == "step":
                step = _step(event.step)
                steps.append(step)
                yield step
            elif kind == "slice":
                m = event.slice
                proposed = PropagatedSlice(r.axis_to_stored(m.axis), r.index_to_stored(m.axis, m.slice),
                                           self._to_caller(_delta(m.delta)), m.proposal, m.done)
                slices.append(proposed)
                yield proposed
            elif kind == "done":
                done = event.done
        if done is None:
            raise OaimsError("DATA_LOSS", "The server ended the propagation without a summary.")
        caller_axis = r.axis_to_stored(canonical_axis)
        return PropagateResult(tuple(steps), tuple(slices), tuple(r.index_to_stored(canonical_axis, k) for k in done.proposed),
                               tuple(r.index_to_stored(canonical_axis, k) for k in done.cleared), caller_axis,
                               done.stop_below, done.stop_above, done.model_version, _latency(done.latency))

    def propagate(self, axis: int, slice_index: int, accept_first: bool = False, max_slices: int = 0,
                  on_event: Optional[Callable[[Union[AdaptationStep, PropagatedSlice]], None]] = None) -> PropagateResult:
        """Propagation in one call; `on_event(step_or_slice)` is called as each arrives (e.g. to paint a slice at once)."""
        return _drain(self.iter_propagate(axis, slice_index, accept_first, max_slices), on_event)

    def mask(self, max_voxels_per_chunk: int = 0) -> np.ndarray:
        """The whole label volume as uint8 [k, j, i], rebuilt from the streamed chunks."""
        c = self._client
        chunks = c._stream(c._segmentation.GetMask, seg.GetMaskRequest(session_id=self.id, max_voxels_per_chunk=max_voxels_per_chunk))
        i, j, k = self.info.dims
        uploaded = masks.assemble((_delta(chunk.delta) for chunk in chunks), (k, j, i))
        return np.ascontiguousarray(self.reorientation.to_stored(uploaded))

    def heartbeat(self) -> SessionInfo:
        c = self._client
        self.info = _session_info(c._call(c._segmentation.Heartbeat, seg.HeartbeatRequest(session_id=self.id)))
        return self.info

    def close(self):
        c = self._client
        c._call(c._segmentation.CloseSession, seg.CloseSessionRequest(session_id=self.id))


# --- wire -> values --------------------------------------------------------------------------------------------------

def _drain(events: Generator, on_step: Optional[StepCallback]):
    while True:
        try:
            step = next(events)
        except StopIteration as finished:
            return finished.value
        if on_step:
            on_step(step)


def _mask_boxes(reorientation: Reorientation, mask: np.ndarray, base: Optional[np.ndarray], what: str) -> list:
    """A mask in the caller's [k, j, i] order as the wire boxes that turn `base` (None: zeros) into it, in the uploaded
    order: one box around the voxels that differ, or none. Small whatever the volume, as the server's message limit needs."""
    i, j, k = reorientation.dims
    for name, array in ((what, mask), ("base", base)):
        if array is not None and np.shape(array) != (k, j, i):
            raise OaimsError("INVALID_ARGUMENT", f"The {name} is shaped {np.shape(array)} but the image is {(k, j, i)} ([k, j, i]).")
    uploaded = np.ascontiguousarray(reorientation.to_canonical(np.asarray(mask, dtype=np.uint8)))
    uploaded_base = None if base is None else reorientation.to_canonical(np.asarray(base, dtype=np.uint8))
    box = masks.changed_box(uploaded, uploaded_base)
    if box is None:
        return []
    delta = masks.encode(uploaded, box)
    x0, y0, z0, x1, y1, z1 = box
    return [common_pb2.MaskDelta(box=common_pb2.VoxelBox(min_i=x0, min_j=y0, min_k=z0, max_i=x1, max_j=y1, max_k=z1),
                                 encoding=delta.encoding, data=delta.data)]


def _delta(message: common_pb2.MaskDelta) -> masks.MaskDelta:
    if not message.HasField("box"):
        return masks.MaskDelta(None, message.encoding, b"")
    b = message.box
    return masks.MaskDelta((b.min_i, b.min_j, b.min_k, b.max_i, b.max_j, b.max_k), message.encoding, bytes(message.data))


def _step(message: common_pb2.AdaptationStep) -> AdaptationStep:
    return AdaptationStep(message.index, message.kind, message.loss, message.milliseconds, message.model_version, message.applied)


def _latency(message: common_pb2.Latency) -> Latency:
    return Latency(message.queue_ms, message.forward_ms, message.adaptation_ms, message.encode_ms, message.total_ms)


def _time(message, name: str) -> Optional[datetime]:
    if not message.HasField(name):
        return None
    stamp = getattr(message, name)
    return datetime.fromtimestamp(stamp.seconds + stamp.nanos / 1e9, tz=timezone.utc)


def _is_loopback(host: Optional[str]) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _image_ref(message: seg.ImageRef) -> ImageRef:
    return ImageRef(message.image_id, tuple(message.dims), message.channels, message.already_known, message.payload_bytes, message.name)


def _session_info(m: seg.SessionInfo) -> SessionInfo:
    return SessionInfo(m.session_id, m.workspace, m.image_id, m.target_class, tuple(m.dims), m.lease_seconds,
                       _time(m, "expires_at"), m.model_version, m.click_count, m.committed)


def _workspace_info(m: ws.WorkspaceInfo) -> WorkspaceInfo:
    return WorkspaceInfo(m.name, m.model, m.strategy, m.learning_rate, m.model_version, m.open_sessions, m.queued, m.weights_checksum)


def _model_version(m: common_pb2.ModelVersion) -> ModelVersion:
    return ModelVersion(m.version, m.kind, m.restored_from if m.HasField("restored_from") else None,
                        m.loss if m.HasField("loss") else None, _time(m, "created"))
