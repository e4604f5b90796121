"""Mask deltas as they travel: a box of voxels and its labels, bit-packed or one byte per voxel, zlib-compressed.

Arrays here are indexed [z, y, x] (= [k, j, i]), the order of Slicer's arrayFromVolume and of a C-order
numpy array whose x varies fastest: a box's bytes, x fastest then y then z, reshape straight into it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Iterable, Optional, Tuple

import numpy as np

from .errors import OaimsError

BIT_PACKED = 1
BYTE_PER_VOXEL = 2

# (min_x, min_y, min_z, max_x, max_y, max_z), inclusive, as VoxelBox in src/Oaims.Interaction.
Box = Tuple[int, int, int, int, int, int]


@dataclass(frozen=True)
class MaskDelta:
    """The new labels of one box of a mask; `box` is None when nothing changed."""

    box: Optional[Box]
    encoding: int
    data: bytes

    @property
    def is_empty(self) -> bool:
        return self.box is None

    @property
    def box_shape(self) -> Tuple[int, int, int]:
        """The box's extent as (depth, height, width), the shape of `labels()`."""
        x0, y0, z0, x1, y1, z1 = self.box
        return (z1 - z0 + 1, y1 - y0 + 1, x1 - x0 + 1)

    @property
    def slices(self) -> Tuple[slice, slice, slice]:
        """Where the box sits in a [z, y, x] array."""
        x0, y0, z0, x1, y1, z1 = self.box
        return (slice(z0, z1 + 1), slice(y0, y1 + 1), slice(x0, x1 + 1))

    def labels(self) -> np.ndarray:
        """The box's labels as a uint8 array of shape `box_shape`."""
        if self.box is None:
            raise ValueError("An empty delta has no labels.")
        shape = self.box_shape
        count = shape[0] * shape[1] * shape[2]
        if count <= 0:
            raise OaimsError("DATA_LOSS", f"The mask box {self.box} is inverted.")
        if self.encoding == BIT_PACKED:
            raw = _decompress(self.data, (count + 7) // 8)
            flat = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), count=count, bitorder="little")
        elif self.encoding == BYTE_PER_VOXEL:
            flat = np.frombuffer(_decompress(self.data, count), dtype=np.uint8)
        else:
            raise OaimsError("DATA_LOSS", f"Unknown mask encoding {self.encoding}.")
        return flat.reshape(shape)

    def apply_to(self, mask: np.ndarray) -> np.ndarray:
        """Writes the box's labels into `mask` ([z, y, x]) in place and returns it; an empty delta changes nothing."""
        if self.box is None:
            return mask
        x0, y0, z0, x1, y1, z1 = self.box
        depth, height, width = mask.shape
        if min(x0, y0, z0) < 0 or x1 >= width or y1 >= height or z1 >= depth:
            raise OaimsError("DATA_LOSS", f"The mask box {self.box} does not lie inside a {width}x{height}x{depth} mask.")
        mask[self.slices] = self.labels()
        return mask


def encode(mask: np.ndarray, box: Optional[Box] = None) -> MaskDelta:
    """The delta carrying `mask`'s labels inside `box` (default: all of it): the inverse of MaskDelta.apply_to.

    Mirrors MaskDelta.OfBox in C#.
    """
    depth, height, width = mask.shape
    box = box or (0, 0, 0, width - 1, height - 1, depth - 1)
    x0, y0, z0, x1, y1, z1 = box
    return encode_box(mask[z0:z1 + 1, y0:y1 + 1, x0:x1 + 1], box)


def encode_box(labels: np.ndarray, box: Box) -> MaskDelta:
    """The delta writing `labels` (shaped like the box, [z, y, x]) at `box`: the inverse of MaskDelta.labels."""
    x0, y0, z0, x1, y1, z1 = box
    if labels.shape != (z1 - z0 + 1, y1 - y0 + 1, x1 - x0 + 1):
        raise ValueError(f"Labels of shape {labels.shape} do not fill the box {box}.")
    inside = np.ascontiguousarray(labels).astype(np.uint8).ravel()
    if inside.size and inside.max() <= 1:
        return MaskDelta(box, BIT_PACKED, zlib.compress(np.packbits(inside, bitorder="little").tobytes(), 1))
    return MaskDelta(box, BYTE_PER_VOXEL, zlib.compress(inside.tobytes(), 1))


def changed_box(mask: np.ndarray, base: Optional[np.ndarray] = None) -> Optional[Box]:
    """The smallest box holding every voxel where `mask` differs from `base` (default: zeros), or None when none does."""
    differs = mask != 0 if base is None else mask != base
    if not differs.any():
        return None
    low, high = [], []
    for axis in range(3):  # [z, y, x]
        others = tuple(a for a in range(3) if a != axis)
        hits = np.flatnonzero(differs.any(axis=others))
        low.append(int(hits[0]))
        high.append(int(hits[-1]))
    return (low[2], low[1], low[0], high[2], high[1], high[0])


def assemble(chunks: Iterable[MaskDelta], shape: Tuple[int, int, int]) -> np.ndarray:
    """A whole [z, y, x] uint8 mask rebuilt from chunks applied in order to zeros (what GetMask streams)."""
    mask = np.zeros(shape, dtype=np.uint8)
    for chunk in chunks:
        chunk.apply_to(mask)
    return mask


def _decompress(data: bytes, expected: int) -> bytes:
    # The box tells the exact length, so anything else is a corrupt or mismatched delta.
    try:
        decompressor = zlib.decompressobj()
        raw = decompressor.decompress(data, expected + 1)
        if not decompressor.eof and len(raw) <= expected:
            raw += decompressor.flush()
    except zlib.error as error:
        raise OaimsError("DATA_LOSS", f"The mask data is not valid zlib: {error}.") from None
    if len(raw) != expected:
        raise OaimsError("DATA_LOSS", f"The mask data holds {len(raw)} bytes where its box needs {expected}.")
    return raw
