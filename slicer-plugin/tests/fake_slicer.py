"""A strict fake of the Slicer, Qt and VTK calls the OAIMS module makes, so Logic and Widget run in CI without Slicer.

Strict: every fake class raises AttributeError on an attribute it does not define, read or written (see `Strict`),
so a misspelled call, or one the module makes without this fake knowing it, fails a test instead of passing as it
would with MagicMock. Each faked call names where the real one is defined in Slicer 5.8's source (Slicer/Slicer on
GitHub) or in Qt/VTK; each behaves as that source does for the arguments the module passes.

Paths below are relative to the Slicer source tree:
  util.py   = Base/Python/slicer/util.py
  SLM.py    = Base/Python/slicer/ScriptedLoadableModule.py
  Seg       = Modules/Loadable/Segmentations
  MRML      = Libs/MRML/Core
"""

from __future__ import annotations

import itertools
import os
import types
import xml.etree.ElementTree as ElementTree

import numpy as np

_ids = itertools.count(1)


class Strict:
    """Raises on any attribute it does not define. Data attributes a test or the module may assign are listed in
    `_settable` (Qt properties, test knobs); underscore names are the fake's own state."""

    _settable: tuple = ()

    def __setattr__(self, name, value):
        if not name.startswith("_") and name not in self._settable and not isinstance(getattr(type(self), name, None), property):
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}: the fake does not know it (check Slicer's API)")
        object.__setattr__(self, name, value)

    def __getattr__(self, name):  # only called when normal lookup failed
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}: the fake does not know it (check Slicer's API)")


# --- VTK -------------------------------------------------------------------------------------------------------------

class Observable(Strict):
    """vtkObject's observers: AddObserver(event, callback[, priority]) -> tag, RemoveObserver(tag), InvokeEvent(event)
    (VTK Common/Core/vtkObject.h). Callbacks get (caller, event name) as VTK's Python wrapping passes them."""

    def __init__(self):
        self._observers = {}

    def AddObserver(self, event, callback, priority=0.0):
        tag = next(_ids)
        self._observers[tag] = (event, callback)
        return tag

    def RemoveObserver(self, tag):
        self._observers.pop(tag, None)

    def InvokeEvent(self, event, data=None):
        for observed, callback in list(self._observers.values()):
            if observed == event:
                callback(self, event)

    def observer_count(self):
        return len(self._observers)


class Matrix4x4(Strict):
    """vtk.vtkMatrix4x4 (VTK Common/Math/vtkMatrix4x4.h): SetElement(row, column, value), GetElement, DeepCopy."""

    def __init__(self):
        self._a = np.eye(4)

    def SetElement(self, row, column, value):
        self._a[row, column] = float(value)

    def GetElement(self, row, column):
        return float(self._a[row, column])

    def DeepCopy(self, other):
        self._a = np.array(other._a if isinstance(other, Matrix4x4) else other, dtype=float)


class VtkArray(Strict):
    """What vtk.util.numpy_support.numpy_to_vtk returns: a vtkDataArray holding a copy of the numpy data."""

    def __init__(self, values, array_type):
        self._values = np.array(values, copy=True)
        self._type = array_type


class PointData(Strict):
    """vtkImageData.GetPointData() (VTK Common/DataModel/vtkDataSetAttributes.h): SetScalars(array)."""

    def __init__(self):
        self._scalars = None

    def SetScalars(self, array):
        self._scalars = array


class OrientedImageData(Strict):
    """slicer.vtkOrientedImageData (Libs/vtkSegmentationCore/vtkOrientedImageData.h): a vtkImageData with an
    image-to-world matrix. SetExtent(x0, x1, y0, y1, z0, z1), GetExtent(), SetImageToWorldMatrix(m), GetPointData()."""

    def __init__(self):
        self._extent = (0, -1, 0, -1, 0, -1)
        self._matrix = np.eye(4)
        self._points = PointData()

    def SetExtent(self, x0, x1, y0, y1, z0, z1):
        self._extent = (x0, x1, y0, y1, z0, z1)

    def GetExtent(self):
        return self._extent

    def SetImageToWorldMatrix(self, matrix):
        self._matrix = matrix._a.copy()

    def GetPointData(self):
        return self._points

    def labels_kji(self):
        x0, x1, y0, y1, z0, z1 = self._extent
        return self._points._scalars._values.reshape(z1 - z0 + 1, y1 - y0 + 1, x1 - x0 + 1)


class NumpySupport(Strict):
    """vtk.util.numpy_support (VTK Wrapping/Python/vtkmodules/util/numpy_support.py): numpy_to_vtk(num_array,
    deep=0, array_type=None) takes a contiguous 1D array."""

    @staticmethod
    def numpy_to_vtk(num_array, deep=0, array_type=None):
        assert num_array.ndim == 1 and num_array.flags.c_contiguous, "numpy_to_vtk takes a contiguous 1D array here"
        return VtkArray(num_array, array_type)


class FakeVtk(Strict):
    """The `vtk` module: vtkMatrix4x4, VTK_UNSIGNED_CHAR (= 3, VTK Common/Core/vtkType.h), util.numpy_support."""

    VTK_UNSIGNED_CHAR = 3

    def __init__(self):
        self.vtkMatrix4x4 = Matrix4x4
        self.util = types.SimpleNamespace(numpy_support=NumpySupport())

    _settable = ("vtkMatrix4x4", "util")


# --- MRML nodes ------------------------------------------------------------------------------------------------------

class Node(Observable):
    """vtkMRMLNode (MRML/vtkMRMLNode.h): GetName, GetID, IsA, GetClassName, and, for transformable nodes
    (MRML/vtkMRMLTransformableNode.h), GetParentTransformNode, GetTransformNodeID, SetAndObserveTransformNodeID."""

    class_name = "vtkMRMLNode"
    ModifiedEvent = "ModifiedEvent"

    def __init__(self, name, transform=None):
        super().__init__()
        self._name = name
        self._id = f"{self.class_name}{next(_ids)}"
        self._transform = transform
        self._transform_changes = 0

    def GetName(self):
        return self._name

    def GetID(self):
        return self._id

    def GetClassName(self):
        return self.class_name

    def IsA(self, class_name):
        return class_name in [c.class_name for c in type(self).__mro__ if "class_name" in c.__dict__]

    def GetParentTransformNode(self):
        return self._transform

    def GetTransformNodeID(self):
        return self._transform.GetID() if self._transform else None

    def SetAndObserveTransformNodeID(self, node_id):
        self._transform_changes += 1
        self._transform = TRANSFORMS.get(node_id)


TRANSFORMS = {}


class TransformNode(Node):
    """vtkMRMLTransformNode (MRML/vtkMRMLTransformNode.h): IsTransformToWorldLinear()."""

    class_name = "vtkMRMLTransformNode"

    def __init__(self, to_parent, linear=True, name="transform"):
        super().__init__(name)
        self._to_parent = np.asarray(to_parent, dtype=float)
        self._linear = linear
        TRANSFORMS[self.GetID()] = self

    def IsTransformToWorldLinear(self):
        return self._linear and (self._transform is None or self._transform.IsTransformToWorldLinear())

    def to_world(self):
        parent = self._transform.to_world() if self._transform else np.eye(4)
        return parent @ self._to_parent


def _to_world(parent):
    return parent.to_world() if parent is not None else np.eye(4)


class ImageData(Strict):
    """vtkImageData as a volume node holds it: GetDimensions() -> (i, j, k), GetNumberOfScalarComponents()."""

    def __init__(self, voxels):
        self._voxels = voxels

    def GetDimensions(self):
        k, j, i = self._voxels.shape[:3]
        return (i, j, k)

    def GetNumberOfScalarComponents(self):
        return 1 if self._voxels.ndim == 3 else self._voxels.shape[3]


class VolumeNode(Node):
    """vtkMRMLScalarVolumeNode (MRML/vtkMRMLVolumeNode.h): GetIJKToRASMatrix(matrix), GetImageData()."""

    class_name = "vtkMRMLScalarVolumeNode"
    _settable = ("voxels",)

    def __init__(self, voxels_kji, ijk_to_ras, name="volume", transform=None):
        super().__init__(name, transform)
        self.voxels = None if voxels_kji is None else np.asarray(voxels_kji)
        self._ijk_to_ras = np.asarray(ijk_to_ras, dtype=float)

    def GetIJKToRASMatrix(self, matrix):
        matrix.DeepCopy(self._ijk_to_ras)

    def GetImageData(self):
        return None if self.voxels is None else ImageData(self.voxels)


class LabelMapVolumeNode(VolumeNode):
    class_name = "vtkMRMLLabelMapVolumeNode"


class VectorVolumeNode(VolumeNode):
    """vtkMRMLVectorVolumeNode derives from vtkMRMLScalarVolumeNode (MRML/vtkMRMLVectorVolumeNode.h)."""

    class_name = "vtkMRMLVectorVolumeNode"


class Segment(Strict):
    """vtkSegment (Libs/vtkSegmentationCore/vtkSegment.h): GetName()."""

    def __init__(self, name):
        self._name = name

    def GetName(self):
        return self._name


class Segmentation(Strict):
    """vtkSegmentation (Libs/vtkSegmentationCore/vtkSegmentation.h): GetSegment(id), AddEmptySegment(id, name) -> id,
    GetSourceRepresentationName() (5.8's name; "Master" before 5.4)."""

    def __init__(self, source="Binary labelmap"):
        self._segments = {}
        self._labels = {}
        self._source = source

    def GetSegment(self, segment_id):
        return self._segments.get(segment_id)

    def AddEmptySegment(self, segment_id="", name=""):
        segment_id = segment_id or f"Segment_{len(self._segments) + 1}"
        self._segments[segment_id] = Segment(name)
        self._labels[segment_id] = None
        return segment_id

    def GetSourceRepresentationName(self):
        return self._source


class SegmentationNode(Node):
    """vtkMRMLSegmentationNode (MRML/vtkMRMLSegmentationNode.h): GetSegmentation, CreateDefaultDisplayNodes,
    SetReferenceImageGeometryParameterFromVolumeNode. Its labels live in one voxel grid (`grid`: the reference
    volume's), as a binary labelmap segmentation's shared labelmap does."""

    class_name = "vtkMRMLSegmentationNode"

    def __init__(self, name="segmentation", transform=None, source="Binary labelmap"):
        super().__init__(name, transform)
        self._segmentation = Segmentation(source)
        self._grid = None  # (volume's IJK -> this node's frame, shape [k, j, i])
        self._reference_changes = 0
        self._box_writes = []  # (segment id, extent) of every SetBinaryLabelmapToSegment

    def GetSegmentation(self):
        return self._segmentation

    def CreateDefaultDisplayNodes(self):
        pass

    def SetReferenceImageGeometryParameterFromVolumeNode(self, volume):
        self._reference_changes += 1
        to_local = np.linalg.inv(_to_world(self._transform)) @ _to_world(volume.GetParentTransformNode())
        self._grid = (to_local @ volume._ijk_to_ras, volume.voxels.shape[:3])

    def labels(self, segment_id):
        labels = self._segmentation._labels[segment_id]
        return np.zeros(self._grid[1], np.uint8) if labels is None else labels

    def paint(self, segment_id, index_kji, value=1):
        """What a user's brush stroke does (test helper)."""
        labels = self.labels(segment_id).copy()
        labels[index_kji] = value
        self._segmentation._labels[segment_id] = labels


class DisplayNode(Strict):
    """vtkMRMLMarkupsDisplayNode (Modules/Loadable/Markups/MRML/vtkMRMLMarkupsDisplayNode.h): SetSelectedColor,
    SetPointLabelsVisibility."""

    def SetSelectedColor(self, rgb):
        self._color = rgb

    def SetPointLabelsVisibility(self, visible):
        self._labels = visible


class MarkupsFiducialNode(Node):
    """vtkMRMLMarkupsFiducialNode (Modules/Loadable/Markups/MRML/vtkMRMLMarkupsNode.h): control points by index and
    ID. `place(ras)` is what a click in place mode does: add a point, then PointPositionDefinedEvent."""

    class_name = "vtkMRMLMarkupsFiducialNode"

    def __init__(self, name):
        super().__init__(name)
        self._points = []  # (id, ras)
        self._display = None

    def CreateDefaultDisplayNodes(self):
        self._display = DisplayNode()

    def GetDisplayNode(self):
        return self._display

    def GetNumberOfControlPoints(self):
        return len(self._points)

    def GetNthControlPointPositionWorld(self, n, out):
        out[0:3] = list(self._points[n][1])

    def GetNthControlPointID(self, n):
        return self._points[n][0]

    def GetNthControlPointIndexByID(self, point_id):
        return next((n for n, (pid, _) in enumerate(self._points) if pid == point_id), -1)

    def RemoveNthControlPoint(self, n):
        del self._points[n]

    def RemoveAllControlPoints(self):
        self._points = []

    def place(self, ras):
        self._points.append((str(next(_ids)), tuple(float(v) for v in ras)))
        self.InvokeEvent(MarkupsNodeClass.PointPositionDefinedEvent)

    def positions(self):
        return [p for _, p in self._points]


class MarkupsNodeClass(Strict):
    """slicer.vtkMRMLMarkupsNode's event ids (Modules/Loadable/Markups/MRML/vtkMRMLMarkupsNode.h)."""

    PointPositionDefinedEvent = "PointPositionDefinedEvent"


class InteractionNode(Node):
    """vtkMRMLInteractionNode (MRML/vtkMRMLInteractionNode.h): Place = 1, ViewTransform = 2; SetCurrentInteractionMode
    invokes InteractionModeChangedEvent when the mode changes (Esc or a right-click in place mode set ViewTransform)."""

    class_name = "vtkMRMLInteractionNode"
    Place = 1
    ViewTransform = 2
    InteractionModeChangedEvent = "InteractionModeChangedEvent"

    def __init__(self):
        super().__init__("Interaction")
        self._mode = self.ViewTransform
        self._persistence = 0

    def GetCurrentInteractionMode(self):
        return self._mode

    def SetCurrentInteractionMode(self, mode):
        if mode != self._mode:
            self._mode = mode
            self.InvokeEvent(self.InteractionModeChangedEvent)

    def SetPlaceModePersistence(self, persistent):
        self._persistence = persistent


class SelectionNode(Node):
    """vtkMRMLSelectionNode (MRML/vtkMRMLSelectionNode.h): SetReferenceActivePlaceNodeClassName, SetActivePlaceNodeID
    (no event), SetReferenceActivePlaceNodeID (sets it, then invokes ActivePlaceNodeIDChangedEvent, as the Markups
    toolbar's choice does), GetActivePlaceNodeID."""

    class_name = "vtkMRMLSelectionNode"
    ActivePlaceNodeIDChangedEvent = "ActivePlaceNodeIDChangedEvent"

    def __init__(self):
        super().__init__("Selection")
        self._active = None

    def SetReferenceActivePlaceNodeClassName(self, class_name):
        self._place_class = class_name

    def SetActivePlaceNodeID(self, node_id):
        self._active = node_id

    def SetReferenceActivePlaceNodeID(self, node_id):
        self.SetActivePlaceNodeID(node_id)
        self.InvokeEvent(self.ActivePlaceNodeIDChangedEvent)

    def GetActivePlaceNodeID(self):
        return self._active


class SegmentEditorNode(Node):
    """vtkMRMLSegmentEditorNode (Seg/MRML/vtkMRMLSegmentEditorNode.h): the Segment Editor's parameter node."""

    class_name = "vtkMRMLSegmentEditorNode"


class Scene(Observable):
    """slicer.mrmlScene (MRML/vtkMRMLScene.h): AddNewNodeByClass(class, name), GetNodeByID, RemoveNode, and the
    StartCloseEvent / EndCloseEvent that Clear() (File > Close Scene) invokes around removing the nodes."""

    StartCloseEvent = "StartCloseEvent"
    EndCloseEvent = "EndCloseEvent"
    _NEW = {"vtkMRMLSegmentationNode": SegmentationNode, "vtkMRMLMarkupsFiducialNode": MarkupsFiducialNode,
            "vtkMRMLSegmentEditorNode": lambda name: SegmentEditorNode(name)}

    def __init__(self):
        super().__init__()
        self._nodes = []

    def add(self, node):
        self._nodes.append(node)
        return node

    def AddNewNodeByClass(self, class_name, name=""):
        return self.add(self._NEW[class_name](name))

    def GetNodeByID(self, node_id):
        return next((n for n in self._nodes if n.GetID() == node_id), None)

    def RemoveNode(self, node):
        self._nodes.remove(node)

    def Clear(self, removeSingletons=0):
        self.InvokeEvent(self.StartCloseEvent)
        self._nodes = []
        self.InvokeEvent(self.EndCloseEvent)


# --- Segmentations logic ---------------------------------------------------------------------------------------------

class SegmentationsLogic(Strict):
    """slicer.vtkSlicerSegmentationsModuleLogic (Seg/Logic/vtkSlicerSegmentationsModuleLogic.h):
    SetBinaryLabelmapToSegment(labelmap, segmentationNode, segmentID, mergeMode=MODE_REPLACE, extent=None) replaces
    the segment inside `extent` with the labelmap, resampled to the segmentation's grid (here: it must already match)."""

    MODE_REPLACE = 0

    @staticmethod
    def SetBinaryLabelmapToSegment(labelmap, segmentation_node, segment_id, merge_mode=0, extent=None):
        assert merge_mode == SegmentationsLogic.MODE_REPLACE
        assert tuple(extent) == tuple(labelmap.GetExtent()), "the box's own extent"
        to_local, shape = segmentation_node._grid
        assert np.allclose(labelmap._matrix, to_local), "the labelmap must map the volume's voxels into the segmentation's frame"
        x0, x1, y0, y1, z0, z1 = extent
        labels = segmentation_node.labels(segment_id).copy()
        labels[z0:z1 + 1, y0:y1 + 1, x0:x1 + 1] = labelmap.labels_kji()
        segmentation_node._segmentation._labels[segment_id] = labels
        segmentation_node._box_writes.append((segment_id, tuple(extent)))
        return True


class SegmentationConverter(Strict):
    """slicer.vtkSegmentationConverter (Libs/vtkSegmentationCore/vtkSegmentationConverter.h)."""

    @staticmethod
    def GetBinaryLabelmapRepresentationName():
        return "Binary labelmap"


class TransformNodeClass(Strict):
    """slicer.vtkMRMLTransformNode's static GetMatrixTransformBetweenNodes(source, target, matrix) (MRML/
    vtkMRMLTransformNode.h; None means world)."""

    @staticmethod
    def GetMatrixTransformBetweenNodes(source, target, matrix):
        matrix.DeepCopy(np.linalg.inv(_to_world(target)) @ _to_world(source))


# --- Qt --------------------------------------------------------------------------------------------------------------

class Signal(Strict):
    """A PythonQt signal: connect(callable), disconnect(callable); emit(*args) is the fake's way to fire it."""

    def __init__(self):
        self._slots = []

    def connect(self, slot):
        self._slots.append(slot)

    def disconnect(self, slot):
        self._slots.remove(slot)

    def emit(self, *args):
        for slot in list(self._slots):
            slot(*args)


class Widget(Strict):
    """QWidget as PythonQt shows it: properties (enabled, toolTip, visible) as attributes, blockSignals(bool)."""

    _settable = ("enabled", "toolTip")

    def __init__(self, name=""):
        self._name = name
        self._blocked = False
        self.enabled = True
        self.toolTip = ""

    def blockSignals(self, block):
        previous, self._blocked = self._blocked, bool(block)
        return previous

    def _emit(self, signal, *args):
        if not self._blocked:
            signal.emit(*args)


class Label(Widget):
    _settable = Widget._settable + ("text",)

    def __init__(self, name=""):
        super().__init__(name)
        self.text = ""


class LineEdit(Label):
    pass


class AbstractButton(Label):
    """QPushButton / QCheckBox: `checked` emits toggled(bool) when it changes and signals are not blocked."""

    def __init__(self, name=""):
        super().__init__(name)
        self._checked = False
        self.clicked = Signal()
        self.toggled = Signal()

    _settable = Label._settable + ("clicked", "toggled")

    @property
    def checked(self):
        return self._checked

    @checked.setter
    def checked(self, value):
        if bool(value) != self._checked:
            self._checked = bool(value)
            self._emit(self.toggled, self._checked)

    def click(self):
        """QAbstractButton::click(): nothing when disabled; else toggles a checkable button, then clicked()."""
        if not self.enabled:
            return
        if self._checkable:
            self.checked = not self.checked
        self._emit(self.clicked)


class PushButton(AbstractButton):
    _checkable = False


class CheckBox(AbstractButton):
    _checkable = True


class PathLineEdit(Widget):
    _settable = Widget._settable + ("currentPath",)

    def __init__(self, name=""):
        super().__init__(name)
        self.currentPath = ""


class ComboBox(Widget):
    """QComboBox: clear(), addItem(text), findText(text), setCurrentIndex(i), currentText."""

    def __init__(self, name=""):
        super().__init__(name)
        self._items, self._index = [], -1

    def clear(self):
        self._items, self._index = [], -1

    def addItem(self, text):
        self._items.append(text)
        if self._index < 0:
            self._index = 0

    def findText(self, text):
        return self._items.index(text) if text in self._items else -1

    def setCurrentIndex(self, index):
        self._index = index

    @property
    def currentText(self):
        return self._items[self._index] if self._index >= 0 else ""


class SpinBox(Widget):
    """QSpinBox as PythonQt shows its Q_PROPERTYs (Qt 5: minimum, maximum, value, suffix; specialValueText from
    QAbstractSpinBox): setting `value` clamps it to [minimum, maximum] as QSpinBox::setValue does."""

    _settable = Widget._settable + ("minimum", "maximum", "suffix", "specialValueText")

    def __init__(self, name=""):
        super().__init__(name)
        self.minimum, self.maximum, self.suffix, self.specialValueText = 0, 99, "", ""  # QSpinBox's defaults
        self._value = 0

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, value):
        self._value = max(self.minimum, min(self.maximum, int(value)))


