"""OAIMS.py's Widget and Logic on the strict fake of Slicer (fake_slicer.py): no MagicMock, so a call the fake does not
define, or a widget name the .ui file lacks, fails here as it would in Slicer. The server is FakeClient."""

import importlib
import sys
import threading
import time

import numpy as np
import pytest

from fake_client import FakeClient
from fake_slicer import FakeSlicer, VolumeNode
from oaims_client.errors import OaimsError

IJK_TO_RAS = np.array([[-2.0, 0, 0, 10], [0, -3.0, 0, 20], [0, 0, 4.0, -30], [0, 0, 0, 1]])


@pytest.fixture
def fake(monkeypatch):
    fake = FakeSlicer()
    for name, module in {"slicer": fake, "slicer.ScriptedLoadableModule": fake.ScriptedLoadableModule,
                         "slicer.util": fake.util, "qt": fake.qt, "vtk": fake.vtk, "vtk.util": fake.vtk.util,
                         "vtk.util.numpy_support": fake.vtk.util.numpy_support}.items():
        monkeypatch.setitem(sys.modules, name, module)
    sys.modules.pop("OAIMS", None)
    fake._module = importlib.import_module("OAIMS")
    yield fake
    sys.modules.pop("OAIMS", None)


@pytest.fixture
def server():
    return FakeClient()


@pytest.fixture
def widget(fake, server):
    widget = fake._module.OAIMSWidget()
    widget.setup()
    widget.logic._connect = lambda url, token, certificates: server
    yield widget
    widget.cleanup()


def pump(widget, seconds=10):
    """The Qt event loop delivering the pump timer's timeouts until every job is reported."""
    deadline = time.monotonic() + seconds
    timer = widget._pumpTimer
    while time.monotonic() < deadline:
        timer.fire()
        if not widget.logic.jobs.busy:
            return
    raise AssertionError("the jobs did not finish")


def network_threads():
    return [t for t in threading.enumerate() if t.name == "oaims-network" and t.is_alive()]


def wait_for(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.01)
    return condition()


def in_session(fake, widget):
    node = fake.add(VolumeNode(np.arange(120, dtype=np.int16).reshape(4, 5, 6), IJK_TO_RAS, "t1c"))
    widget.ui.connectButton.click()
    pump(widget)
    widget.ui.volumeSelector.setCurrentNode(node)
    widget.ui.startButton.click()
    pump(widget)
    assert widget.logic.work is not None, widget.ui.statusLabel.text
    return node


def ras(ijk):
    return (IJK_TO_RAS @ np.array([*ijk, 1.0]))[:3]


def place(fake, widget, positive, ijk):
    button = widget.ui.positivePointButton if positive else widget.ui.negativePointButton
    if not button.checked:
        button.click()
    node = fake.mrmlScene.GetNodeByID(fake.app.applicationLogic().GetSelectionNode().GetActivePlaceNodeID())
    node.place(ras(ijk))
    pump(widget)
    return node


def test_a_logic_starts_one_network_thread_and_reload_leaves_none_behind(fake):
    before = len(network_threads())
    logic = fake._module.OAIMSLogic()
    assert len(network_threads()) == before + 1 and logic.moduleName == "OAIMS"
    logic.shutdown()
    assert wait_for(lambda: len(network_threads()) == before)
    for _ in range(3):  # Reload: Slicer calls the old widget's cleanup(), then builds and sets up a new one
        widget = fake._module.OAIMSWidget()
        widget.setup()
        assert len(network_threads()) == before + 1
        widget.cleanup()
        assert wait_for(lambda: len(network_threads()) == before)


def test_connect_start_and_a_click_write_the_mask_into_the_segment(fake, widget, server):
    in_session(fake, widget)
    assert "0.1.0-test on cpu" in widget.ui.serverInfoLabel.text
    assert widget.ui.uploadProgressBar.value == 100 and widget.ui.positivePointButton.enabled
    place(fake, widget, True, (4, 1, 2))
    work = widget.logic.work
    assert server.sessions[0].clicks == [(2, (4, 1, 2), True)]
    assert fake.segment(work.segmentation_node, work.segment_id).sum() == 9
    assert "loss" in widget.ui.stepsTextEdit.plainText and widget.ui.statusLabel.text.startswith("Click 1:")


def test_a_point_refused_at_once_is_removed_from_the_markups(fake, widget):
    in_session(fake, widget)
    node = place(fake, widget, True, (9, 1, 1))  # outside the 6 x 5 x 4 volume
    assert node.GetNumberOfControlPoints() == 0 and widget.ui.statusLabel.text == "The point lies outside the volume."


