"""OAIMS: interactive segmentation whose model learns from your clicks, served by the OAIMS sidecar.

The module class, the Widget (Qt only: it forwards the user's actions to the Logic and shows what the Logic reports),
the Logic (OAIMSLib/logic.py, no Qt; network calls on a worker thread, MRML changes on the main thread) and the Test.
"""

import logging
import os
import sys

import qt
import slicer
import vtk
from vtk.util import numpy_support  # noqa: F401  (makes vtk.util.numpy_support reachable for OAIMSLib's box writes)
from slicer.ScriptedLoadableModule import (ScriptedLoadableModule, ScriptedLoadableModuleLogic,
                                           ScriptedLoadableModuleTest, ScriptedLoadableModuleWidget)
from slicer.util import VTKObservationMixin

# The client package sits beside this folder in the source tree (slicer-plugin/oaims_client) and beside this file
# once built as an extension; either way it must be importable.
_PLUGIN_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.isdir(os.path.join(_PLUGIN_ROOT, "oaims_client")) and _PLUGIN_ROOT not in sys.path:
    sys.path.append(_PLUGIN_ROOT)

from oaims_client.geometry import SliceView  # noqa: E402
from OAIMSLib import logic as _logic  # noqa: E402
from OAIMSLib.jobs import BUSY_INTERVAL_MS  # noqa: E402
from OAIMSLib.settings import ServerSettings  # noqa: E402

HEARTBEAT_MS = 60_000
log = logging.getLogger("OAIMS")

# Keys, active while OAIMS is the shown module. None of them is one of Slicer's slice-view keys or one the embedded
# Segment Editor installs (digits, z, y, Esc): docs/slicer.md lists both.
SHORTCUTS = (("a", "positive point"), ("d", "negative point"), ("u", "undo click"), ("Ctrl+Return", "accept, next volume"))


class OAIMS(ScriptedLoadableModule):
    """Module description shown in Slicer's module list."""

    def __init__(self, parent):
        ScriptedLoadableModule.__init__(self, parent)
        self.parent.title = "OAIMS"
        self.parent.categories = ["Segmentation"]
        self.parent.dependencies = ["Markups", "Segmentations"]
        self.parent.contributors = ["OAIMS developers"]
        self.parent.helpText = (
            "Click inside (positive) and outside (negative) a structure; the OAIMS server segments it and adapts "
            "its model after every click. Accept commits the mask so the model learns from it. "
            "See docs/slicer.md in the OAIMS repository.")
        self.parent.acknowledgementText = "The default model was trained on BraTS 2013 cases (CC BY-NC-SA 3.0)."


class OAIMSLogic(_logic.OAIMSLogic, ScriptedLoadableModuleLogic):
    """The Slicer-side Logic: OAIMSLib.logic.OAIMSLogic bound to the real slicer and vtk modules.

    The Qt-free Logic comes first in the bases: ScriptedLoadableModuleLogic.__init__ calls super().__init__(), which
    with the other order ran OAIMSLib's __init__ a second time (a second, orphaned network thread per Logic)."""

    def __init__(self, listener=None):
        _logic.OAIMSLogic.__init__(self, slicer=slicer, vtk=vtk, listener=listener)
        ScriptedLoadableModuleLogic.__init__(self)  # its super().__init__() is object's now


