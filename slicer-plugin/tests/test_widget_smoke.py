"""OAIMS.py imported and driven with Qt, slicer and vtk mocked: catches wiring mistakes in the Widget that only
Slicer would otherwise find (names, signatures, listener methods). Behaviour is tested on the Logic."""

import importlib
import sys
import types
from unittest import mock

import numpy as np
import pytest

from oaims_client.results import AdaptationStep, Capabilities, ClickResult, CommitResult, Latency, ModelInfo, UndoResult
from oaims_client.masks import MaskDelta


class _Base:
    def __init__(self, parent=None):
        self.parent = parent if parent is not None else mock.MagicMock()
        self.layout = mock.MagicMock()

    def setup(self):
        pass

    def resourcePath(self, name):
        return name


class _Mixin:
    def __init__(self):
        self.observed = []

    def addObserver(self, node, event, callback):
        self.observed.append((node, event, callback))

    def removeObservers(self):
        self.observed = []


@pytest.fixture
def oaims_module(monkeypatch):
    slicer = mock.MagicMock(name="slicer")
    scripted = types.ModuleType("slicer.ScriptedLoadableModule")
    for name in ("ScriptedLoadableModule", "ScriptedLoadableModuleWidget", "ScriptedLoadableModuleLogic", "ScriptedLoadableModuleTest"):
        setattr(scripted, name, type(name, (_Base,), {}))
    util = types.ModuleType("slicer.util")
    util.VTKObservationMixin = _Mixin
    slicer.ScriptedLoadableModule = scripted
    slicer.util = mock.MagicMock()
    slicer.util.VTKObservationMixin = _Mixin
    slicer.util.confirmOkCancelDisplay.return_value = True
    monkeypatch.setitem(sys.modules, "slicer", slicer)
    monkeypatch.setitem(sys.modules, "slicer.ScriptedLoadableModule", scripted)
    monkeypatch.setitem(sys.modules, "slicer.util", slicer.util)
    monkeypatch.setitem(sys.modules, "qt", mock.MagicMock(name="qt"))
    monkeypatch.setitem(sys.modules, "vtk", mock.MagicMock(name="vtk"))
    sys.modules.pop("OAIMS", None)
    module = importlib.import_module("OAIMS")
    yield module, slicer
    sys.modules.pop("OAIMS", None)


def test_the_widget_sets_up_and_shows_what_the_logic_reports(oaims_module):
    module, slicer = oaims_module
    slicer.app.settings.return_value.value.side_effect = lambda key, default=None: default
    widget = module.OAIMSWidget()
    widget.setup()
    ui = widget.ui
    ui.workspaceComboBox.findText.return_value = 0
    ui.stepsTextEdit.verticalScrollBar.return_value.maximum = 10
    model = ModelInfo("brain-flair", "brain-lesion", ("background", "lesion"), 1, 256)
    widget.on_connected(Capabilities("1.0", "cpu", (model,), ("pi+mi",), ("brain-flair",), False, {}))
    assert "cpu" in ui.serverInfoLabel.text and "brain-flair" in ui.serverInfoLabel.text
    widget.on_upload_progress(50, 200)
    assert ui.uploadProgressBar.value == 25
    record = widget.logic.history.start(True, 2, (1, 2, 3))
    step = AdaptationStep(0, "mi", 0.25, 40.0, 7, True)
    record.steps.append(step)
    widget.on_step(record, step)
    assert "loss 0.2500" in ui.stepsTextEdit.plainText
    empty = MaskDelta(None, 1, b"")
    widget.on_click_done(record, ClickResult((step,), empty, 2, 3, 1, 7, Latency(total_ms=90.0), 95.0))
    widget.on_undone(UndoResult(True, empty, 8, 0))
    widget.on_error("The session expired. [FAILED_PRECONDITION]")
    slicer.util.errorDisplay.assert_called_with("The session expired. [FAILED_PRECONDITION]")
    widget.logic.next_volume = lambda current: None
    widget.on_committed(CommitResult((), 9, 2, Latency()))
    assert "last volume" in ui.statusLabel.text
    widget.on_busy(True)
    widget.cleanup()


def test_a_placed_point_goes_to_the_logic_in_world_coordinates_with_the_slice_views(oaims_module):
    module, slicer = oaims_module
    widget = module.OAIMSWidget()
    widget.setup()
    widget.logic.click_at = mock.MagicMock()
    layout = slicer.app.layoutManager.return_value
    layout.sliceViewNames.return_value = ["Red"]
    slicer.util.arrayFromVTKMatrix.return_value = np.eye(4)
    node = mock.MagicMock()
    node.GetNumberOfControlPoints.return_value = 1
    node.GetNthControlPointPositionWorld.side_effect = lambda n, out: out.__setitem__(slice(0, 3), [1.0, 2.0, 3.0])
    widget._onPointPlaced(node, positive=False)
    ras, positive, views, hovered = widget.logic.click_at.call_args.args
    assert ras == [1.0, 2.0, 3.0] and positive is False and [v.name for v in views] == ["Red"]
    widget.cleanup()