class ProgressBar(Widget):
    _settable = Widget._settable + ("value",)

    def __init__(self, name=""):
        super().__init__(name)
        self.value = 0


class ScrollBar(Strict):
    def __init__(self):
        self._value = 0
        self.maximum = 100

    _settable = ("maximum",)

    def setValue(self, value):
        self._value = value


class PlainTextEdit(Widget):
    _settable = Widget._settable + ("plainText",)

    def __init__(self, name=""):
        super().__init__(name)
        self.plainText = ""
        self._bar = ScrollBar()

    def verticalScrollBar(self):
        return self._bar


class CollapsibleButton(Widget):
    _settable = Widget._settable + ("text", "collapsed")


class MRMLWidget(Widget):
    """qMRMLWidget: setMRMLScene(scene)."""

    def setMRMLScene(self, scene):
        self._scene = scene


class NodeComboBox(MRMLWidget):
    """qMRMLNodeComboBox: currentNode(), setCurrentNode(node)."""

    def __init__(self, name=""):
        super().__init__(name)
        self._node = None

    def currentNode(self):
        return self._node

    def setCurrentNode(self, node):
        self._node = node


class SegmentSelector(NodeComboBox):
    """qMRMLSegmentSelectorWidget (Seg/Widgets/qMRMLSegmentSelectorWidget.h): currentNode(), setCurrentNode(node),
    currentSegmentID(), setCurrentSegmentID(id)."""

    def __init__(self, name=""):
        super().__init__(name)
        self._segment = ""

    def currentSegmentID(self):
        return self._segment

    def setCurrentSegmentID(self, segment_id):
        self._segment = segment_id


