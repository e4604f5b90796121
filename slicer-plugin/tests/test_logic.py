"""OAIMSLogic with a fake of the Slicer calls it uses (fake_slicer.py lists them) and a fake client: no Slicer, no Qt."""

import threading

import numpy as np
import pytest

from fake_client import FakeClient, Recorder
from fake_slicer import FakeSlicer, LabelMapVolumeNode, SegmentationNode, TransformNode, VectorVolumeNode, VolumeNode
from oaims_client import masks
from oaims_client.errors import OaimsError
from oaims_client.geometry import SliceView
from OAIMSLib.logic import OAIMSLogic
from OAIMSLib.settings import ServerSettings

# A 6 x 5 x 4 volume (i, j, k) with spacing 2, 3, 4 and an origin, indexed [k, j, i] as Slicer's arrays are.
IJK_TO_RAS = np.array([[-2.0, 0, 0, 10], [0, -3.0, 0, 20], [0, 0, 4.0, -30], [0, 0, 0, 1]])


@pytest.fixture
def scene():
    return FakeSlicer()


@pytest.fixture
def client():
    return FakeClient()


@pytest.fixture
def listener():
    return Recorder()


@pytest.fixture
def logic(scene, client, listener):
    logic = OAIMSLogic(slicer=scene, vtk=scene.vtk, connect=lambda url, token, certs: client, listener=listener)
    yield logic
    logic.jobs.stop()


def settle(logic):
    assert logic.jobs.wait_idle(10), "the worker did not finish"


def volume(scene, transform=None, name="t1c"):
    voxels = np.arange(4 * 5 * 6, dtype=np.int16).reshape(4, 5, 6)
    return scene.add(VolumeNode(voxels, IJK_TO_RAS, name, transform))


def started(logic, scene, node=None, segmentation=None, segment_id=""):
    logic.connect(ServerSettings("http://127.0.0.1:1"))
    settle(logic)
    node = node or volume(scene)
    logic.start(node, segmentation, segment_id)
    settle(logic)
    assert logic.work is not None and logic.work.session is not None
    return node


def painted_segment(scene, node):
    """A segmentation of the user's with one segment holding one voxel, [k, j, i] (3, 4, 5)."""
    segmentation = scene.add(SegmentationNode("user's"))
    segmentation.SetReferenceImageGeometryParameterFromVolumeNode(node)
    segment_id = segmentation.GetSegmentation().AddEmptySegment("", "lesion")
    segmentation.paint(segment_id, (3, 4, 5))
    return segmentation, segment_id


def ras_of(matrix, ijk):
    return (matrix @ np.array([*ijk, 1.0]))[:3]


def test_connect_reports_the_server_and_needs_no_pip_when_grpc_is_present(logic, scene, listener):
    logic.connect(ServerSettings("http://127.0.0.1:1"))
    settle(logic)
    (capabilities,), = listener.named("connected")
    assert capabilities.server_version == "0.1.0-test" and capabilities.device == "cpu"
    assert [m.name for m in capabilities.models] == ["brain-flair"]
    assert scene.pip_calls == []


def test_network_calls_run_on_the_worker_and_results_reach_the_listener_on_the_calling_thread(logic, scene, client, listener):
    started(logic, scene)
    assert client.threads and all(t is not threading.main_thread() for t in client.threads)
    assert all(thread is threading.main_thread() for _, _, thread in listener.events)


def test_start_uploads_the_volume_with_its_world_geometry_and_reports_progress(logic, scene, client, listener):
    shift = np.eye(4)
    shift[:3, 3] = (5, -7, 11)
    transform = TransformNode(shift)
    started(logic, scene, volume(scene, transform))
    payload = client.uploads[0]
    assert payload.dims == (6, 5, 4)
    assert np.allclose(np.reshape(payload.ijk_to_ras, (4, 4)), shift @ IJK_TO_RAS)
    assert listener.named("upload_progress")[-1] == (payload.nbytes, payload.nbytes)
    assert len(listener.named("session_started")) == 1


