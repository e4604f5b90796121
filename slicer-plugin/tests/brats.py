"""The BraTS case the sidecar tests use, read with nibabel, in three geometries, and a simulated user on its labels."""

from __future__ import annotations

from dataclasses import dataclass

import nibabel as nib
import numpy as np
from scipy import ndimage


@dataclass
class Geometry:
    """One stored copy of the image: voxels [k, j, i], IJK->RAS, and how its voxels and world relate to the original's."""

    name: str
    voxels: np.ndarray
    ijk_to_ras: np.ndarray
    to_original_voxel: np.ndarray  # 4x4: this copy's IJK -> the original's IJK
    world_from_original: np.ndarray  # 4x4: where an original RAS point lies in this copy's world

    def mask_in_original_order(self, mask_kji: np.ndarray) -> np.ndarray:
        """A mask of this copy, re-indexed like the original (voxel by voxel through to_original_voxel)."""
        k, j, i = np.indices(mask_kji.shape)
        ijk = np.stack([i.ravel(), j.ravel(), k.ravel(), np.ones(i.size)])
        oi, oj, ok, _ = np.rint(self.to_original_voxel @ ijk).astype(int)
        out = np.zeros_like(mask_kji)
        out[ok, oj, oi] = mask_kji.ravel()
        return out


def load_kji(path) -> tuple:
    """Voxels as [k, j, i] (Slicer's order, i fastest in memory) and the NIfTI affine (IJK -> RAS)."""
    image = nib.load(str(path))
    return np.ascontiguousarray(np.asarray(image.dataobj).transpose(2, 1, 0)), image.affine


def three_geometries(voxels: np.ndarray, affine: np.ndarray):
    """The image as stored, with axes i and k flipped (affine adjusted: same world), and rotated (same voxels, oblique affine)."""
    depth, height, width = voxels.shape
    flip = np.array([[-1.0, 0, 0, width - 1], [0, 1, 0, 0], [0, 0, -1, depth - 1], [0, 0, 0, 1]])  # flipped IJK -> original IJK
    flipped = Geometry("flipped i and k", np.ascontiguousarray(voxels[::-1, :, ::-1]), affine @ flip, flip, np.eye(4))
    rotation = _rotation([0.3, -0.5, 0.8], np.radians(27.0))
    centre = affine @ [width / 2, height / 2, depth / 2, 1]
    move = np.eye(4)
    move[:3, :3] = rotation
    move[:3, 3] = centre[:3] - rotation @ centre[:3]  # turn about the volume's centre
    oblique = Geometry("oblique", voxels, move @ affine, np.eye(4), move)
    return [Geometry("original", voxels, affine, np.eye(4), np.eye(4)), flipped, oblique]


def _rotation(axis, angle):
    axis = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    x, y, z = axis
    c, s, t = np.cos(angle), np.sin(angle), 1 - np.cos(angle)
    return np.array([[t * x * x + c, t * x * y - s * z, t * x * z + s * y],
                     [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
                     [t * x * z - s * y, t * y * z + s * x, t * z * z + c]])


def lesion_centre(lesion: np.ndarray):
    """The slice with the most lesion and the lesion voxel there farthest from its border, as (i, j, k)."""
    k = int(np.argmax(lesion.sum(axis=(1, 2))))
    j, i = deepest_point(lesion[k])
    return int(i), int(j), k


def deepest_point(region: np.ndarray):
    """The pixel of a 2D region farthest from its border (where a user clicks to fix it), as (row, column)."""
    distance = ndimage.distance_transform_edt(np.pad(region, 1))[1:-1, 1:-1]
    return np.unravel_index(int(np.argmax(distance)), region.shape)


def next_click(truth: np.ndarray, prediction: np.ndarray):
    """The simulated user (as src/Oaims.Interaction/SimulatedUser.cs, simplified): the largest error region, at its
    deepest point; positive when it is missed lesion. Returns (row, column, positive) or None when there is no error."""
    best = None
    for positive, error in ((True, truth & ~prediction), (False, prediction & ~truth)):
        labels, count = ndimage.label(error)
        for n in range(1, count + 1):
            region = labels == n
            size = int(region.sum())
            if best is None or size > best[0]:
                best = (size, region, positive)
    if best is None:
        return None
    row, column = deepest_point(best[1])
    return int(row), int(column), best[2]


def dice(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(bool), b.astype(bool)
    total = a.sum() + b.sum()
    return 1.0 if total == 0 else 2.0 * float((a & b).sum()) / float(total)