class SegmentEditorWidget(MRMLWidget):
    """qMRMLSegmentEditorWidget (Seg/Widgets/qMRMLSegmentEditorWidget.h): setMRMLSegmentEditorNode,
    setSegmentationNode, setSourceVolumeNode (5.x's name; setMasterVolumeNode is deprecated), setCurrentSegmentID,
    installKeyboardShortcuts(parent=None), uninstallKeyboardShortcuts(), setSegmentationNodeSelectorVisible(bool),
    setSourceVolumeNodeSelectorVisible(bool)."""

    def __init__(self, name=""):
        super().__init__(name)
        self._editor_node = self._segmentation = self._source = self._segment = None
        self._shortcuts = False

    def setMRMLSegmentEditorNode(self, node):
        self._editor_node = node

    def setSegmentationNodeSelectorVisible(self, visible):
        self._segmentation_selector = visible

    def setSourceVolumeNodeSelectorVisible(self, visible):
        self._source_selector = visible

    def setSegmentationNode(self, node):
        self._segmentation = node

    def setSourceVolumeNode(self, node):
        self._source = node

    def setCurrentSegmentID(self, segment_id):
        self._segment = segment_id

    def installKeyboardShortcuts(self, parent=None):
        self._shortcuts = True

    def uninstallKeyboardShortcuts(self):
        self._shortcuts = False