class OAIMSWidget(ScriptedLoadableModuleWidget, VTKObservationMixin):
    """The panel: server, volume, clicks, model. Qt and MRML only; the Logic does the work and calls back on_* methods."""

    def __init__(self, parent=None):
        ScriptedLoadableModuleWidget.__init__(self, parent)
        VTKObservationMixin.__init__(self)
        self.logic = None
        self._pointLists = {}
        self._points = []  # (markups node, control point ID, click record) of each click sent or in effect, in order

    def setup(self):
        ScriptedLoadableModuleWidget.setup(self)
        uiWidget = slicer.util.loadUI(self.resourcePath("UI/OAIMS.ui"))
        self.layout.addWidget(uiWidget)
        self.ui = slicer.util.childWidgetVariables(uiWidget)
        uiWidget.setMRMLScene(slicer.mrmlScene)
        self.logic = OAIMSLogic(listener=self)

        settings = self.logic.load_settings()
        self.ui.serverUrlLineEdit.text = settings.url
        self.ui.tokenLineEdit.text = settings.token
        self.ui.rememberTokenCheckBox.checked = bool(settings.token)  # off unless the user chose to remember one
        self.ui.caCertificatePathLineEdit.currentPath = settings.ca_certificate
        self._savedWorkspace = settings.workspace

        self.ui.connectButton.clicked.connect(lambda: self._guarded(self.onConnect))
        self.ui.startButton.clicked.connect(lambda: self._guarded(self.onStart))
        self.ui.undoButton.clicked.connect(lambda: self._guarded(self.logic.undo))
        self.ui.acceptButton.clicked.connect(lambda: self._guarded(self.logic.accept))
        self.ui.propagateButton.clicked.connect(lambda: self._guarded(self.logic.propagate))
        self.ui.resetModelButton.clicked.connect(lambda: self._guarded(self.onResetModel))
        self.ui.undoResetButton.clicked.connect(lambda: self._guarded(self.logic.undo_reset))
        self.ui.newWorkspaceButton.clicked.connect(
            lambda: self._guarded(self.logic.create_workspace, self.ui.newWorkspaceLineEdit.text, self._currentWorkspace()))
        self.ui.positivePointButton.toggled.connect(lambda on: self._guarded(self._placeMode, True, on))
        self.ui.negativePointButton.toggled.connect(lambda on: self._guarded(self._placeMode, False, on))

        # Esc or a right-click in a view leaves place mode through the interaction node: the buttons follow it.
        interaction = slicer.app.applicationLogic().GetInteractionNode()
        self.addObserver(interaction, interaction.InteractionModeChangedEvent,
                         lambda caller, event: self._guarded(self._onInteractionModeChanged, caller, event))
        # Another markups tool taking over place mode (the Markups toolbar) leaves ours too.
        selection = slicer.app.applicationLogic().GetSelectionNode()
        self.addObserver(selection, selection.ActivePlaceNodeIDChangedEvent,
                         lambda caller, event: self._guarded(self._onActivePlaceNodeChanged, caller))
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.StartCloseEvent,
                         lambda caller, event: self._guarded(self._onSceneStartClose, caller, event))

        # Network results come back through this timer, on the main thread; it speeds up while a job is busy
        # (OAIMSLib/jobs.py says why: Slicer's main thread holds Python's lock while Qt waits).
        self._pumpTimer = qt.QTimer()
        self._pumpTimer.timeout.connect(self._onPumpTick)
        self._pumpTimer.setInterval(self.logic.jobs.tick())
        self._pumpTimer.start()
        self._heartbeatTimer = qt.QTimer()
        self._heartbeatTimer.setInterval(HEARTBEAT_MS)
        self._heartbeatTimer.timeout.connect(lambda: self._guarded(self.logic.keep_alive))
        self._heartbeatTimer.start()
        self._setupShortcuts()
        self._setupSegmentEditor()
        self._updateButtons()

    def _setupShortcuts(self):
        actions = {"positive point": self.ui.positivePointButton.click, "negative point": self.ui.negativePointButton.click,
                   "undo click": self.ui.undoButton.click, "accept, next volume": self.ui.acceptButton.click}
        self._shortcuts = []
        for key, name in SHORTCUTS:
            action = actions[name]
            shortcut = qt.QShortcut(slicer.util.mainWindow())
            shortcut.setKey(qt.QKeySequence(key))
            shortcut.setEnabled(False)  # enter() turns them on while the module is shown
            shortcut.activated.connect(lambda act=action: self._guarded(act))
            self._shortcuts.append(shortcut)

    def _setupSegmentEditor(self):
        """The embedded Segment Editor edits the segment OAIMS writes into, with its own node (not the Segment
        Editor module's), so switching modules keeps both set up."""
        editor = self.ui.segmentEditorWidget
        editor.setMRMLScene(slicer.mrmlScene)
        editor.setSegmentationNodeSelectorVisible(False)  # it follows the panel's volume and segment
        editor.setSourceVolumeNodeSelectorVisible(False)
        editor.setMRMLSegmentEditorNode(self._segmentEditorNode())

    def _segmentEditorNode(self):
        node = getattr(self, "_editorNode", None)
        if node is None or slicer.mrmlScene.GetNodeByID(node.GetID()) is None:  # gone with a closed scene
            node = slicer.mrmlScene.AddNewNodeByClass("vtkMRMLSegmentEditorNode", "OAIMS segment editor")
            self._editorNode = node
        return node

    def enter(self):
        """The module is shown: its shortcuts and the Segment Editor's own come on."""
        for shortcut in self._shortcuts:
            shortcut.setEnabled(True)
        self.ui.segmentEditorWidget.installKeyboardShortcuts()

    def exit(self):
        """Another module is shown: the keys go back to it."""
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
        self.ui.segmentEditorWidget.uninstallKeyboardShortcuts()

    def cleanup(self):
        """Module unload and Reload: observers off, timers stopped, session closed, the network thread ended."""
        self.removeObservers()
        for shortcut in getattr(self, "_shortcuts", ()):
            shortcut.setEnabled(False)
            shortcut.deleteLater()  # parented to the main window: without this a Reload would leave it behind
        for timer in (getattr(self, "_pumpTimer", None), getattr(self, "_heartbeatTimer", None)):
            if timer is not None:
                timer.stop()
        if self.logic is not None:
            self.logic.shutdown()
            self.logic.jobs.wait_idle(2.0)  # runs the closing job's callback; the thread then ends

    def _guarded(self, action, *args):
        """Runs a user action; any exception a Slicer call raises becomes the status line's sentence."""
        try:
            action(*args)
        except Exception as error:
            self.on_error(_logic.user_sentence(error))

    def _onPumpTick(self):
        try:
            interval = self.logic.jobs.tick()
        except Exception as error:
            self.on_error(_logic.user_sentence(error))
            interval = BUSY_INTERVAL_MS
        if interval != self._pumpTimer.interval:
            self._pumpTimer.setInterval(interval)

    # --- user actions ------------------------------------------------------------------------------------------

    def onConnect(self):
        settings = ServerSettings(self.ui.serverUrlLineEdit.text.strip(), self.ui.tokenLineEdit.text.strip(),
                                  self.ui.caCertificatePathLineEdit.currentPath, self._currentWorkspace())
        self.logic.save_settings(settings, self.ui.rememberTokenCheckBox.checked)
        self.ui.serverInfoLabel.text = "Connecting (installing grpcio and protobuf first if needed)…"
        slicer.app.processEvents()
        self.logic.connect(settings)

    def onStart(self):
        volume = self.ui.volumeSelector.currentNode()
        segmentation = self.ui.segmentSelector.currentNode()
        segmentId = self.ui.segmentSelector.currentSegmentID() or ""
        hasContent = self.logic.segment_has_content(segmentation, segmentId, volume)
        fromSegment = hasContent and self.ui.startFromSegmentCheckBox.checked
        self._startVolume(volume, segmentation, segmentId, fromSegment)
        # Said once the session is open (on_session_started), as that line replaces the status.
        if fromSegment:
            self._startNote = " The server starts from the segment's voxels; each click replaces them on its slice."
        elif hasContent:
            self._startNote = " The segment's voxels are kept; each click replaces them only inside the box its mask changes."

    def _startVolume(self, volume, segmentation, segmentId, fromSegment=False):
        self._startNote = ""
        self._uncheckPlaceButtons()
        self._clearPoints()
        self.ui.uploadProgressBar.value = 0
        self.ui.stepsTextEdit.plainText = ""
        self.ui.statusLabel.text = "Uploading (only the first time this volume is used)…"
        self.logic.start(volume, segmentation, segmentId, self._currentWorkspace(), from_segment=fromSegment,
                         field_of_view=int(self.ui.fieldOfViewSpinBox.value))

    def onResetModel(self):
        workspace = self._currentWorkspace()
        if slicer.util.confirmOkCancelDisplay(
                f"Reset the model of workspace '{workspace}' to its source weights? What it learned since is no longer "
                "used (Undo reset brings it back)."):
            self.logic.reset_model(workspace)

    def _currentWorkspace(self):
        return self.ui.workspaceComboBox.currentText

    # --- points ------------------------------------------------------------------------------------------------

    def _pointList(self, positive):
        node = self._pointLists.get(positive)
        if node is None or slicer.mrmlScene.GetNodeByID(node.GetID()) is None:
            name = "OAIMS positive" if positive else "OAIMS negative"
            node = slicer.mrmlScene.AddNewNodeByClass("vtkMRMLMarkupsFiducialNode", name)
            node.CreateDefaultDisplayNodes()
            node.GetDisplayNode().SetSelectedColor((0.2, 0.9, 0.2) if positive else (0.95, 0.2, 0.2))
            node.GetDisplayNode().SetPointLabelsVisibility(False)
            self.addObserver(node, slicer.vtkMRMLMarkupsNode.PointPositionDefinedEvent,
                             lambda caller, event, p=positive: self._guarded(self._onPointPlaced, caller, p))
            self._pointLists[positive] = node
        return node

    def _placeMode(self, positive, on):
        other = self.ui.negativePointButton if positive else self.ui.positivePointButton
        interaction = slicer.app.applicationLogic().GetInteractionNode()
        if not on:
            if not other.checked:
                interaction.SetCurrentInteractionMode(interaction.ViewTransform)
            return
        other.blockSignals(True)
        other.checked = False
        other.blockSignals(False)
        selection = slicer.app.applicationLogic().GetSelectionNode()
        selection.SetReferenceActivePlaceNodeClassName("vtkMRMLMarkupsFiducialNode")
        selection.SetReferenceActivePlaceNodeID(self._pointList(positive).GetID())  # fires ActivePlaceNodeIDChangedEvent
        interaction.SetPlaceModePersistence(1)
        interaction.SetCurrentInteractionMode(interaction.Place)

    def _onInteractionModeChanged(self, caller, event):
        if caller.GetCurrentInteractionMode() != caller.Place:
            self._uncheckPlaceButtons()

    def _onActivePlaceNodeChanged(self, selection):
        ours = [node.GetID() for node in self._pointLists.values()]
        if selection.GetActivePlaceNodeID() not in ours:
            self._uncheckPlaceButtons()

    def _uncheckPlaceButtons(self):
        for button in (self.ui.positivePointButton, self.ui.negativePointButton):
            button.blockSignals(True)
            button.checked = False
            button.blockSignals(False)

    def _onPointPlaced(self, node, positive):
        n = node.GetNumberOfControlPoints() - 1
        if n < 0:
            return
        ras = [0.0, 0.0, 0.0]
        node.GetNthControlPointPositionWorld(n, ras)
        pointId = node.GetNthControlPointID(n)
        views, hovered = self._sliceViews()
        record = self.logic.click_at(ras, positive, views, hovered)
        if record is None:  # refused at once (outside the volume, no session): the point goes, undo stays right
            self._removePoint(node, pointId)
        else:
            self._points.append((node, pointId, record))

    def _sliceViews(self):
        """Every visible slice view's plane, and the name of the one under the mouse (where the point was placed)."""
        layout = slicer.app.layoutManager()
        views, hovered = [], None
        for name in layout.sliceViewNames():
            widget = layout.sliceWidget(name)
            if not widget.isVisible():
                continue
            matrix = slicer.util.arrayFromVTKMatrix(widget.mrmlSliceNode().GetSliceToRAS())
            views.append(SliceView(name, matrix))
            if widget.sliceView().underMouse():
                hovered = name
        return views, hovered

    @staticmethod
    def _removePoint(node, pointId):
        index = node.GetNthControlPointIndexByID(pointId)
        if index >= 0:
            node.RemoveNthControlPoint(index)

    def _removeClickPoint(self, record):
        for entry in self._points:
            if entry[2] is record:
                self._points.remove(entry)
                self._removePoint(entry[0], entry[1])
                return

    def _clearPoints(self):
        for node in self._pointLists.values():
            if slicer.mrmlScene.GetNodeByID(node.GetID()) is not None:
                node.RemoveAllControlPoints()
        self._points = []

    # --- scene -------------------------------------------------------------------------------------------------

    def _onSceneStartClose(self, caller, event):
        """File > Close Scene: the volume and the point lists go, so the session ends with them."""
        self._uncheckPlaceButtons()
        self.logic.end_session()
        self._points = []
        self._pointLists = {}
        self.ui.statusLabel.text = "The scene was closed: the session ended. Choose a volume and press Start."
        self._updateButtons()

    # --- what the Logic reports (main thread) ------------------------------------------------------------------

    def on_connected(self, capabilities):
        models = ", ".join(f"{m.name} ({m.task})" for m in capabilities.models) or "none"
        self.ui.serverInfoLabel.text = (f"OAIMS {capabilities.server_version} on {capabilities.device}. Models: {models}.")
        self.ui.workspaceComboBox.clear()
        for name in capabilities.workspaces:
            self.ui.workspaceComboBox.addItem(name)
        saved = self.ui.workspaceComboBox.findText(self._savedWorkspace)
        if saved >= 0:
            self.ui.workspaceComboBox.setCurrentIndex(saved)
        self._updateButtons()

    def on_upload_progress(self, sent, total):
        self.ui.uploadProgressBar.value = int(100 * sent / total) if total else 100

    def on_session_started(self, work):
        self.ui.uploadProgressBar.value = 100
        reused = " (already on the server)" if work.image.already_known else ""
        note, self._startNote = getattr(self, "_startNote", ""), ""
        self.ui.statusLabel.text = f"Session open on '{work.volume_node.GetName()}'{reused}, model v{work.session.info.model_version}.{note}"
        self.ui.segmentSelector.setCurrentNode(work.segmentation_node)
        self.ui.segmentSelector.setCurrentSegmentID(work.segment_id)
        editor = self.ui.segmentEditorWidget
        editor.setMRMLSegmentEditorNode(self._segmentEditorNode())
        editor.setSegmentationNode(work.segmentation_node)
        editor.setSourceVolumeNode(work.volume_node)
        editor.setCurrentSegmentID(work.segment_id)
        self.ui.proposalsLabel.text = ""
        self._updateButtons()

    def on_session_ended(self, work):
        self.ui.proposalsLabel.text = ""
        self._updateButtons()

    def on_step(self, record, step):
        self._showHistory()

    def on_mask(self, record, delta):
        # The first mask is already in the segment (the views redraw on their own); the steps may still be running.
        self.ui.statusLabel.text = f"Click {record.number}: mask shown; the model adapts to the click…"

    def on_click_done(self, record, result):
        self._showHistory()
        self._showProposals()
        refined = " The adapted model refined the mask." if result.refined else ""
        self.ui.statusLabel.text = (f"Click {record.number}: {result.latency.total_ms:.0f} ms on the server, "
                                    f"model v{result.model_version}.{refined}")

    def on_click_refused(self, record):
        self._removeClickPoint(record)
        self._showHistory()

    def on_undone(self, result):
        if result.undone and self._points:
            node, pointId, _ = self._points.pop()
            self._removePoint(node, pointId)
        self._showHistory()
        if not result.undone:
            self.ui.statusLabel.text = "Nothing to undo."
        elif result.weights_kept_reason:
            self.ui.statusLabel.text = f"Last click undone; the model keeps its learning because {result.weights_kept_reason}."
        else:
            self.ui.statusLabel.text = "Last click undone."

    def on_propagation(self, run):
        """A propagation started or sent a step or a slice (already written into the segment)."""
        self.ui.statusLabel.text = run.progress()
        self._showProposals()
        self._updateButtons()

    def on_propagation_ended(self, run, result):
        if result is not None:  # else on_error has said why
            self.ui.statusLabel.text = run.summary(result)
        self._showProposals()
        self._updateButtons()

    def _showProposals(self):
        work = self.logic.work
        self._unchecked = len(work.proposals) if work is not None else 0
        self.ui.proposalsLabel.text = work.proposals.text() if work is not None else ""

    def on_hand_edits(self, voxels):
        self._handEdits = voxels

    def on_committed(self, result):
        self._showHistory()
        current = self.ui.volumeSelector.currentNode()
        following = self.logic.next_volume(current)
        self.ui.statusLabel.text = f"Accepted: model v{result.model_version} ({result.steps_applied} steps)."
        edits, self._handEdits = getattr(self, "_handEdits", 0), 0
        if edits:
            self.ui.statusLabel.text += (f" Your segment keeps {edits} voxels edited by hand; the model learned from"
                                         " the segment as you accepted it.")
        unchecked, self._unchecked = getattr(self, "_unchecked", 0), 0
        if unchecked:
            slices = "1 proposed slice" if unchecked == 1 else f"{unchecked} proposed slices"
            self.ui.statusLabel.text += (f" The segment keeps {slices} you did not click; the model learned only from"
                                         " the slices you clicked or accepted.")
        self.ui.proposalsLabel.text = ""
        self._clearPoints()
        if following is None or following is current:
            self.ui.statusLabel.text += " That was the last volume."
            self._updateButtons()
            return
        self.ui.volumeSelector.setCurrentNode(following)
        slicer.util.setSliceViewerLayers(background=following, fit=True)
        self._startVolume(following, None, "")

    def on_model_reset(self, info):
        self.ui.statusLabel.text = f"Workspace '{info.name}' reset to its source weights (v{info.model_version}). Undo reset brings back what it had learned."
        self._updateButtons()

    def on_workspace_created(self, info):
        if self.ui.workspaceComboBox.findText(info.name) < 0:
            self.ui.workspaceComboBox.addItem(info.name)
        self.ui.workspaceComboBox.setCurrentIndex(self.ui.workspaceComboBox.findText(info.name))
        self.ui.newWorkspaceLineEdit.text = ""
        self.ui.statusLabel.text = (f"Workspace '{info.name}' created from {info.model} ({info.strategy}); it learns apart "
                                    "from the others. Press Start to work in it.")
        self._updateButtons()

    def on_model_restored(self, info):
        self.ui.statusLabel.text = f"Reset undone: workspace '{info.name}' is back to what it had learned (v{info.model_version})."
        self._updateButtons()

    def on_versions(self, history):
        self.ui.statusLabel.text = f"{len(history.versions)} versions, current v{history.current_version}."

    def on_busy(self, busy):
        self.ui.connectButton.enabled = not busy
        self.ui.startButton.enabled = not busy and self.logic.connected
        if busy and self._pumpTimer.interval != BUSY_INTERVAL_MS:
            self._pumpTimer.setInterval(BUSY_INTERVAL_MS)  # the first reply must not wait for an idle tick

    def on_error(self, sentence):
        """Shown in the panel's status line and the log, never in a modal dialog: a dialog's own event loop would
        run the pump timer inside it and stack further dialogs."""
        self.ui.statusLabel.text = sentence
        log.warning("OAIMS: %s", sentence)

    def _showHistory(self):
        self.ui.stepsTextEdit.plainText = self.logic.history.text()
        self.ui.stepsTextEdit.verticalScrollBar().setValue(self.ui.stepsTextEdit.verticalScrollBar().maximum)
        self.ui.lossSparklineLabel.text = "Loss per click: " + self.logic.history.sparkline()

    def _updateButtons(self):
        connected = self.logic is not None and self.logic.connected
        inSession = connected and self.logic.work is not None
        self.ui.startButton.enabled = connected
        self.ui.resetModelButton.enabled = connected
        self.ui.newWorkspaceButton.enabled = connected
        self.ui.undoResetButton.enabled = connected and self.logic.reset_undo is not None
        for button in (self.ui.positivePointButton, self.ui.negativePointButton, self.ui.undoButton, self.ui.acceptButton):
            button.enabled = inSession
        # No second press while one runs: a propagation cannot be cancelled (OAIMSLogic.propagate says why).
        self.ui.propagateButton.enabled = inSession and self.logic.propagation is None