def test_a_point_the_server_refuses_is_removed_and_undo_then_takes_back_the_right_one(fake, widget, server):
    in_session(fake, widget)
    node = place(fake, widget, True, (4, 1, 2))
    server.fail_click = OaimsError("FAILED_PRECONDITION", "The session expired.")
    place(fake, widget, True, (1, 3, 2))
    assert node.positions() == [tuple(ras((4, 1, 2)))]
    assert widget.ui.statusLabel.text == "The session expired. [FAILED_PRECONDITION]"
    server.fail_click = None
    widget.ui.undoButton.click()
    pump(widget)
    assert node.GetNumberOfControlPoints() == 0


def test_esc_or_right_click_leaving_place_mode_unchecks_the_point_buttons(fake, widget):
    in_session(fake, widget)
    widget.ui.negativePointButton.click()
    interaction = fake.app.applicationLogic().GetInteractionNode()
    assert interaction.GetCurrentInteractionMode() == interaction.Place
    interaction.SetCurrentInteractionMode(interaction.ViewTransform)  # what Esc / right-click do in a view
    assert not widget.ui.negativePointButton.checked and not widget.ui.positivePointButton.checked


def test_choosing_another_markups_list_to_place_unchecks_the_point_buttons(fake, widget):
    in_session(fake, widget)
    widget.ui.positivePointButton.click()
    assert widget.ui.positivePointButton.checked
    other = fake.mrmlScene.AddNewNodeByClass("vtkMRMLMarkupsFiducialNode", "the user's landmarks")
    fake.app.applicationLogic().GetSelectionNode().SetReferenceActivePlaceNodeID(other.GetID())  # the Markups toolbar
    assert not widget.ui.positivePointButton.checked


def test_errors_go_to_the_status_line_not_to_a_modal_dialog(fake, widget):
    # FakeUtil has no errorDisplay: a modal dialog would fail this test with AttributeError.
    def unreachable(url, token, certificates):
        raise OaimsError("UNAVAILABLE", "The OAIMS server cannot be reached.")

    widget.logic._connect = unreachable
    widget.ui.connectButton.click()
    pump(widget)
    assert widget.ui.statusLabel.text == "The OAIMS server cannot be reached. [UNAVAILABLE]"


def test_reset_is_apart_from_accept_asks_first_and_can_be_undone(fake, widget, server):
    in_session(fake, widget)
    fake.util.confirm_answer = False
    widget.ui.resetModelButton.click()
    pump(widget)
    assert server.resets == [] and "source weights" in fake.util._confirms[0]
    fake.util.confirm_answer = True
    widget.ui.resetModelButton.click()
    pump(widget)
    assert server.resets == ["brain-flair"] and widget.ui.undoResetButton.enabled
    widget.ui.undoResetButton.click()
    pump(widget)
    assert server.rollbacks == [("brain-flair", 42)] and not widget.ui.undoResetButton.enabled


def test_the_token_is_not_remembered_unless_the_user_ticks_the_box(fake, widget):
    assert not widget.ui.rememberTokenCheckBox.checked
    widget.ui.tokenLineEdit.text = "s3cret"
    widget.ui.connectButton.click()
    pump(widget)
    assert fake.settings.values["OAIMS/Token"] == ""
    widget.ui.rememberTokenCheckBox.click()
    widget.ui.connectButton.click()
    pump(widget)
    assert fake.settings.values["OAIMS/Token"] == "s3cret"


def test_closing_the_scene_ends_the_session_and_forgets_the_point_lists(fake, widget, server):
    in_session(fake, widget)
    place(fake, widget, True, (4, 1, 2))
    fake.mrmlScene.Clear()
    pump(widget)
    assert widget.logic.work is None and server.sessions[0].closed
    assert not widget.ui.positivePointButton.checked and not widget.ui.positivePointButton.enabled
    assert widget._pointLists == {}


def test_accept_commits_and_starts_the_next_volume(fake, widget, server):
    first = in_session(fake, widget)
    second = fake.add(VolumeNode(np.zeros((4, 5, 6), np.int16), IJK_TO_RAS, "flair"))
    place(fake, widget, True, (4, 1, 2))
    widget.ui.acceptButton.click()
    pump(widget)
    pump(widget)
    assert server.sessions[0].committed and widget.ui.volumeSelector.currentNode() is second
    assert widget.logic.work.volume_node is second and first is not second


def test_the_pump_speeds_up_while_a_job_is_busy_and_slows_down_when_idle(fake, widget):
    from OAIMSLib.jobs import BUSY_INTERVAL_MS, IDLE_INTERVAL_MS
    assert widget._pumpTimer.interval == IDLE_INTERVAL_MS
    widget.ui.connectButton.click()
    assert widget._pumpTimer.interval == BUSY_INTERVAL_MS
    pump(widget)
    widget._pumpTimer.fire()
    assert widget._pumpTimer.interval == IDLE_INTERVAL_MS