WIDGETS = {"QLabel": Label, "QLineEdit": LineEdit, "QPushButton": PushButton, "QCheckBox": CheckBox,
           "ctkPathLineEdit": PathLineEdit, "QComboBox": ComboBox, "QProgressBar": ProgressBar, "QSpinBox": SpinBox,
           "QPlainTextEdit": PlainTextEdit, "ctkCollapsibleButton": CollapsibleButton, "qMRMLWidget": MRMLWidget,
           "qMRMLNodeComboBox": NodeComboBox, "qMRMLSegmentSelectorWidget": SegmentSelector,
           "qMRMLSegmentEditorWidget": SegmentEditorWidget}


class Layout(Strict):
    """QLayout: addWidget(widget)."""

    def __init__(self):
        self._widgets = []

    def addWidget(self, widget):
        self._widgets.append(widget)


class Timer(Strict):
    """qt.QTimer: setInterval(ms), interval (property), start(), stop(), isActive(), timeout signal. `fire()` is the
    fake's event loop delivering one timeout."""

    def __init__(self):
        self.timeout = Signal()
        self._interval = 0
        self._active = False

    _settable = ("timeout",)

    def setInterval(self, ms):
        self._interval = int(ms)

    @property
    def interval(self):
        return self._interval

    def start(self):
        self._active = True

    def stop(self):
        self._active = False

    def isActive(self):
        return self._active

    def fire(self):
        if self._active:
            self.timeout.emit()


