"""Voxel geometry: where a point in RAS (millimetres) falls in a volume, and which slice axis a view shows.

IJK follows nibabel and Slicer: integer IJK is a voxel centre, i is the fastest axis in memory.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np

DEFAULT_AXIS = 2


def ras_to_ijk(ijk_to_ras: np.ndarray, ras: Sequence[float]) -> np.ndarray:
    """Continuous IJK of a RAS point, through the inverse of the 4x4 IJK->RAS matrix."""
    point = np.array([ras[0], ras[1], ras[2], 1.0], dtype=float)
    return (np.linalg.inv(np.asarray(ijk_to_ras, dtype=float)) @ point)[:3]


def ijk_to_ras(ijk_to_ras_matrix: np.ndarray, ijk: Sequence[float]) -> np.ndarray:
    """RAS position of a (possibly fractional) voxel index."""
    point = np.array([ijk[0], ijk[1], ijk[2], 1.0], dtype=float)
    return (np.asarray(ijk_to_ras_matrix, dtype=float) @ point)[:3]


def voxel_at(ijk_to_ras: np.ndarray, ras: Sequence[float], dims: Sequence[int]) -> Optional[Tuple[int, int, int]]:
    """The voxel (i, j, k) whose centre is nearest the RAS point, or None when the point lies outside the volume."""
    ijk = ras_to_ijk(ijk_to_ras, ras)
    # Round half up (floor(x + 0.5)) so a point on a voxel border picks the same voxel whatever the axis direction.
    voxel = tuple(int(np.floor(c + 0.5)) for c in ijk)
    if any(v < 0 or v >= d for v, d in zip(voxel, dims)):
        return None
    return voxel


def axis_nearest(ijk_to_ras: np.ndarray, normal_ras: Sequence[float]) -> int:
    """The IJK axis whose direction is closest to a view's normal (both in RAS): the slices that view shows.

    Directions are compared as unit vectors, so voxel spacing does not bias the choice.
    """
    directions = np.asarray(ijk_to_ras, dtype=float)[:3, :3]
    directions = directions / np.linalg.norm(directions, axis=0, keepdims=True)
    normal = np.asarray(normal_ras, dtype=float)
    length = np.linalg.norm(normal)
    if length == 0:
        return DEFAULT_AXIS
    return int(np.argmax(np.abs(directions.T @ (normal / length))))


def slice_axis(ijk_to_ras: np.ndarray, ras: Sequence[float], views: Sequence["SliceView"], preferred: Optional[str] = None) -> int:
    """The slice axis for a point placed in one of `views`: the axis of the view whose plane holds the point.

    A point placed in a slice view lies on its plane. Where several planes hold it (they cross there), the
    `preferred` view (the one the mouse was in) wins; with no view holding it the default axis 2 is used.
    """
    holding = [view for view in views if view.holds(ras)]
    if not holding:
        return DEFAULT_AXIS
    chosen = next((view for view in holding if view.name == preferred), holding[0])
    return axis_nearest(ijk_to_ras, chosen.normal)


class SliceView:
    """A slice view's plane: its name, its 4x4 slice-to-RAS matrix (column 2 is the normal, column 3 a point)."""

    def __init__(self, name: str, slice_to_ras: np.ndarray, tolerance_mm: float = 0.05):
        self.name = name
        matrix = np.asarray(slice_to_ras, dtype=float)
        self.normal = matrix[:3, 2] / np.linalg.norm(matrix[:3, 2])
        self.origin = matrix[:3, 3]
        self.tolerance_mm = tolerance_mm

    def holds(self, ras: Sequence[float]) -> bool:
        return abs(float(self.normal @ (np.asarray(ras, dtype=float) - self.origin))) <= self.tolerance_mm