class OAIMSTest(ScriptedLoadableModuleTest):
    """Checks, inside Slicer, the few scene calls the Logic relies on (the rest runs in slicer-plugin/tests)."""

    def setUp(self):
        slicer.mrmlScene.Clear()

    def runTest(self):
        self.setUp()
        self.test_world_matrix_includes_the_parent_transform()
        self.setUp()
        self.test_segment_writes_use_kji_order()
        self.setUp()
        self.test_a_box_write_changes_only_its_box_and_moves_nothing()

    def _volume(self):
        import numpy as np
        node = slicer.mrmlScene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", "oaims-test")
        slicer.util.updateVolumeFromArray(node, np.zeros((4, 5, 6), dtype=np.int16))  # [k, j, i]
        node.SetSpacing(2.0, 3.0, 4.0)
        return node

    def test_world_matrix_includes_the_parent_transform(self):
        import numpy as np
        volume = self._volume()
        transform = slicer.mrmlScene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
        shift = vtk.vtkMatrix4x4()
        shift.SetElement(0, 3, 10.0)
        transform.SetMatrixTransformToParent(shift)
        volume.SetAndObserveTransformNodeID(transform.GetID())
        logic = _logic.OAIMSLogic(slicer=slicer, vtk=vtk)
        world = logic.volume_ijk_to_world(volume)
        logic.shutdown()
        own = vtk.vtkMatrix4x4()
        volume.GetIJKToRASMatrix(own)
        expected = slicer.util.arrayFromVTKMatrix(own)
        expected[0, 3] += 10.0
        self.assertTrue(np.allclose(world, expected))
        self.delayDisplay("World matrix includes the parent transform")

    def _segmentWithOneVoxel(self, volume, name, kji):
        """A segmentation on the volume's grid whose segment `name` holds the one voxel `kji`."""
        import numpy as np
        segmentation = slicer.mrmlScene.AddNewNodeByClass("vtkMRMLSegmentationNode")
        segmentation.SetReferenceImageGeometryParameterFromVolumeNode(volume)
        segmentId = segmentation.GetSegmentation().AddEmptySegment("", name)
        labels = np.zeros((4, 5, 6), dtype=np.uint8)
        labels[kji] = 1
        slicer.util.updateSegmentBinaryLabelmapFromArray(labels, segmentation, segmentId, volume)
        return segmentation, segmentId, labels

    def test_segment_writes_use_kji_order(self):
        volume = self._volume()
        segmentation, segmentId, labels = self._segmentWithOneVoxel(volume, "lesion", (3, 1, 5))  # k=3, j=1, i=5
        back = slicer.util.arrayFromSegmentBinaryLabelmap(segmentation, segmentId, volume)
        self.assertEqual(back.shape, labels.shape)
        self.assertEqual(int(back[3, 1, 5]), 1)
        self.assertEqual(int(back.sum()), 1)
        self.delayDisplay("Segment arrays are [k, j, i]")

    def test_a_box_write_changes_only_its_box_and_moves_nothing(self):
        import numpy as np
        from OAIMSLib.segment_target import SegmentTarget
        volume = self._volume()
        segmentation, kept, _ = self._segmentWithOneVoxel(volume, "kept", (0, 0, 0))
        target = SegmentTarget.prepare(slicer, vtk, volume, segmentation, "", "lesion")
        target.write_box(np.ones((1, 2, 3), dtype=np.uint8), (slice(3, 4), slice(1, 3), slice(2, 5)))
        written = slicer.util.arrayFromSegmentBinaryLabelmap(segmentation, target.segment_id, volume)
        self.assertEqual(int(written.sum()), 6)
        self.assertEqual(int(written[3, 1:3, 2:5].sum()), 6)
        self.assertEqual(int(slicer.util.arrayFromSegmentBinaryLabelmap(segmentation, kept, volume).sum()), 1)
        self.assertIsNone(segmentation.GetParentTransformNode())
        self.delayDisplay("A box write changes only its box")