class KeySequence(Strict):
    """qt.QKeySequence(text)."""

    def __init__(self, text):
        self._text = text


class Shortcut(Strict):
    """qt.QShortcut(parent): setKey(QKeySequence), setEnabled(bool), isEnabled(), activated signal, deleteLater()."""

    def __init__(self, parent):
        self._parent = parent
        self._key = None
        self._enabled = True
        self._deleted = False
        self.activated = Signal()

    _settable = ("activated",)

    def setKey(self, sequence):
        self._key = sequence._text

    def setEnabled(self, enabled):
        self._enabled = bool(enabled)

    def isEnabled(self):
        return self._enabled

    def deleteLater(self):
        self._deleted = True

    def press(self):
        """The user pressing the key (test helper): fires when enabled and not deleted."""
        if self._enabled and not self._deleted:
            self.activated.emit()


class FakeQt(Strict):
    """The `qt` module: QTimer, QShortcut, QKeySequence."""

    QKeySequence = KeySequence

    def __init__(self):
        self._timers = []
        self._shortcuts = []

    def QTimer(self):
        timer = Timer()
        self._timers.append(timer)
        return timer

    def QShortcut(self, parent):
        shortcut = Shortcut(parent)
        self._shortcuts.append(shortcut)
        return shortcut

    def shortcut(self, key):
        return next(s for s in reversed(self._shortcuts) if s._key == key)


