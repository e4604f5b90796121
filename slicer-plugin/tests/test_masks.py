"""Mask deltas decode exactly as src/Oaims.Interaction/MaskDelta.cs and BitPacking.cs encode them."""

import zlib

import numpy as np
import pytest

from oaims_client import OaimsError
from oaims_client.masks import BIT_PACKED, BYTE_PER_VOXEL, MaskDelta, assemble, encode


def test_bit_packed_labels_are_least_significant_bit_first_x_fastest():
    # A 3x2x1 box (x 1..3, y 0..1, z 2): voxels in box order x fastest: 1 0 1 / 1 1 0 -> bits 0b011101 = 0x1D.
    delta = MaskDelta((1, 0, 2, 3, 1, 2), BIT_PACKED, zlib.compress(bytes([0x1D])))
    assert delta.labels().tolist() == [[[1, 0, 1], [1, 1, 0]]]


def test_applying_a_delta_writes_its_box_into_a_kji_array():
    mask = np.zeros((4, 3, 5), dtype=np.uint8)
    delta = MaskDelta((1, 0, 2, 3, 1, 2), BIT_PACKED, zlib.compress(bytes([0x1D])))
    delta.apply_to(mask)
    assert mask[2, 0, 1:4].tolist() == [1, 0, 1]
    assert mask[2, 1, 1:4].tolist() == [1, 1, 0]
    assert mask.sum() == 4


def test_byte_per_voxel_keeps_labels_above_one():
    delta = MaskDelta((0, 0, 0, 1, 0, 0), BYTE_PER_VOXEL, zlib.compress(bytes([3, 7])))
    assert delta.labels().ravel().tolist() == [3, 7]


def test_encode_then_decode_round_trips_any_box():
    rng = np.random.default_rng(0)
    mask = (rng.random((5, 6, 7)) > 0.5).astype(np.uint8)
    delta = encode(mask, (2, 1, 0, 6, 4, 3))
    assert delta.encoding == BIT_PACKED
    assert np.array_equal(delta.labels(), mask[0:4, 1:5, 2:7])
    assert np.array_equal(assemble([encode(mask)], mask.shape), mask)


def test_an_empty_delta_changes_nothing():
    mask = np.ones((2, 2, 2), dtype=np.uint8)
    MaskDelta(None, BIT_PACKED, b"").apply_to(mask)
    assert mask.sum() == 8


@pytest.mark.parametrize("data", [zlib.compress(bytes([1, 2])), b"not zlib", zlib.compress(b"")])
def test_data_of_the_wrong_length_or_not_zlib_raises_an_oaims_error(data):
    delta = MaskDelta((0, 0, 0, 2, 0, 0), BYTE_PER_VOXEL, data)
    with pytest.raises(OaimsError) as raised:
        delta.labels()
    assert raised.value.code == "DATA_LOSS"


def test_a_box_outside_the_mask_raises_an_oaims_error():
    delta = encode(np.ones((1, 1, 4), dtype=np.uint8))
    with pytest.raises(OaimsError):
        delta.apply_to(np.zeros((1, 1, 3), dtype=np.uint8))
