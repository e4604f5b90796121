"""Which volumes OAIMS can segment: single-channel scalar volumes with voxels (no label maps, vectors, tensors, RGB)."""

from __future__ import annotations

from .errors import LogicError

# Subclasses of vtkMRMLScalarVolumeNode that are not one scalar per voxel, or are labels already
# (Libs/MRML/Core: vtkMRMLLabelMapVolumeNode.h, vtkMRMLVectorVolumeNode.h, vtkMRMLTensorVolumeNode.h; the
# diffusion-weighted and DTI nodes derive from vtkMRMLTensorVolumeNode).
NOT_SEGMENTABLE = ("vtkMRMLLabelMapVolumeNode", "vtkMRMLVectorVolumeNode", "vtkMRMLTensorVolumeNode")


def refusal(volume_node) -> str:
    """Why `volume_node` cannot be segmented, as a sentence for the user; "" when it can."""
    if volume_node is None:
        return "Choose a volume to segment."
    name = volume_node.GetName()
    if not volume_node.IsA("vtkMRMLScalarVolumeNode") or any(volume_node.IsA(kind) for kind in NOT_SEGMENTABLE):
        return (f"'{name}' is a {volume_node.GetClassName()}: OAIMS segments single-channel scalar volumes "
                "(not label maps, vector, RGB or tensor volumes).")
    image = volume_node.GetImageData()
    if image is None or min(image.GetDimensions()) < 1:
        return f"The volume '{name}' has no voxels (is it still loading?)."
    if image.GetNumberOfScalarComponents() != 1:
        return (f"The volume '{name}' has {image.GetNumberOfScalarComponents()} values per voxel (colour or vector): "
                "choose a single-channel volume, or extract one channel first (Vector to Scalar Volume module).")
    return ""


def check(volume_node):
    """Raises LogicError with `refusal`'s sentence when the volume cannot be segmented."""
    reason = refusal(volume_node)
    if reason:
        raise LogicError(reason)


def segmentable(slicer) -> list:
    """The scene's volumes OAIMS can segment, in scene order."""
    return [node for node in slicer.util.getNodesByClass("vtkMRMLScalarVolumeNode") if not refusal(node)]
