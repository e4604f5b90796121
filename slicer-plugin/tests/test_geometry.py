"""RAS -> voxel and the slice axis of a view, for straight, flipped and oblique volumes."""

import numpy as np
import pytest

from oaims_client.geometry import SliceView, axis_nearest, ras_to_ijk, slice_axis, voxel_at


def rotation(axis, degrees):
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    a, b = [(1, 2), (0, 2), (0, 1)][axis]
    r = np.eye(3)
    r[a, a], r[a, b], r[b, a], r[b, b] = c, -s, s, c
    return r


def affine(direction, spacing, origin):
    m = np.eye(4)
    m[:3, :3] = np.asarray(direction) @ np.diag(spacing)
    m[:3, 3] = origin
    return m


@pytest.mark.parametrize("direction", [np.eye(3), np.diag([-1, -1, 1]), rotation(0, 30) @ rotation(2, 20)])
def test_a_voxel_centre_in_ras_maps_back_to_its_voxel(direction):
    m = affine(direction, (0.8, 1.2, 3.0), (-40, 12, 7))
    ras = (m @ [7, 3, 5, 1])[:3]
    assert np.allclose(ras_to_ijk(m, ras), (7, 3, 5))
    assert voxel_at(m, ras, (10, 10, 10)) == (7, 3, 5)


def test_a_point_anywhere_inside_a_voxel_picks_that_voxel_and_outside_none():
    m = affine(np.eye(3), (2, 2, 2), (0, 0, 0))
    assert voxel_at(m, (4.9, 3.1, 0.0), (4, 4, 4)) == (2, 2, 0)
    assert voxel_at(m, (-1.1, 0, 0), (4, 4, 4)) is None
    assert voxel_at(m, (7.1, 0, 0), (4, 4, 4)) is None


def test_the_nearest_axis_follows_the_voxel_directions_not_the_spacing():
    m = affine(np.diag([-1, -1, 1]), (0.5, 0.5, 5.0), (0, 0, 0))
    assert axis_nearest(m, (0, 0, 1)) == 2
    assert axis_nearest(m, (1, 0, 0)) == 0
    assert axis_nearest(m, (0, -1, 0)) == 1
    # A sagittal-ish oblique view (35 degrees off the i axis) still slices along i.
    assert axis_nearest(m, rotation(2, 35) @ [1, 0, 0]) == 0


def test_a_volume_stored_with_permuted_axes_gets_the_permuted_axis():
    # Stored sagittally: i runs S, j runs A, k runs R.
    m = affine(np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]]), (1, 1, 1), (0, 0, 0))
    assert axis_nearest(m, (0, 0, 1)) == 0  # an axial view slices along i here


def test_the_view_holding_the_point_decides_and_no_view_means_axis_2():
    m = np.eye(4)
    axial = SliceView("Red", np.eye(4))
    coronal = np.eye(4)
    coronal[:3, 2] = (0, 1, 0)
    coronal[:3, 3] = (0, 9, 0)
    assert slice_axis(m, (3, 9, 0), [axial, SliceView("Green", coronal)], preferred="Green") == 1
    assert slice_axis(m, (3, 9, 0), [axial, SliceView("Green", coronal)]) == 2
    assert slice_axis(m, (3, 4, 5), [axial]) == 2  # in no view's plane
    assert slice_axis(m, (3, 4, 0), []) == 2