def test_shortcuts_place_points_undo_and_accept_only_while_the_module_is_shown(fake, widget, server):
    in_session(fake, widget)
    positive = fake.qt.shortcut("a")
    positive.press()
    assert not widget.ui.positivePointButton.checked  # the module is not shown yet
    widget.enter()
    positive.press()
    assert widget.ui.positivePointButton.checked and widget.ui.segmentEditorWidget._shortcuts
    fake.qt.shortcut("d").press()
    assert widget.ui.negativePointButton.checked and not widget.ui.positivePointButton.checked
    node = fake.mrmlScene.GetNodeByID(fake.app.applicationLogic().GetSelectionNode().GetActivePlaceNodeID())
    node.place(ras((4, 1, 2)))
    pump(widget)
    fake.qt.shortcut("u").press()
    pump(widget)
    assert node.GetNumberOfControlPoints() == 0 and widget.logic.history.clicks == []
    fake.qt.shortcut("Ctrl+Return").press()
    pump(widget)
    assert server.sessions[0].committed
    widget.exit()
    assert not widget.ui.segmentEditorWidget._shortcuts and not fake.qt.shortcut("a").isEnabled()


def test_the_embedded_segment_editor_edits_the_segment_of_the_session(fake, widget):
    node = in_session(fake, widget)
    editor, work = widget.ui.segmentEditorWidget, widget.logic.work
    assert editor._segmentation is work.segmentation_node and editor._source is node and editor._segment == work.segment_id
    assert editor._editor_node.GetClassName() == "vtkMRMLSegmentEditorNode"


def test_accept_keeps_hand_edits_in_the_segment_and_sends_them_to_the_commit(fake, widget, server):
    in_session(fake, widget)
    place(fake, widget, True, (4, 1, 2))
    work = widget.logic.work
    work.segmentation_node.paint(work.segment_id, (0, 4, 0))  # a brush stroke in the Segment Editor
    widget.ui.acceptButton.click()
    pump(widget)
    assert fake.segment(work.segmentation_node, work.segment_id)[0, 4, 0] == 1
    assert server.sessions[0].final_mask[0][0, 4, 0] == 1
    assert "keeps 1 voxels edited by hand; the model learned from the segment as you accepted it" in widget.ui.statusLabel.text


def test_start_on_a_segment_with_voxels_starts_the_server_from_them_unless_unticked(fake, widget, server):
    node = in_session(fake, widget)
    work = widget.logic.work
    work.segmentation_node.paint(work.segment_id, (1, 2, 3))
    widget.ui.segmentSelector.setCurrentNode(work.segmentation_node)
    widget.ui.segmentSelector.setCurrentSegmentID(work.segment_id)
    widget.ui.startButton.click()
    pump(widget)
    assert server.sessions[-1].initial_mask[1, 2, 3] == 1
    assert "starts from the segment's voxels" in widget.ui.statusLabel.text
    widget.ui.startFromSegmentCheckBox.click()
    widget.ui.volumeSelector.setCurrentNode(node)
    widget.ui.startButton.click()
    pump(widget)
    assert server.sessions[-1].initial_mask is None
    assert "voxels are kept" in widget.ui.statusLabel.text


def test_the_field_of_view_set_in_the_panel_goes_with_the_session_and_whole_slice_is_the_default(fake, widget, server):
    node = in_session(fake, widget)
    assert server.sessions[-1].field_of_view == 0
    assert widget.ui.fieldOfViewSpinBox.specialValueText == "whole slice"  # what the panel shows at 0
    widget.ui.fieldOfViewSpinBox.value = 250
    widget.ui.volumeSelector.setCurrentNode(node)
    widget.ui.startButton.click()
    pump(widget)
    assert server.sessions[-1].field_of_view == 250


def test_cleanup_retires_the_shortcuts_so_a_reload_leaves_none_behind(fake, widget):
    widget.enter()
    widget.cleanup()
    assert all(s._deleted and not s.isEnabled() for s in fake.qt._shortcuts)


def test_propagate_is_disabled_until_a_session_is_open_and_asks_for_a_click_first(fake, widget, server):
    assert not widget.ui.propagateButton.enabled
    widget.ui.connectButton.click()
    pump(widget)
    assert not widget.ui.propagateButton.enabled  # connected, but no volume started
    in_session(fake, widget)
    widget.ui.propagateButton.click()
    pump(widget)
    assert widget.ui.statusLabel.text == ("Click the structure on a slice first: Propagate starts from the slice of your "
                                          "last click.")
    assert widget.ui.propagateButton.enabled and widget.logic.propagation is None