# --- slicer ----------------------------------------------------------------------------------------------------------

class Settings(Strict):
    """slicer.app.settings(): a QSettings, value(key, default) and setValue(key, value)."""

    def __init__(self):
        self.values = {}

    _settable = ("values",)

    def value(self, key, default=None):
        return self.values.get(key, default)

    def setValue(self, key, value):
        self.values[key] = value


class SliceWidget(Strict):
    """qMRMLSliceWidget: isVisible(), mrmlSliceNode().GetSliceToRAS(), sliceView().underMouse()."""

    def __init__(self, slice_to_ras, under_mouse=False):
        self._matrix = Matrix4x4()
        self._matrix.DeepCopy(slice_to_ras)
        self._under_mouse = under_mouse

    def isVisible(self):
        return True

    def mrmlSliceNode(self):
        return types.SimpleNamespace(GetSliceToRAS=lambda: self._matrix)

    def sliceView(self):
        return types.SimpleNamespace(underMouse=lambda: self._under_mouse)


class LayoutManager(Strict):
    """qSlicerLayoutManager: sliceViewNames(), sliceWidget(name)."""

    def __init__(self):
        self._views = {}

    def sliceViewNames(self):
        return list(self._views)

    def sliceWidget(self, name):
        return self._views[name]


class ApplicationLogic(Strict):
    """slicer.app.applicationLogic() (Base/Logic/vtkSlicerApplicationLogic.h): GetInteractionNode(), GetSelectionNode()."""

    def __init__(self):
        self._interaction = InteractionNode()
        self._selection = SelectionNode()

    def GetInteractionNode(self):
        return self._interaction

    def GetSelectionNode(self):
        return self._selection


