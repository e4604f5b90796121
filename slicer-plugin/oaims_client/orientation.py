"""One voxel order for every volume: the client uploads voxels reordered so that their axes run L, P, S (the order
DICOM, ITK and Slicer write, and the one the shipped model was trained on), and maps clicks and masks back.

The model works on 2D slices of the voxel array as stored. Without this, the same anatomy stored with flipped or
permuted axes (RAS versus LPS files, sagittal acquisitions) would reach the network mirrored or transposed, and a
network is not mirror-invariant: the same click would segment differently. Reordering only permutes and flips
axes (no resampling), so every voxel keeps its value and its world position; an oblique volume keeps its nearest
axes. Arrays here are [k, j, i] like Slicer's, voxels and boxes (i, j, k) like the wire.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np

# Target direction (in RAS) of canonical axes 0, 1, 2 for each supported order.
_ORDERS = {"LPS": (-1.0, -1.0, 1.0), "RAS": (1.0, 1.0, 1.0)}


class Reorientation:
    """How a stored volume maps onto its canonical voxel order: canonical axis c is stored axis `axes[c]`, reversed
    where `flips[c]`. The identity when the volume is stored in canonical order already."""

    def __init__(self, dims: Sequence[int], axes: Sequence[int] = (0, 1, 2), flips: Sequence[bool] = (False, False, False)):
        self.dims = tuple(int(d) for d in dims)  # stored (i, j, k)
        self.axes = tuple(int(a) for a in axes)
        self.flips = tuple(bool(f) for f in flips)
        self.inverse = tuple(self.axes.index(a) for a in range(3))  # stored axis -> canonical axis

    @classmethod
    def identity(cls, dims: Sequence[int]) -> "Reorientation":
        return cls(dims)

    @classmethod
    def towards(cls, ijk_to_ras: np.ndarray, dims: Sequence[int], order: str = "LPS") -> "Reorientation":
        """The reordering that makes the stored axes run as `order` ("LPS" or "RAS") as nearly as they can."""
        targets = _ORDERS[order]
        directions = np.asarray(ijk_to_ras, dtype=float)[:3, :3]
        directions = directions / np.linalg.norm(directions, axis=0, keepdims=True)
        # Greedy on the largest |cosine|: each stored axis claims the world axis it is closest to, strongest first.
        axes, flips = [None] * 3, [False] * 3
        free_world, free_stored = {0, 1, 2}, {0, 1, 2}
        for _ in range(3):
            world, stored = max(((w, s) for w in free_world for s in free_stored), key=lambda ws: abs(directions[ws[0], ws[1]]))
            axes[world] = stored
            flips[world] = np.sign(directions[world, stored]) != targets[world]
            free_world.discard(world)
            free_stored.discard(stored)
        return cls(dims, axes, flips)

    @property
    def is_identity(self) -> bool:
        return self.axes == (0, 1, 2) and not any(self.flips)

    @property
    def canonical_dims(self) -> Tuple[int, int, int]:
        return tuple(self.dims[a] for a in self.axes)

    def canonical_to_stored_matrix(self) -> np.ndarray:
        """4x4 mapping canonical (i, j, k, 1) to stored (i, j, k, 1)."""
        m = np.zeros((4, 4))
        m[3, 3] = 1.0
        for c, a in enumerate(self.axes):
            if self.flips[c]:
                m[a, c], m[a, 3] = -1.0, self.dims[a] - 1
            else:
                m[a, c] = 1.0
        return m

    def canonical_ijk_to_ras(self, ijk_to_ras: np.ndarray) -> np.ndarray:
        return np.asarray(ijk_to_ras, dtype=float) @ self.canonical_to_stored_matrix()

    # --- arrays ([k, j, i], optionally with channels last) ---------------------------------------------------

    def to_canonical(self, stored_kji: np.ndarray) -> np.ndarray:
        if self.is_identity:
            return stored_kji
        ijk = np.moveaxis(stored_kji, (0, 1, 2), (2, 1, 0))  # [i, j, k, ...]
        canonical = np.transpose(ijk, (*self.axes, *range(3, ijk.ndim)))
        for c in range(3):
            if self.flips[c]:
                canonical = np.flip(canonical, axis=c)
        return np.moveaxis(canonical, (0, 1, 2), (2, 1, 0))

    def to_stored(self, canonical_kji: np.ndarray) -> np.ndarray:
        if self.is_identity:
            return canonical_kji
        ijk = np.moveaxis(canonical_kji, (0, 1, 2), (2, 1, 0))
        for c in range(3):
            if self.flips[c]:
                ijk = np.flip(ijk, axis=c)
        stored = np.transpose(ijk, (*self.inverse, *range(3, ijk.ndim)))
        return np.moveaxis(stored, (0, 1, 2), (2, 1, 0))

    # --- clicks and boxes ------------------------------------------------------------------------------------

    def voxel_to_canonical(self, voxel: Sequence[int]) -> Tuple[int, int, int]:
        out = []
        for c, a in enumerate(self.axes):
            v = int(voxel[a])
            out.append(self.dims[a] - 1 - v if self.flips[c] else v)
        return tuple(out)

    def axis_to_canonical(self, axis: int) -> int:
        return self.inverse[axis]

    def axis_to_stored(self, axis: int) -> int:
        return self.axes[axis]

    def index_to_stored(self, canonical_axis: int, index: int) -> int:
        """A canonical slice index along `canonical_axis` as the stored index along its stored axis."""
        a = self.axes[canonical_axis]
        return self.dims[a] - 1 - index if self.flips[canonical_axis] else index

    def box_to_stored(self, box: Optional[tuple]) -> Optional[tuple]:
        """A canonical (min_i, min_j, min_k, max_i, max_j, max_k) box as the stored box covering the same voxels."""
        if box is None:
            return None
        low, high = [0, 0, 0], [0, 0, 0]
        for c, a in enumerate(self.axes):
            first, last = self.index_to_stored(c, box[c]), self.index_to_stored(c, box[c + 3])
            low[a], high[a] = min(first, last), max(first, last)
        return (*low, *high)
