"""OAIMS.py's Widget on the strict fake of Slicer against the real sidecar on loopback: what the panel shows, and in
which order, is what the server streamed."""

import re

import numpy as np
import pytest

from brats import lesion_centre
from conftest import workspace
from fake_slicer import VolumeNode
from oaims_client import geometry
from test_widget import fake, pump  # noqa: F401  (`fake`: the strict Slicer installed as the `slicer` module)

SERVER_SECONDS = 300


@pytest.fixture
def widget(fake, sidecar):  # noqa: F811
    widget = fake._module.OAIMSWidget()
    widget.setup()
    widget.ui.serverUrlLineEdit.text = sidecar.url
    yield widget
    widget.cleanup()


@pytest.fixture(scope="module")
def pi_mi(client):
    """One pi+mi workspace for this file's tests (the server holds at most 16): MI steps from a session's second click."""
    return workspace(client, "pi+mi")


class Panel:
    """The widget in a session on pat0004's T1c in workspace `name`; places points as a user does."""

    def __init__(self, fake, widget, name, t1c):  # noqa: F811
        voxels, self.affine = t1c
        self.fake, self.widget = fake, widget
        widget.ui.connectButton.click()
        pump(widget, SERVER_SECONDS)
        widget.ui.workspaceComboBox.setCurrentIndex(widget.ui.workspaceComboBox.findText(name))
        node = fake.add(VolumeNode(voxels, self.affine, "pat0004 t1c"))
        widget.ui.volumeSelector.setCurrentNode(node)
        widget.ui.startButton.click()
        pump(widget, SERVER_SECONDS)
        assert widget.logic.work is not None, widget.ui.statusLabel.text

    @property
    def work(self):
        return self.widget.logic.work

    def segment(self):
        return self.fake.segment(self.work.segmentation_node, self.work.segment_id).copy()

    def place(self, positive, ijk):
        button = self.widget.ui.positivePointButton if positive else self.widget.ui.negativePointButton
        if not button.checked:
            button.click()
        selection = self.fake.app.applicationLogic().GetSelectionNode()
        self.fake.mrmlScene.GetNodeByID(selection.GetActivePlaceNodeID()).place(geometry.ijk_to_ras(self.affine, ijk))
        pump(self.widget, SERVER_SECONDS)

    def record(self, *events):
        """Every listener call named in `events`, in order: its arguments, the segment as it was then and the status
        line the call left."""
        shown = []
        for event in events:
            original = getattr(self.widget, "on_" + event)

            def recorder(*args, event=event, original=original):
                segment = self.segment()
                original(*args)
                shown.append((event, args, segment, self.widget.ui.statusLabel.text))

            setattr(self.widget, "on_" + event, recorder)
        return shown


@pytest.fixture
def panel(fake, widget, pi_mi, t1c):  # noqa: F811
    return Panel(fake, widget, pi_mi, t1c)


def test_a_click_shows_its_first_mask_before_any_step_and_ends_on_the_refined_mask(panel, lesion):
    i, j, k = lesion_centre(lesion)
    panel.place(True, (i, j, k))  # the first click: MI learns from the second on
    before = panel.segment()
    shown = panel.record("mask", "step", "click_done")
    panel.place(False, (10, 10, k))
    events = [entry[0] for entry in shown]
    (_, (_, result), final, _), = [entry for entry in shown if entry[0] == "click_done"]
    assert result.refined and "step" in events, events  # a click with steps that changed the weights
    assert events[0] == "mask" and events.count("mask") == 1 and events[-1] == "click_done", events
    assert shown[0][3] == "Click 2: mask shown; the model adapts to the click…"
    first = before.copy()
    result.first_delta.apply_to(first)
    assert np.array_equal(shown[0][2], first)  # the segment showed the first mask while no step had been shown
    refined = before.copy()
    result.delta.apply_to(refined)
    assert np.array_equal(final, refined) and np.array_equal(panel.segment(), refined)
    assert np.array_equal(refined, (panel.work.session.mask() == 1).astype(np.uint8))
    assert "The adapted model refined the mask." in panel.widget.ui.statusLabel.text


