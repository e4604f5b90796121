"""Voxels travel in one order (axes running L, P, S); clicks, boxes and masks map back to the caller's order exactly."""

import itertools

import numpy as np
import pytest

from oaims_client import masks
from oaims_client.images import ImagePayload
from oaims_client.orientation import Reorientation

DIMS = (5, 4, 3)  # (i, j, k)
LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


def stored_affine(axes, signs):
    """An IJK->RAS whose stored axis a runs along world axis axes[a] with sign signs[a] (spacing 1..3)."""
    m = np.eye(4)
    m[:3, :3] = 0
    for a, (w, s) in enumerate(zip(axes, signs)):
        m[w, a] = s * (a + 1)
    m[:3, 3] = (10, -20, 30)
    return m


ALL = [(axes, signs) for axes in itertools.permutations(range(3)) for signs in itertools.product((1, -1), repeat=3)]


@pytest.mark.parametrize("axes, signs", ALL)
def test_every_stored_order_reaches_lps_and_keeps_each_voxels_value_and_world_position(axes, signs):
    affine = stored_affine(axes, signs)
    r = Reorientation.towards(affine, DIMS)
    stored = np.arange(np.prod(DIMS)).reshape(DIMS[::-1])
    canonical = r.to_canonical(stored)
    canonical_affine = r.canonical_ijk_to_ras(affine)
    assert np.all(np.sign(np.diag(canonical_affine)[:3]) == (-1, -1, 1)), "canonical axes run L, P, S"
    assert np.count_nonzero(canonical_affine[:3, :3]) == 3
    for voxel in [(0, 0, 0), (4, 3, 2), (1, 2, 1), (3, 0, 2)]:
        c = r.voxel_to_canonical(voxel)
        assert canonical[c[2], c[1], c[0]] == stored[voxel[2], voxel[1], voxel[0]]
        assert np.allclose(canonical_affine @ [*c, 1], affine @ [*voxel, 1])
    assert np.array_equal(r.to_stored(canonical), stored)


def test_a_volume_stored_lps_is_uploaded_as_it_is():
    r = Reorientation.towards(LPS, DIMS)
    assert r.is_identity


def test_an_oblique_volume_keeps_its_nearest_axes():
    c, s = np.cos(np.radians(30)), np.sin(np.radians(30))
    rotation = np.array([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    assert Reorientation.towards(rotation @ LPS, DIMS).is_identity


@pytest.mark.parametrize("axes, signs", ALL[::5])
def test_boxes_axes_and_slices_map_to_the_stored_voxels_they_cover(axes, signs):
    r = Reorientation.towards(stored_affine(axes, signs), DIMS)
    canonical_mask = np.zeros(r.canonical_dims[::-1], dtype=np.uint8)
    box = (1, 0, 1, 2, 1, 1)  # canonical (min_i, min_j, min_k, max_i, max_j, max_k)
    canonical_mask[box[2]:box[5] + 1, box[1]:box[4] + 1, box[0]:box[3] + 1] = 1
    stored_mask = r.to_stored(canonical_mask)
    x0, y0, z0, x1, y1, z1 = r.box_to_stored(box)
    assert stored_mask.sum() == canonical_mask.sum() == stored_mask[z0:z1 + 1, y0:y1 + 1, x0:x1 + 1].sum()
    assert stored_mask[z0:z1 + 1, y0:y1 + 1, x0:x1 + 1].all()
    for stored_axis in range(3):
        c = r.axis_to_canonical(stored_axis)
        assert r.axis_to_stored(c) == stored_axis
        voxel = (2, 1, 1)
        assert r.index_to_stored(c, r.voxel_to_canonical(voxel)[c]) == voxel[stored_axis]


def test_the_payload_travels_in_lps_order_and_remembers_the_way_back():
    ras = stored_affine((0, 1, 2), (1, 1, 1))
    voxels = np.arange(np.prod(DIMS), dtype=np.int16).reshape(DIMS[::-1])
    payload = ImagePayload.from_array(voxels, ras)
    assert not payload.reorientation.is_identity
    uploaded = np.frombuffer(bytes(payload.data), "<i2").reshape(DIMS[::-1])
    assert np.array_equal(uploaded, voxels[:, ::-1, ::-1])
    assert np.allclose(np.reshape(payload.ijk_to_ras, (4, 4)), payload.reorientation.canonical_ijk_to_ras(ras))
    as_stored = ImagePayload.from_array(voxels, ras, orientation=None)
    assert as_stored.reorientation.is_identity and bytes(as_stored.data) == voxels.tobytes()


def test_a_delta_re_expressed_in_stored_order_writes_the_same_voxels():
    r = Reorientation.towards(stored_affine((2, 0, 1), (1, -1, 1)), DIMS)
    rng = np.random.default_rng(1)
    canonical = (rng.random(r.canonical_dims[::-1]) > 0.5).astype(np.uint8)
    box = (1, 1, 0, 2, 2, 1)
    delta = masks.encode(canonical, box)
    mine = np.zeros(DIMS[::-1], dtype=np.uint8)
    masks.encode_box(r.to_stored(delta.labels()), r.box_to_stored(delta.box)).apply_to(mine)
    expected = np.zeros_like(canonical)
    delta.apply_to(expected)
    assert np.array_equal(mine, r.to_stored(expected))