class ModuleManager(Strict):
    """slicer.app.moduleManager(): connect(signal, slot) as SLM.py's ScriptedLoadableModuleWidget.__init__ calls it."""

    def connect(self, signal, slot):
        assert signal == "moduleAboutToBeUnloaded(QString)"


class App(Strict):
    """slicer.app (Base/QTGUI/qSlicerApplication.h): settings(), applicationLogic(), layoutManager(),
    moduleManager(), processEvents()."""

    def __init__(self):
        self._settings = Settings()
        self._logic = ApplicationLogic()
        self._layout = LayoutManager()
        self._modules = ModuleManager()

    def settings(self):
        return self._settings

    def applicationLogic(self):
        return self._logic

    def layoutManager(self):
        return self._layout

    def moduleManager(self):
        return self._modules

    def processEvents(self):
        pass


class VTKObservationMixin:
    """util.py's VTKObservationMixin: addObserver(object, event, method, group="none", priority=0.0) keeps one
    observation per (object, event, method); removeObservers(method=None) removes them all."""

    def __init__(self):
        super().__init__()
        self.Observations = []

    def addObserver(self, obj, event, method, group="none", priority=0.0):
        if any(o == obj and e == event and m == method for o, e, m, _, _ in self.Observations):
            return
        tag = obj.AddObserver(event, method, priority)
        self.Observations.append((obj, event, method, group, tag))

    def removeObservers(self, method=None):
        for obj, event, m, group, tag in list(self.Observations):
            if method is None or m == method:
                obj.RemoveObserver(tag)
                self.Observations.remove((obj, event, m, group, tag))


class FakeUtil(Strict):
    """slicer.util (util.py): the functions the module calls, each as util.py defines it for these arguments."""

    _settable = ("pip_calls", "pip_error", "pip_effect", "confirm_answer", "status_messages")

    def __init__(self, owner):
        self._owner = owner
        self.pip_calls = []
        self.pip_error = None
        self.pip_effect = None  # what a successful install changes (a test's stand-in for the new packages)
        self.confirm_answer = True
        self.status_messages = []
        self._confirms = []
        self._exports = 0

    VTKObservationMixin = VTKObservationMixin

    @staticmethod
    def arrayFromVolume(node):
        """util.py arrayFromVolume(volumeNode): a [k, j, i] view of the node's voxels."""
        return node.voxels

    @staticmethod
    def arrayFromVTKMatrix(matrix):
        """util.py arrayFromVTKMatrix(vmatrix): a 4x4 numpy copy."""
        return matrix._a.copy()

    def arrayFromSegmentBinaryLabelmap(self, segmentation_node, segment_id, reference_volume=None):
        """util.py arrayFromSegmentBinaryLabelmap(segmentationNode, segmentId, referenceVolumeNode=None): exports
        the segment to a temporary labelmap node in the reference volume's grid; RuntimeError when the export fails
        (a closed-surface source representation it cannot convert here)."""
        if segmentation_node.GetSegmentation().GetSourceRepresentationName() != "Binary labelmap":
            raise RuntimeError("Export of segment failed.")
        self._exports += 1
        return segmentation_node.labels(segment_id).copy()

    def getNodesByClass(self, class_name):
        """util.py getNodesByClass(className, scene=None): the scene's nodes of that class (subclasses included)."""
        return [n for n in self._owner.mrmlScene._nodes if n.IsA(class_name)]

    def pip_install(self, requirements):
        """util.py pip_install(requirements)."""
        self.pip_calls.append(requirements)
        if self.pip_error:
            raise self.pip_error
        if self.pip_effect:
            self.pip_effect(requirements)

    @staticmethod
    def loadUI(path):
        """util.py loadUI(path): the widget built from a .ui file (here: its top-level qMRMLWidget, with the
        parsed children kept for childWidgetVariables)."""
        root = ElementTree.parse(path).getroot().find("widget")
        top = MRMLWidget(root.get("name"))
        children = {}
        for element in root.iter("widget"):
            if element is root:
                continue
            kind = WIDGETS[element.get("class")]  # a widget class the fake lacks fails here
            widget = kind(element.get("name"))
            for prop in element.findall("property"):
                if prop.get("name") == "checkable":
                    widget._checkable = prop.find("bool").text == "true"
                if prop.get("name") == "checked":
                    widget._checked = prop.find("bool").text == "true"
                if prop.get("name") in ("minimum", "maximum", "value"):
                    setattr(widget, prop.get("name"), int(prop.find("number").text))
                if prop.get("name") in ("suffix", "specialValueText"):
                    setattr(widget, prop.get("name"), prop.find("string").text)
            children[element.get("name")] = widget
        top._children = children
        return top

    @staticmethod
    def childWidgetVariables(widget):
        """util.py childWidgetVariables(widget): an object with one attribute per named child widget."""
        ui = _UiVariables()
        for name, child in widget._children.items():
            object.__setattr__(ui, name, child)
        return ui

    def confirmOkCancelDisplay(self, text, windowTitle=None, parent=None, **kwargs):
        """util.py confirmOkCancelDisplay(text, windowTitle=None, parent=None, **kwargs) -> bool (modal)."""
        self._confirms.append(text)
        return self.confirm_answer

    def mainWindow(self):
        """util.py mainWindow(): the application's main window (the shortcuts' parent)."""
        return self._owner._main_window

    def showStatusMessage(self, message, duration=0):
        """util.py showStatusMessage(message, duration=0): the main window's status bar."""
        self.status_messages.append(message)

    @staticmethod
    def modulePath(module_name):
        """util.py modulePath(moduleName): the module's .py file."""
        return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "OAIMS", module_name + ".py")

    @staticmethod
    def settingsValue(key, default, converter=lambda v: v, settings=None):
        """util.py settingsValue(key, default, converter=..., settings=None)."""
        return default

    @staticmethod
    def toBool(value):
        return bool(value)

    def setSliceViewerLayers(self, background=None, fit=False, **kwargs):
        """util.py setSliceViewerLayers(background=..., ..., fit=False, ...)."""
        self._background = background


