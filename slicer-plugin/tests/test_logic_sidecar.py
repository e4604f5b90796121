"""The Logic end to end: fake Slicer scene, real sidecar. What Slicer would show is what the server holds."""

import numpy as np
import pytest

from brats import lesion_centre
from conftest import workspace
from fake_client import Recorder
from fake_slicer import FakeSlicer, TransformNode, VolumeNode
from oaims_client import geometry
from OAIMSLib.logic import OAIMSLogic
from OAIMSLib.settings import ServerSettings


@pytest.fixture
def scene():
    return FakeSlicer()


@pytest.fixture
def listener():
    return Recorder()


@pytest.fixture
def logic(scene, listener):
    logic = OAIMSLogic(slicer=scene, vtk=scene.vtk, listener=listener)
    yield logic
    logic.shutdown()


def settle(logic, seconds=120):
    assert logic.jobs.wait_idle(seconds), "the worker did not finish"


def test_a_point_placed_in_slicer_becomes_a_click_whose_mask_lands_in_the_segment(logic, scene, listener, sidecar, client, t1c, lesion):
    voxels, affine = t1c
    # Slicer's IJK->RAS is the NIfTI affine; the volume sits under a linear transform (moved 12 mm right, turned 90°).
    moved = np.array([[0.0, -1, 0, 12], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    volume = scene.add(VolumeNode(voxels, affine, "pat0004 t1c", TransformNode(moved)))
    logic.connect(ServerSettings(sidecar.url))
    settle(logic)
    assert listener.named("connected"), listener.errors()
    name = workspace(client, "pi+mi")
    logic.start(volume, workspace=name)
    settle(logic)
    assert not listener.errors(), listener.errors()
    work = logic.work
    i, j, k = lesion_centre(lesion)
    logic.click_at(geometry.ijk_to_ras(moved @ affine, (i, j, k)), positive=True)  # no views: axis 2
    settle(logic)
    assert not listener.errors(), listener.errors()
    (record, result), = listener.named("click_done")
    assert record.voxel == (i, j, k) and record.axis == 2 and result.slice == k
    assert not record.steps and result.model_version == 0  # MI learns from the second click on
    server_mask = work.session.mask()
    segment = scene.segment(work.segmentation_node, work.segment_id)
    assert server_mask.any() and np.array_equal(segment, (server_mask == 1).astype(np.uint8))
    logic.undo()
    settle(logic)
    assert not scene.segment(work.segmentation_node, work.segment_id).any()
    logic.click_at(geometry.ijk_to_ras(moved @ affine, (i, j, k)), positive=True)
    logic.click_at(geometry.ijk_to_ras(moved @ affine, (10, 10, k)), positive=False)
    settle(logic)
    record, result = listener.named("click_done")[-1]
    assert record.steps and record.model_version == result.model_version == 1
    logic.accept()
    settle(logic)
    (committed,), = listener.named("committed")
    assert committed.model_version > result.model_version and logic.work is None
    assert "Accepted:" in logic.history.text()
