"""The segment OAIMS writes into, box by box, without moving or emptying the user's nodes.

A mask change reaches Slicer as a vtkOrientedImageData holding only the changed box, in the volume's voxel grid
expressed in the segmentation node's own frame, merged with vtkSlicerSegmentationsModuleLogic.SetBinaryLabelmapToSegment
in MODE_REPLACE over the box's extent: the same call the Segment Editor's effects end in (Modules/Loadable/Segmentations/
Logic/vtkSlicerSegmentationsModuleLogic.h). Nothing else of the segment is touched and no temporary node is made.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

from .errors import LogicError

MODE_REPLACE = 0  # vtkSlicerSegmentationsModuleLogic::MODE_REPLACE


def matrix_between(slicer, vtk, source_parent, target_parent, what: str) -> np.ndarray:
    """The 4x4 matrix from `source_parent`'s frame to `target_parent`'s (None: world); both must be linear."""
    for parent in (source_parent, target_parent):
        if parent is not None and not parent.IsTransformToWorldLinear():
            raise LogicError(f"{what} is under a non-linear transform: harden the transform (Data module) first.")
    if source_parent is None and target_parent is None:
        return np.eye(4)
    matrix = vtk.vtkMatrix4x4()
    slicer.vtkMRMLTransformNode.GetMatrixTransformBetweenNodes(source_parent, target_parent, matrix)
    return np.array(slicer.util.arrayFromVTKMatrix(matrix), dtype=float)


def ijk_to_ras(slicer, vtk, volume_node) -> np.ndarray:
    """The volume's own IJK -> RAS matrix (its parent transforms excluded)."""
    matrix = vtk.vtkMatrix4x4()
    volume_node.GetIJKToRASMatrix(matrix)
    return np.array(slicer.util.arrayFromVTKMatrix(matrix), dtype=float)


class SegmentTarget:
    """One segment of one segmentation node, written in the volume's voxel grid one box at a time."""

    def __init__(self, slicer, vtk, segmentation_node, segment_id: str, ijk_to_segmentation: np.ndarray, created: bool):
        self.slicer = slicer
        self.vtk = vtk
        self.segmentation_node = segmentation_node
        self.segment_id = segment_id
        self.ijk_to_segmentation = ijk_to_segmentation
        self.created = created  # True when OAIMS made the segmentation node itself

    @classmethod
    def prepare(cls, slicer, vtk, volume_node, segmentation_node, segment_id: str, segment_name: str) -> "SegmentTarget":
        """The chosen segment, or a new one (and a new segmentation in the volume's frame when none is chosen).

        A chosen segmentation keeps its transform, geometry and other segments: only the matrix OAIMS writes with
        accounts for where it sits. Its source representation must be a binary labelmap."""
        created = segmentation_node is None
        if created:
            segmentation_node = slicer.mrmlScene.AddNewNodeByClass("vtkMRMLSegmentationNode", f"{volume_node.GetName()} OAIMS")
            segmentation_node.CreateDefaultDisplayNodes()
            # Our own node, so it may join the volume's frame; first, as the reference geometry is taken in it.
            segmentation_node.SetAndObserveTransformNodeID(volume_node.GetTransformNodeID())
            segmentation_node.SetReferenceImageGeometryParameterFromVolumeNode(volume_node)
        segmentation = segmentation_node.GetSegmentation()
        labelmap = slicer.vtkSegmentationConverter.GetBinaryLabelmapRepresentationName()
        if segmentation.GetSourceRepresentationName() != labelmap:
            raise LogicError(f"The segmentation '{segmentation_node.GetName()}' is stored as "
                             f"{segmentation.GetSourceRepresentationName()}: make Binary labelmap its source "
                             "representation (Segmentations module, Representations) or choose another segmentation.")
        if not segment_id or segmentation.GetSegment(segment_id) is None:
            segment_id = segmentation.AddEmptySegment("", segment_name)
        volume_to_segmentation = matrix_between(slicer, vtk, volume_node.GetParentTransformNode(),
                                                segmentation_node.GetParentTransformNode(),
                                                f"The volume '{volume_node.GetName()}' or the segmentation '{segmentation_node.GetName()}'")
        return cls(slicer, vtk, segmentation_node, segment_id,
                   volume_to_segmentation @ ijk_to_ras(slicer, vtk, volume_node), created)

    def read(self, volume_node) -> np.ndarray:
        """The segment as a uint8 [k, j, i] array in the volume's grid (an export: once per Start, not per click)."""
        array = self.slicer.util.arrayFromSegmentBinaryLabelmap(self.segmentation_node, self.segment_id, volume_node)
        return np.zeros((0, 0, 0), np.uint8) if array is None else np.asarray(array, dtype=np.uint8)

    def write_box(self, labels: np.ndarray, box: Tuple[slice, slice, slice]):
        """Replaces the segment inside `box` ([k, j, i] slices of the volume grid) with `labels` (non-zero = inside)."""
        k, j, i = box
        extent = (i.start, i.stop - 1, j.start, j.stop - 1, k.start, k.stop - 1)
        image = self.slicer.vtkOrientedImageData()
        image.SetExtent(*extent)
        matrix = self.vtk.vtkMatrix4x4()
        for row in range(4):
            for column in range(4):
                matrix.SetElement(row, column, float(self.ijk_to_segmentation[row, column]))
        image.SetImageToWorldMatrix(matrix)
        # C order [k, j, i] puts i fastest, as VTK lays out an image's points.
        flat = np.ascontiguousarray(labels != 0, dtype=np.uint8).ravel()
        image.GetPointData().SetScalars(self.vtk.util.numpy_support.numpy_to_vtk(flat, deep=True, array_type=self.vtk.VTK_UNSIGNED_CHAR))
        logic = self.slicer.vtkSlicerSegmentationsModuleLogic
        if not logic.SetBinaryLabelmapToSegment(image, self.segmentation_node, self.segment_id, MODE_REPLACE, extent):
            raise LogicError(f"Slicer refused to write the mask into the segment of '{self.segmentation_node.GetName()}'.")