class _UiVariables(Strict):
    pass


class ModuleParent(Strict):
    """The qSlicerScriptedLoadableModule a ScriptedLoadableModule gets as `parent`: its description properties."""

    _settable = ("title", "categories", "dependencies", "contributors", "helpText", "acknowledgementText", "icon", "path")


class FakeSlicer(Strict):
    """The `slicer` module as OAIMS sees it; `vtk` is `FakeSlicer.vtk`, `qt` is `FakeSlicer.qt`."""

    _settable = ("selfTests",)

    def __init__(self):
        self.app = App()
        self.mrmlScene = Scene()
        self.util = FakeUtil(self)
        self.vtk = FakeVtk()
        self.qt = FakeQt()
        self.vtkMRMLTransformNode = TransformNodeClass()
        self.vtkMRMLMarkupsNode = MarkupsNodeClass()
        self.vtkOrientedImageData = OrientedImageData
        self.vtkSlicerSegmentationsModuleLogic = SegmentationsLogic()
        self.vtkSegmentationConverter = SegmentationConverter()
        self.ScriptedLoadableModule = scripted_loadable_module(self)
        self._main_window = Widget("qSlicerAppMainWindow")

    _settable += ("app", "mrmlScene", "util", "vtk", "qt", "vtkMRMLTransformNode", "vtkMRMLMarkupsNode",
                  "vtkOrientedImageData", "vtkSlicerSegmentationsModuleLogic", "vtkSegmentationConverter",
                  "ScriptedLoadableModule")

    # --- test conveniences -----------------------------------------------------------------------------------------

    @property
    def settings(self):
        return self.app._settings

    @property
    def pip_calls(self):
        return self.util.pip_calls

    @property
    def nodes(self):
        return self.mrmlScene._nodes

    def add(self, node):
        return self.mrmlScene.add(node)

    @staticmethod
    def segment(segmentation_node, segment_id):
        return segmentation_node.labels(segment_id)

    def add_slice_view(self, name, slice_to_ras, under_mouse=False):
        self.app._layout._views[name] = SliceWidget(slice_to_ras, under_mouse)


def scripted_loadable_module(slicer):
    """SLM.py's four base classes, as far as OAIMS relies on them: each __init__ chains with super().__init__()
    (which is what made OAIMSLogic's explicit second __init__ run twice), and the Widget's takes the parent's layout."""

    class ScriptedLoadableModule:
        def __init__(self, parent):
            super().__init__()
            self.parent = parent
            self.moduleName = self.__class__.__name__
            parent.title = ""
            parent.categories = []
            parent.dependencies = []
            parent.contributors = []
            parent.helpText = ""
            parent.acknowledgementText = ""

    class ScriptedLoadableModuleWidget:
        def __init__(self, parent=None):
            super().__init__()
            self.moduleName = self.__class__.__name__[:-len("Widget")]
            self.developerMode = slicer.util.settingsValue("Developer/DeveloperMode", False, converter=slicer.util.toBool)
            self.parent = parent if parent is not None else MRMLWidget("parent")
            self.layout = Layout()
            slicer.app.moduleManager().connect("moduleAboutToBeUnloaded(QString)", self._onModuleAboutToBeUnloaded)

        def resourcePath(self, filename):
            return os.path.join(os.path.dirname(slicer.util.modulePath(self.moduleName)), "Resources", filename)

        def cleanup(self):
            pass

        def _onModuleAboutToBeUnloaded(self, moduleName):
            if moduleName == self.moduleName:
                self.cleanup()

        def setup(self):
            pass  # setupDeveloperSection: nothing outside developer mode

    class ScriptedLoadableModuleLogic:
        def __init__(self, parent=None):
            super().__init__()
            self.moduleName = self.__class__.__name__[:-len("Logic")]
            self.isSingletonParameterNode = True

    class ScriptedLoadableModuleTest:
        pass

    module = types.ModuleType("slicer.ScriptedLoadableModule")
    for cls in (ScriptedLoadableModule, ScriptedLoadableModuleWidget, ScriptedLoadableModuleLogic, ScriptedLoadableModuleTest):
        setattr(module, cls.__name__, cls)
    return module