def test_a_volume_under_a_non_linear_transform_is_refused_with_a_sentence(logic, scene, client, listener):
    logic.connect(ServerSettings("http://127.0.0.1:1"))
    settle(logic)
    logic.start(volume(scene, TransformNode(np.eye(4), linear=False)))
    settle(logic)
    assert client.uploads == []
    assert "non-linear transform" in listener.errors()[0]


def test_start_creates_a_segmentation_and_segment_in_the_volumes_frame(logic, scene):
    shift = np.eye(4)
    shift[:3, 3] = (5, -7, 11)
    node = started(logic, scene, volume(scene, TransformNode(shift)))
    logic.click_at(ras_of(shift @ IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    assert scene.segment(logic.work.segmentation_node, logic.work.segment_id)[2, 1, 4] == 1
    segmentation = logic.work.segmentation_node
    assert isinstance(segmentation, SegmentationNode)
    assert segmentation.GetTransformNodeID() == node.GetTransformNodeID()
    assert segmentation._reference_changes == 1
    assert segmentation.GetSegmentation().GetSegment(logic.work.segment_id).GetName() == "lesion"


def test_a_point_in_world_ras_clicks_the_voxel_under_it_through_the_parent_transform(logic, scene, client):
    rotate = np.array([[0.0, -1, 0, 3], [1, 0, 0, -4], [0, 0, 1, 9], [0, 0, 0, 1]])
    started(logic, scene, volume(scene, TransformNode(rotate)))
    world = rotate @ IJK_TO_RAS
    logic.click_at(ras_of(world, (4, 1, 2)) + 0.4, positive=True)  # off-centre, still inside voxel (4, 1, 2)
    settle(logic)
    assert client.sessions[0].clicks == [(2, (4, 1, 2), True)]


def test_a_point_outside_the_volume_is_an_error_sentence_and_no_call(logic, scene, client, listener):
    started(logic, scene)
    logic.click_at(ras_of(IJK_TO_RAS, (9, 1, 1)), positive=True)
    settle(logic)
    assert client.sessions[0].clicks == []
    assert listener.errors() == ["The point lies outside the volume."]


@pytest.mark.parametrize("view, axis", [("Red", 2), ("Yellow", 0), ("Green", 1)])
def test_the_slice_axis_is_the_axis_of_the_view_the_point_was_placed_in(logic, scene, client, view, axis):
    started(logic, scene)
    ras = ras_of(IJK_TO_RAS, (3, 2, 1))
    planes = {"Red": [0, 0, 1], "Yellow": [1, 0, 0], "Green": [0, 1, 0]}
    views = []
    for name, normal in planes.items():
        # Each view's plane passes through the point only for the chosen view.
        matrix = np.eye(4)
        matrix[:3, 2] = normal
        matrix[:3, 3] = ras if name == view else ras + 5 * np.array(normal)
        views.append(SliceView(name, matrix))
    logic.click_at(ras, positive=True, views=views)
    settle(logic)
    assert client.sessions[0].clicks[0][0] == axis


def test_a_point_on_the_crossing_of_two_views_takes_the_hovered_views_axis_and_axis_2_by_default(logic, scene, client):
    started(logic, scene)
    ras = ras_of(IJK_TO_RAS, (3, 2, 1))
    red, yellow = np.eye(4), np.eye(4)
    red[:3, 3] = yellow[:3, 3] = ras
    yellow[:3, 2] = (1, 0, 0)
    views = [SliceView("Red", red), SliceView("Yellow", yellow)]
    logic.click_at(ras, True, views, preferred_view="Yellow")
    logic.click_at(ras, True)
    settle(logic)
    assert [c[0] for c in client.sessions[0].clicks] == [0, 2]


def test_the_delta_is_written_into_the_segment_in_kji_order_and_steps_are_recorded(logic, scene, client, listener):
    started(logic, scene)
    segmentation, segment_id = logic.work.segmentation_node, logic.work.segment_id
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    labels = scene.segment(segmentation, segment_id)
    assert np.array_equal(labels, client.sessions[0].mask)
    assert labels[2, 1, 4] == 1 and labels[2, 0:3, 3:6].all() and labels.sum() == 9  # the 3x3 square, one slice
    record, = logic.history.clicks
    assert [s.index for s in record.steps] == [0, 1] and record.model_version == 3
    assert len(listener.named("step")) == 2 and len(listener.named("click_done")) == 1
    assert "v3" in logic.history.text()


def test_the_delta_only_touches_its_box_of_the_segment(logic, scene):
    started(logic, scene)
    segmentation, segment_id = logic.work.segmentation_node, logic.work.segment_id
    segmentation.paint(segment_id, (0, 4, 0))  # painted elsewhere by another tool
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    assert scene.segment(segmentation, segment_id)[0, 4, 0] == 1


def test_a_click_writes_only_its_changed_box_into_the_segment_with_no_export(logic, scene):
    started(logic, scene)
    segmentation = logic.work.segmentation_node
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    # One write of the 3x3 square on slice k=2 (extent i 3..5, j 0..2, k 2..2), and no whole-volume export.
    assert segmentation._box_writes == [(logic.work.segment_id, (3, 5, 0, 2, 2, 2))]
    assert scene.util._exports == 0


def test_a_chosen_segmentation_under_another_transform_stays_where_it_is_with_its_other_segments(logic, scene):
    shift = np.eye(4)
    shift[:3, 3] = (8, 0, 0)
    node = volume(scene, TransformNode(shift))
    segmentation = scene.add(SegmentationNode("user's", TransformNode(np.eye(4), name="other")))
    segmentation.SetReferenceImageGeometryParameterFromVolumeNode(node)
    kept = segmentation.GetSegmentation().AddEmptySegment("", "liver")
    segmentation.paint(kept, (1, 1, 1))
    started(logic, scene, node, segmentation)
    logic.click_at(ras_of(shift @ IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    assert segmentation._transform_changes == 0 and segmentation._reference_changes == 1  # only the user's own
    assert segmentation.labels(kept)[1, 1, 1] == 1 and segmentation.labels(kept).sum() == 1
    assert segmentation.labels(logic.work.segment_id)[2, 1, 4] == 1  # written through the volume -> segmentation matrix


def test_starting_on_a_segment_that_holds_voxels_keeps_them(logic, scene):
    node = volume(scene)
    segmentation, segment_id = painted_segment(scene, node)
    assert logic.segment_has_content(segmentation, segment_id, node)
    started(logic, scene, node, segmentation, segment_id)
    assert logic.work.segment_id == segment_id
    assert segmentation.labels(segment_id)[3, 4, 5] == 1 and segmentation.labels(segment_id).sum() == 1


def test_starting_from_a_segment_sends_its_voxels_as_the_sessions_first_mask(logic, scene, client):
    node = volume(scene)
    segmentation, segment_id = painted_segment(scene, node)
    started(logic, scene, node)  # connects; then the start this test is about
    logic.start(node, segmentation, segment_id, from_segment=True)
    settle(logic)
    session = client.sessions[-1]
    assert session.initial_mask is not None and session.initial_mask[3, 4, 5] == 1 and session.initial_mask.sum() == 1
    assert np.array_equal(logic.work.mask, session.initial_mask), "the mirror of the server's mask starts from the segment"
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    assert np.array_equal(segmentation.labels(segment_id), session.mask)


def test_starting_on_a_segment_without_from_segment_sends_no_mask(logic, scene, client):
    node = volume(scene)
    segmentation, segment_id = painted_segment(scene, node)
    started(logic, scene, node, segmentation, segment_id)
    assert client.sessions[-1].initial_mask is None and not logic.work.mask.any()


def test_accept_sends_the_hand_edited_segment_as_the_final_mask_over_the_servers_mask(logic, scene, client, listener):
    started(logic, scene)
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    work = logic.work
    server_mask = work.mask.copy()
    work.segmentation_node.paint(work.segment_id, (0, 4, 0))  # painted by hand
    work.segmentation_node.paint(work.segment_id, (2, 1, 4), 0)  # erased by hand
    logic.accept()
    settle(logic)
    final, base = client.sessions[0].final_mask
    assert final[0, 4, 0] == 1 and final[2, 1, 4] == 0
    assert np.count_nonzero(final != server_mask) == 2 and np.array_equal(base, server_mask)
    assert listener.named("hand_edits") == [(2,)]


def test_accept_without_hand_edits_sends_no_final_mask(logic, scene, client, listener):
    started(logic, scene)
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    logic.accept()
    settle(logic)
    assert client.sessions[0].committed and client.sessions[0].final_mask is None
    assert listener.named("hand_edits") == [(0,)]


def test_a_closed_surface_segmentation_is_refused_with_a_sentence_not_a_traceback(logic, scene, client, listener):
    logic.connect(ServerSettings("http://127.0.0.1:1"))
    settle(logic)
    surface = scene.add(SegmentationNode("model", source="Closed surface"))
    assert not logic.segment_has_content(surface, "Segment_1", volume(scene))
    logic.start(volume(scene), surface)
    settle(logic)
    assert client.uploads == [] and "Closed surface" in listener.errors()[0] and "Binary labelmap" in listener.errors()[0]


@pytest.mark.parametrize("node, words", [
    (VectorVolumeNode(np.zeros((4, 5, 6, 3), np.uint8), IJK_TO_RAS, "rgb"), "vtkMRMLVectorVolumeNode"),
    (VolumeNode(np.zeros((4, 5, 6, 3), np.uint8), IJK_TO_RAS, "multi"), "3 values per voxel"),
    (VolumeNode(None, IJK_TO_RAS, "empty"), "has no voxels"),
    (LabelMapVolumeNode(np.zeros((4, 5, 6), np.uint8), IJK_TO_RAS, "labels"), "label maps")])
def test_volumes_that_are_not_one_scalar_per_voxel_are_refused_with_a_sentence(logic, scene, client, listener, node, words):
    logic.connect(ServerSettings("http://127.0.0.1:1"))
    settle(logic)
    logic.start(scene.add(node))
    settle(logic)
    assert client.uploads == [] and words in listener.errors()[0]


def test_each_mask_event_of_a_click_replaces_the_one_shown_before(logic, scene, client, listener):
    started(logic, scene)
    segmentation, segment_id = logic.work.segmentation_node, logic.work.segment_id
    seen = []

    def first_mask(before, after, box):  # a coarse first mask: a 5x5 square around the click, on its slice
        first = before.copy()
        first[2, 0:5, 1:6] = 1
        return masks.encode(first, (1, 0, 2, 5, 4, 2))

    client.first_masks = [first_mask]
    listener.on_mask = lambda record, delta: seen.append(scene.segment(segmentation, segment_id).sum())
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    assert seen == [25]  # the first mask was shown
    assert np.array_equal(scene.segment(segmentation, segment_id), client.sessions[0].mask)  # then replaced: 9 voxels


def test_a_slicer_error_while_writing_the_segment_reaches_the_error_path(logic, scene, listener, monkeypatch):
    started(logic, scene)

    def refuse(*args):
        raise RuntimeError("vtkOrientedImageData: bad extent")

    monkeypatch.setattr(type(scene.vtkSlicerSegmentationsModuleLogic), "SetBinaryLabelmapToSegment", staticmethod(refuse))
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    (sentence,) = listener.errors()
    assert "bad extent" in sentence and "\n" not in sentence


def test_a_reset_can_be_undone_back_to_the_version_it_replaced(logic, scene, client, listener):
    started(logic, scene)
    logic.reset_model()
    settle(logic)
    logic.undo_reset()
    settle(logic)
    assert client.rollbacks == [("brain-flair", 42)] and listener.named("model_restored")[0][0].model_version == 100
    assert logic.reset_undo is None


def test_ending_the_session_closes_it_on_the_server(logic, scene, client, listener):
    started(logic, scene)
    logic.end_session()
    settle(logic)
    assert client.sessions[0].closed and logic.work is None and len(listener.named("session_ended")) == 1


def test_undo_restores_the_segment_and_drops_the_click(logic, scene, client, listener):
    started(logic, scene)
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    logic.click_at(ras_of(IJK_TO_RAS, (1, 3, 2)), positive=True)
    settle(logic)
    logic.undo()
    settle(logic)
    labels = scene.segment(logic.work.segmentation_node, logic.work.segment_id)
    assert np.array_equal(labels, client.sessions[0].mask) and labels[2, 3, 1] == 0 and labels[2, 1, 4] == 1
    assert len(logic.history.clicks) == 1
    assert listener.named("undone")[0][0].undone


def test_accept_commits_closes_the_session_and_the_next_volume_skips_label_maps(logic, scene, client, listener):
    first = started(logic, scene)
    scene.add(LabelMapVolumeNode(np.zeros((4, 5, 6), np.uint8), IJK_TO_RAS, "labels"))
    second = volume(scene, name="flair")
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    logic.accept()
    settle(logic)
    session = client.sessions[0]
    assert session.committed and session.closed
    (result,), = listener.named("committed")
    assert result.model_version == 4 and [s.kind for s in logic.history.commit_steps] == ["pi-stage1"]
    assert logic.work is None
    scene.add(VectorVolumeNode(np.zeros((4, 5, 6, 3), np.uint8), IJK_TO_RAS, "rgb"))
    assert logic.next_volume(first) is second and logic.next_volume(second) is None


def test_starting_another_volume_closes_the_previous_session(logic, scene, client):
    started(logic, scene)
    logic.start(volume(scene, name="other"))
    settle(logic)
    assert client.sessions[0].closed and len(client.sessions) == 2


def test_server_errors_reach_the_listener_as_the_servers_sentence(logic, scene, client, listener):
    started(logic, scene)
    client.fail_click = OaimsError("FAILED_PRECONDITION", "The session expired after 600 s without use.")
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    assert listener.errors() == ["The session expired after 600 s without use. [FAILED_PRECONDITION]"]
    assert logic.history.clicks == []


def test_unexpected_errors_become_one_line_not_a_traceback(logic, scene, client, listener):
    started(logic, scene)
    client.fail_click = ZeroDivisionError("division by zero")
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    (sentence,) = listener.errors()
    assert "division by zero" in sentence and "Traceback" not in sentence and "\n" not in sentence


def test_actions_before_connecting_or_starting_say_what_to_do(logic, scene, listener):
    logic.start(volume(scene))
    logic.undo()
    logic.click_at((0, 0, 0), True)
    assert listener.errors() == ["Connect to an OAIMS server first.", "There is no volume in progress: press Start first.",
                                 "Start a volume first (Start), then place points."]


def test_reset_model_resets_the_sessions_workspace(logic, scene, client, listener):
    started(logic, scene)
    logic.reset_model()
    settle(logic)
    assert client.resets == ["brain-flair"]
    assert listener.named("model_reset")[0][0].model_version == 99


def test_settings_live_in_slicer_settings_and_the_token_only_when_asked(logic, scene):
    logic.save_settings(ServerSettings("https://gpu.example:443", "s3cret", "/tmp/ca.pem", "brain-flair"))
    assert scene.settings.values["OAIMS/ServerURL"] == "https://gpu.example:443"
    assert logic.load_settings() == ServerSettings("https://gpu.example:443", "s3cret", "/tmp/ca.pem", "brain-flair")
    logic.save_settings(ServerSettings("https://gpu.example:443", "s3cret"), remember_token=False)
    assert logic.load_settings().token == ""


def test_settings_default_to_the_local_sidecar(logic):
    assert logic.load_settings().url == "http://127.0.0.1:50051"


def test_a_click_that_fails_after_its_first_mask_was_shown_leaves_the_segment_as_before_it(logic, scene, client, listener):
    started(logic, scene)
    segmentation, segment_id = logic.work.segmentation_node, logic.work.segment_id
    logic.click_at(ras_of(IJK_TO_RAS, (1, 3, 2)), positive=True)
    settle(logic)
    before = scene.segment(segmentation, segment_id).copy()
    client.first_masks = [lambda old, new, box: masks.encode(new, box)]
    client.fail_after_masks = OaimsError("UNAVAILABLE", "The OAIMS server went away.")
    logic.click_at(ras_of(IJK_TO_RAS, (4, 1, 2)), positive=True)
    settle(logic)
    assert np.array_equal(scene.segment(segmentation, segment_id), before)
    assert len(listener.named("mask")) == 1 and len(listener.named("click_refused")) == 1
    assert [c.voxel for c in logic.history.clicks] == [(1, 3, 2)]
