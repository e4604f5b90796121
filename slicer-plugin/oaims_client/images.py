"""An image as it travels: planar little-endian voxels, its geometry, and the content fingerprint the server keys it by."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

import numpy as np

from .orientation import Reorientation

# VoxelType numbers of the wire contract (segmentation.proto).
VOXEL_TYPE_UINT8 = 1
VOXEL_TYPE_INT16 = 2
VOXEL_TYPE_FLOAT32 = 3

_WIRE_DTYPES = {VOXEL_TYPE_UINT8: np.dtype("u1"), VOXEL_TYPE_INT16: np.dtype("<i2"), VOXEL_TYPE_FLOAT32: np.dtype("<f4")}


@dataclass(frozen=True)
class ImagePayload:
    """Voxel bytes ready to upload (all of channel 0, then channel 1, ...; i fastest, then j, then k) and their header."""

    dims: tuple  # (i, j, k)
    channels: int
    voxel_type: int
    ijk_to_ras: tuple  # 16 values, row-major
    data: memoryview
    # How the caller's voxel order maps onto the uploaded one (see orientation.py); identity when not reordered.
    reorientation: Optional[Reorientation] = None

    @classmethod
    def from_array(cls, voxels: np.ndarray, ijk_to_ras: Optional[np.ndarray] = None, orientation: Optional[str] = "LPS") -> "ImagePayload":
        """From an array indexed [k, j, i] (Slicer's arrayFromVolume) or [k, j, i, c] for several channels.

        With a geometry, the voxels are reordered so their axes run as `orientation` (None: as stored); the payload's
        `reorientation` maps clicks and masks between the caller's order and the uploaded one.
        uint8 and int16 travel as they are; anything else travels as float32.
        """
        array = np.asarray(voxels)
        if array.ndim not in (3, 4):
            raise ValueError(f"Expected voxels indexed [k, j, i] or [k, j, i, c], got {array.ndim} dimensions.")
        if ijk_to_ras is not None and np.shape(ijk_to_ras) != (4, 4):
            raise ValueError(f"The IJK-to-RAS matrix must be 4x4, got {np.shape(ijk_to_ras)}.")
        stored_dims = (array.shape[2], array.shape[1], array.shape[0])
        if ijk_to_ras is None or orientation is None:
            reorientation = Reorientation.identity(stored_dims)
        else:
            reorientation = Reorientation.towards(ijk_to_ras, stored_dims, orientation)
            array = reorientation.to_canonical(array)
            ijk_to_ras = reorientation.canonical_ijk_to_ras(ijk_to_ras)
        planar = array[np.newaxis] if array.ndim == 3 else np.moveaxis(array, 3, 0)
        if array.dtype == np.uint8:
            voxel_type = VOXEL_TYPE_UINT8
        elif array.dtype == np.int16:
            voxel_type = VOXEL_TYPE_INT16
        else:
            voxel_type = VOXEL_TYPE_FLOAT32
        planar = np.ascontiguousarray(planar, dtype=_WIRE_DTYPES[voxel_type])
        channels, depth, height, width = planar.shape
        matrix = np.eye(4) if ijk_to_ras is None else np.asarray(ijk_to_ras, dtype=float)
        return cls((width, height, depth), channels, voxel_type, tuple(float(v) for v in matrix.ravel()),
                   memoryview(planar.reshape(-1).view(np.uint8)), reorientation)

    @property
    def nbytes(self) -> int:
        return self.data.nbytes

    @property
    def fingerprint(self) -> str:
        """Lowercase hex SHA-256 of the header fields and the payload, as ImageRef.image_id defines it."""
        digest = hashlib.sha256(b"oaims.v1.image\n")
        digest.update(struct.pack("<5i16d", *self.dims, self.channels, self.voxel_type, *self.ijk_to_ras))
        digest.update(self.data)
        return digest.hexdigest()

    def chunks(self, chunk_bytes: int) -> Iterator[memoryview]:
        """The payload in slices of at most `chunk_bytes` (no copies)."""
        if chunk_bytes <= 0:
            raise ValueError("Chunks need a positive size.")
        for start in range(0, self.nbytes, chunk_bytes):
            yield self.data[start:start + chunk_bytes]


def matrix_from_row_major(values: Sequence[float]) -> np.ndarray:
    """A 4x4 matrix from the 16 row-major values of the wire (identity when empty)."""
    return np.eye(4) if len(values) == 0 else np.asarray(values, dtype=float).reshape(4, 4)
