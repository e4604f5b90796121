"""A small fake of the Slicer calls OAIMSLogic makes, so the Logic runs in CI without Slicer or Qt.

The calls, all of them:
  slicer.util.arrayFromVolume(volume)                                   -> voxels [k, j, i] (a view)
  slicer.util.arrayFromVTKMatrix(matrix)                                -> 4x4 numpy array
  slicer.util.arrayFromSegmentBinaryLabelmap(segmentation, id, volume)  -> segment [k, j, i] in the volume's grid
  slicer.util.updateSegmentBinaryLabelmapFromArray(array, segmentation, id, volume)
  slicer.util.getNodesByClass(class_name)                               -> nodes in scene order
  slicer.util.pip_install(requirements)
  slicer.vtkMRMLTransformNode.GetMatrixTransformBetweenNodes(from, to, matrix)   (to=None: world)
  slicer.mrmlScene.AddNewNodeByClass(class_name, name)
  slicer.app.settings()                                                 -> value(key, default) / setValue(key, value)
  vtk.vtkMatrix4x4()
  volume: GetIJKToRASMatrix, GetParentTransformNode, GetTransformNodeID, GetName, GetID, IsA
  transform: IsTransformToWorldLinear
  segmentation node: GetSegmentation, CreateDefaultDisplayNodes, GetTransformNodeID, SetAndObserveTransformNodeID,
                     SetReferenceImageGeometryParameterFromVolumeNode
  segmentation: GetSegment, AddEmptySegment
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np

_ids = itertools.count(1)


class Matrix4x4:
    """vtk.vtkMatrix4x4: a 4x4 matrix filled in by the node methods that take one."""

    def __init__(self):
        self.a = np.eye(4)

    def DeepCopy(self, other):
        self.a = np.array(other, dtype=float)


class Node:
    class_name = "vtkMRMLNode"

    def __init__(self, name):
        self._name = name
        self._id = f"{self.class_name}{next(_ids)}"
        self.transform = None

    def GetName(self):
        return self._name

    def GetID(self):
        return self._id

    def IsA(self, class_name):
        return class_name in [c.class_name for c in type(self).__mro__ if hasattr(c, "class_name")]

    def GetParentTransformNode(self):
        return self.transform

    def GetTransformNodeID(self):
        return self.transform.GetID() if self.transform else None

    def SetAndObserveTransformNodeID(self, node_id):
        self.transform = SCENE_TRANSFORMS.get(node_id)


SCENE_TRANSFORMS = {}


class TransformNode(Node):
    class_name = "vtkMRMLTransformNode"

    def __init__(self, to_parent, linear=True, name="transform"):
        super().__init__(name)
        self.to_parent = np.asarray(to_parent, dtype=float)
        self.linear = linear
        SCENE_TRANSFORMS[self.GetID()] = self

    def IsTransformToWorldLinear(self):
        return self.linear and (self.transform is None or self.transform.IsTransformToWorldLinear())

    def to_world(self):
        parent = self.transform.to_world() if self.transform else np.eye(4)
        return parent @ self.to_parent


class VolumeNode(Node):
    class_name = "vtkMRMLScalarVolumeNode"

    def __init__(self, voxels_kji, ijk_to_ras, name="volume", transform=None):
        super().__init__(name)
        self.voxels = np.asarray(voxels_kji)
        self.ijk_to_ras = np.asarray(ijk_to_ras, dtype=float)
        self.transform = transform

    def GetIJKToRASMatrix(self, matrix):
        matrix.DeepCopy(self.ijk_to_ras)


class LabelMapVolumeNode(VolumeNode):
    class_name = "vtkMRMLLabelMapVolumeNode"


class Segmentation:
    def __init__(self):
        self.segments = {}

    def GetSegment(self, segment_id):
        return self.segments.get(segment_id, {}).get("segment")

    def AddEmptySegment(self, segment_id="", name=""):
        segment_id = segment_id or f"Segment_{len(self.segments) + 1}"
        self.segments[segment_id] = {"segment": SimpleNamespace(name=name), "labels": None}
        return segment_id


class SegmentationNode(Node):
    class_name = "vtkMRMLSegmentationNode"

    def __init__(self, name="segmentation"):
        super().__init__(name)
        self.segmentation = Segmentation()
        self.reference = None
        self.writes = 0

    def GetSegmentation(self):
        return self.segmentation

    def CreateDefaultDisplayNodes(self):
        pass

    def SetReferenceImageGeometryParameterFromVolumeNode(self, volume):
        self.reference = volume


class Settings:
    """slicer.app.settings(): a QSettings."""

    def __init__(self):
        self.values = {}

    def value(self, key, default=None):
        return self.values.get(key, default)

    def setValue(self, key, value):
        self.values[key] = value


class FakeSlicer:
    """The `slicer` module as the Logic sees it; `vtk` is `FakeSlicer.vtk`."""

    def __init__(self):
        self.nodes = []
        self.pip_calls = []
        self.pip_error = None
        self.settings = Settings()
        self.app = SimpleNamespace(settings=lambda: self.settings)
        self.mrmlScene = SimpleNamespace(AddNewNodeByClass=self._add_new_node)
        self.vtkMRMLTransformNode = SimpleNamespace(GetMatrixTransformBetweenNodes=self._between)
        self.util = SimpleNamespace(
            arrayFromVolume=lambda node: node.voxels,
            arrayFromVTKMatrix=lambda m: m.a.copy(),
            arrayFromSegmentBinaryLabelmap=self._segment_array,
            updateSegmentBinaryLabelmapFromArray=self._update_segment,
            getNodesByClass=lambda name: [n for n in self.nodes if n.IsA(name)],
            pip_install=self._pip_install,
        )
        self.vtk = SimpleNamespace(vtkMatrix4x4=Matrix4x4)

    def add(self, node):
        self.nodes.append(node)
        return node

    def _add_new_node(self, class_name, name=""):
        assert class_name == "vtkMRMLSegmentationNode", class_name
        return self.add(SegmentationNode(name))

    @staticmethod
    def _between(source, target, matrix):
        assert target is None, "the Logic only asks for node -> world"
        matrix.DeepCopy(source.to_world() if source is not None else np.eye(4))

    @staticmethod
    def _segment_array(segmentation_node, segment_id, volume):
        labels = segmentation_node.segmentation.segments[segment_id]["labels"]
        if labels is None:
            return np.zeros(volume.voxels.shape[:3], dtype=np.uint8)
        assert labels.shape == volume.voxels.shape[:3]
        return labels.copy()

    @staticmethod
    def _update_segment(array, segmentation_node, segment_id, volume):
        assert array.shape == volume.voxels.shape[:3], "segment arrays are [k, j, i] in the volume's grid"
        segmentation_node.segmentation.segments[segment_id]["labels"] = np.array(array, dtype=np.uint8)
        segmentation_node.writes += 1

    def _pip_install(self, requirements):
        self.pip_calls.append(requirements)
        if self.pip_error:
            raise self.pip_error

    def segment(self, segmentation_node, segment_id):
        return segmentation_node.segmentation.segments[segment_id]["labels"]