def test_propagate_writes_each_proposed_slice_into_the_segment_as_it_arrives_and_lists_the_proposals(panel, lesion):
    i, j, k = lesion_centre(lesion)
    panel.place(True, (i, j, k))
    button = panel.widget.ui.propagateButton
    assert button.enabled
    shown = panel.record("propagation", "propagation_ended")
    button.click()
    assert not button.enabled  # while it runs: a propagation cannot be cancelled, so no second press
    pump(panel.widget, SERVER_SECONDS)
    assert button.enabled, panel.widget.ui.statusLabel.text
    (_, (run, result), _, _), = [entry for entry in shown if entry[0] == "propagation_ended"]
    assert result is not None and run.accept_first and run.steps, panel.widget.ui.statusLabel.text
    assert result.proposed and sorted(run.proposed) == sorted(result.proposed)
    lines = [status for event, _, _, status in shown if event == "propagation"]
    assert lines[0] == f"Propagating from slice k={k}: accepting it first, so the model learns from it…"
    slices = []
    for event, _, segment, status in shown:
        going = re.search(r"(\d+) slices? proposed, going (down|up) \(k=(\d+)\)…$", status)
        if event == "propagation" and going:
            index = int(going[3])
            slices.append(index)
            assert going[2] == ("down" if index < k else "up") and int(going[1]) <= len(result.proposed), status
            assert segment[index].any() == (index in result.proposed)  # written before its line was shown
    assert sorted(slices) == sorted(result.proposed + result.cleared)  # one progress line per slice
    segment = panel.segment()
    assert np.array_equal(segment, (panel.work.session.mask() == 1).astype(np.uint8))
    assert all(segment[s].any() for s in result.proposed)
    status = panel.widget.ui.statusLabel.text
    assert status.startswith(f"Propagated from slice k={k}: {len(result.proposed)} slice"), status
    assert panel.widget.ui.proposalsLabel.text.startswith("Proposals, not yet clicked or accepted: k=")
    corrected = result.proposed[0]
    panel.place(True, (i, j, corrected))  # a click on a proposal corrects it: the slice is the user's
    assert (2, corrected) not in panel.work.proposals and len(panel.work.proposals) == len(result.proposed) - 1
    panel.widget.ui.acceptButton.click()
    pump(panel.widget, SERVER_SECONDS)
    unchecked = len(result.proposed) - 1
    assert (f"The segment keeps {unchecked} proposed slice{'' if unchecked == 1 else 's'} you did not click"
            in panel.widget.ui.statusLabel.text), panel.widget.ui.statusLabel.text
    assert panel.widget.ui.proposalsLabel.text == "" and not panel.widget.ui.propagateButton.enabled


def test_a_propagation_the_server_refuses_is_a_sentence_in_the_status_line(panel, lesion):
    i, j, k = lesion_centre(lesion)
    panel.place(True, (i, j, k))
    panel.work.session.close()  # the session is gone on the server (expired, closed elsewhere)
    panel.widget.ui.propagateButton.click()
    pump(panel.widget, SERVER_SECONDS)
    status = panel.widget.ui.statusLabel.text
    assert status.endswith("[NOT_FOUND]") and "\n" not in status and "Traceback" not in status, status
    assert panel.widget.ui.propagateButton.enabled and panel.work.proposals.text() == ""


def test_new_workspace_is_created_on_the_server_from_the_chosen_workspaces_model_and_chosen_in_the_panel(widget, client, pi_mi):
    widget.ui.connectButton.click()
    pump(widget, SERVER_SECONDS)
    widget.ui.workspaceComboBox.setCurrentIndex(widget.ui.workspaceComboBox.findText(pi_mi))
    name = f"t1c-{len(client.workspaces())}"
    widget.ui.newWorkspaceLineEdit.text = f"  {name} "
    widget.ui.newWorkspaceButton.click()
    pump(widget, SERVER_SECONDS)
    created = client.workspace(name)
    assert created.model == client.workspace(pi_mi).model and created.model_version == 0
    assert widget.ui.workspaceComboBox.currentText == name and widget.ui.newWorkspaceLineEdit.text == ""
    assert f"Workspace '{name}' created from {created.model}" in widget.ui.statusLabel.text


def test_a_new_workspace_the_server_refuses_is_a_sentence_and_changes_nothing(widget, client, pi_mi):
    widget.ui.connectButton.click()
    pump(widget, SERVER_SECONDS)
    before = [w.name for w in client.workspaces()]
    widget.ui.newWorkspaceLineEdit.text = pi_mi  # taken
    widget.ui.newWorkspaceButton.click()
    pump(widget, SERVER_SECONDS)
    assert pi_mi in widget.ui.statusLabel.text and "exists" in widget.ui.statusLabel.text, widget.ui.statusLabel.text
    assert [w.name for w in client.workspaces()] == before
    widget.ui.newWorkspaceLineEdit.text = "   "
    widget.ui.newWorkspaceButton.click()
    assert widget.ui.statusLabel.text == "Type a name for the new workspace first."

