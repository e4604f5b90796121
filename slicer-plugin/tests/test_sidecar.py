"""The client package against the real sidecar (`oaims serve` on loopback, started by the `sidecar` fixture)."""

import numpy as np
import pytest

from brats import dice, lesion_centre, next_click, three_geometries
from conftest import workspace
from oaims_client import OaimsError, geometry
from oaims_client.client import Client
from oaims_client.images import ImagePayload


def test_capabilities_name_the_server_device_and_shipped_model(client):
    capabilities = client.capabilities()
    assert capabilities.server_version and capabilities.device in ("cpu", "cuda")
    model = capabilities.model("brain-flair")
    assert model is not None and model.class_names[0] == "background" and model.image_channels == 1
    assert "brain-flair" in capabilities.workspaces and not capabilities.token_required


def test_an_upload_reports_progress_and_a_second_upload_of_the_same_content_is_free(client, t1c):
    voxels, affine = t1c
    payload = ImagePayload.from_array(voxels[:40], affine)  # a slab: a fresh fingerprint whatever ran before
    progress = []
    first = client.upload(payload, name="slab", progress=lambda sent, total: progress.append((sent, total)), chunk_bytes=256 << 10)
    assert first.image_id == payload.fingerprint and first.dims == (240, 240, 40)
    assert len(progress) == -(-payload.nbytes // (256 << 10)) and progress[-1] == (payload.nbytes, payload.nbytes)
    assert [sent for sent, _ in progress] == sorted(sent for sent, _ in progress)
    again = client.upload(payload)
    assert again.already_known and again.image_id == first.image_id


def test_a_click_in_ras_lands_on_the_same_anatomical_voxel_in_every_geometry_and_the_masks_agree(client, t1c, lesion):
    voxels, affine = t1c
    centre = lesion_centre(lesion)
    anatomical_point = geometry.ijk_to_ras(affine, centre)
    masks, images = [], []
    for copy in three_geometries(voxels, affine):
        ras = (copy.world_from_original @ [*anatomical_point, 1.0])[:3]
        voxel = geometry.voxel_at(copy.ijk_to_ras, ras, copy.voxels.shape[::-1])
        assert tuple(np.rint(copy.to_original_voxel @ [*voxel, 1]).astype(int)[:3]) == centre, copy.name
        i, j, k = voxel
        assert copy.voxels[k, j, i] == voxels[centre[2], centre[1], centre[0]]
        image = client.upload(copy.voxels, copy.ijk_to_ras, name=copy.name)
        images.append(image)
        # No adaptation: the three clicks must meet the same weights, so any difference would be geometry's.
        session = client.open_session(image, workspace(client, "none"))
        result = session.click(2, voxel, positive=True)
        mask = session.mask()
        masks.append(copy.mask_in_original_order(mask))
        assert (result.axis, result.slice) == (2, k), "axis and slice come back in this copy's own voxel order"
        session.close()
    assert masks[0].any(), "the click produced no mask at all"
    assert masks[0][centre[2], centre[1], centre[0]] == 1
    for other in masks[1:]:
        assert dice(masks[0], other) >= 0.99
    # Axes travel in one order, so the flipped copy is the same upload as the original: the second one was free.
    assert images[1].image_id == images[0].image_id and images[1].already_known
    assert images[2].image_id != images[0].image_id, "the oblique copy has another geometry"


def test_applying_the_streamed_deltas_one_after_another_reproduces_the_servers_mask(client, t1c, lesion):
    voxels, affine = t1c
    image = client.upload(voxels, affine)
    session = client.open_session(image, workspace(client, "pi+mi"))
    mine = np.zeros(session.shape, dtype=np.uint8)
    i, j, k = lesion_centre(lesion)
    clicks = [(2, (i, j, k), True), (2, (10, 10, k), False), (0, (i, j, k), True), (1, (i, j + 3, k), True)]
    for axis, voxel, positive in clicks:
        result = session.click(axis, voxel, positive)
        result.delta.apply_to(mine)
        assert np.array_equal(mine, session.mask(max_voxels_per_chunk=100_000))
    undone = session.undo()
    assert undone.undone and undone.click_count == len(clicks) - 1
    undone.delta.apply_to(mine)
    assert np.array_equal(mine, session.mask())
    session.close()


def test_a_click_shows_its_first_mask_before_its_steps_and_the_refined_mask_replaces_it(client, t1c, lesion):
    voxels, affine = t1c
    session = client.open_session(client.upload(voxels, affine), workspace(client, "pi+mi"))
    i, j, k = lesion_centre(lesion)
    session.click(2, (i, j, k), True)  # MI learns from the second click on
    before = session.mask()
    shown, events = before.copy(), []
    result = session.click(2, (10, 10, k), False, on_step=lambda step: events.append("step"),
                           on_first_mask=lambda first: (events.append("first mask"), first.apply_to(shown)))
    assert events[0] == "first mask" and "step" in events
    assert result.refined and result.first_delta is not None
    assert 0 < result.time_to_first_mask_ms <= result.time_to_done_ms
    assert 0 < result.first_mask_round_trip_ms <= result.round_trip_ms
    result.delta.apply_to(shown)  # the refined mask replaces the first one ...
    only_last = before.copy()
    result.delta.apply_to(only_last)  # ... and alone is right too, for a client that skipped the first
    assert np.array_equal(shown, session.mask()) and np.array_equal(only_last, shown)


def test_propagation_streams_proposed_slices_whose_deltas_reproduce_the_servers_mask(client, t1c, lesion):
    voxels, affine = t1c
    session = client.open_session(client.upload(voxels, affine), workspace(client, "none"))
    mine = np.zeros(session.shape, dtype=np.uint8)
    i, j, k = lesion_centre(lesion)
    session.click(2, (i, j, k), True).delta.apply_to(mine)
    seen = []
    result = session.propagate(2, k, max_slices=4, on_event=seen.append)
    for proposed in result.slices:
        proposed.delta.apply_to(mine)
    assert list(result.slices) == seen and result.axis == 2
    assert 1 <= len(result.proposed) <= 4 and set(result.proposed) <= {k - 4, k - 3, k - 2, k - 1, k + 1, k + 2, k + 3, k + 4}
    assert [s.slice for s in result.slices if s.proposal] == list(result.proposed)
    assert result.stop_below and result.stop_above
    assert np.array_equal(mine, session.mask())
    session.close()


def test_ten_simulated_clicks_on_one_slice_then_commit_leave_the_mask_and_a_version_per_update(client, t1c, lesion):
    voxels, affine = t1c
    name = workspace(client, "pi+mi")
    source = client.versions(name)
    image = client.upload(voxels, affine)
    session = client.open_session(image, name)
    k = int(np.argmax(lesion.sum(axis=(1, 2))))
    truth = lesion[k]
    mask = np.zeros(session.shape, dtype=np.uint8)
    applied, scores = 0, []
    for n in range(10):
        click = next_click(truth, mask[k] > 0) or (*_first_voxel(truth), True)
        row, column, positive = click
        result = session.click(2, (column, row, k), positive, on_step=lambda step: None)
        assert result.click_count == n + 1 and result.slice == k and result.latency.total_ms > 0
        result.delta.apply_to(mask)
        applied += sum(step.applied for step in result.steps)
        scores.append(dice(truth, mask[k] > 0))
    assert np.array_equal(mask, session.mask())
    assert not mask[np.arange(mask.shape[0]) != k].any(), "clicks on one slice change only that slice"
    assert scores[-1] > scores[0], f"the clicks and their adaptation should improve the slice: Dice per click {scores}"
    commit = session.commit()
    applied += commit.steps_applied
    assert commit.steps and all(step.kind.startswith("pi") for step in commit.steps)
    assert np.array_equal(mask, session.mask()), "committing keeps the mask"
    history = client.versions(name)
    assert history.current_version == commit.model_version
    added = history.versions[len(source.versions):]
    assert len(added) == applied
    assert [v.kind for v in added].count("mi") == applied - commit.steps_applied
    assert {v.kind for v in added[-commit.steps_applied:]} <= {"pi-stage1", "pi-stage2"}
    assert [v.version for v in history.versions] == sorted(v.version for v in history.versions)
    session.close()


def _first_voxel(region):
    rows, columns = np.nonzero(region)
    return int(rows[0]), int(columns[0])


def test_reset_and_rollback_are_new_versions_that_keep_the_history(client, t1c, lesion):
    voxels, affine = t1c
    name = workspace(client, "pi+mi")
    session = client.open_session(client.upload(voxels, affine), name)
    i, j, k = lesion_centre(lesion)
    session.click(2, (i, j, k), True)
    session.click(2, (10, 10, k), False)
    session.click(2, (12, 12, k), False)
    session.close()
    before = client.versions(name)
    assert len(before.versions) >= 3, before
    target = before.versions[1].version  # the second click's update (MI learns from the second click on) (version 0, the source, is what reset restores)
    rolled = client.rollback(name, target)
    reset = client.reset(name)
    after = client.versions(name)
    assert [v.kind for v in after.versions[-2:]] == ["rollback", "reset"]
    assert after.versions[-2].restored_from == target and after.versions[-1].restored_from == 0
    assert after.current_version == reset.model_version > rolled.model_version > before.current_version


def test_a_session_opened_on_a_segment_starts_from_it_and_a_click_replaces_only_its_slice(client, t1c, lesion):
    voxels, affine = t1c
    flipped = three_geometries(voxels, affine)[1]  # another voxel order: the mask must be mapped like the clicks
    segment = np.ascontiguousarray(lesion[::-1, :, ::-1]).astype(np.uint8)
    session = client.open_session(client.upload(flipped.voxels, flipped.ijk_to_ras), workspace(client, "none"),
                                  initial_mask=segment)
    assert np.array_equal(session.mask(), segment), "the segment is the session's first mask"
    k = int(np.argmax(segment.sum(axis=(1, 2))))
    mine = segment.copy()
    result = session.click(2, (10, 10, k), positive=False)
    result.delta.apply_to(mine)  # a change from the segment, which the caller already holds
    assert np.array_equal(mine, session.mask())
    others = np.arange(segment.shape[0]) != k
    assert np.array_equal(mine[others], segment[others]), "slices not clicked keep the segment"
    session.undo().delta.apply_to(mine)
    assert np.array_equal(mine, segment), "undo brings the segment back"
    session.close()


def _commit_after_one_click(client, t1c, lesion, final_mask=None):
    voxels, affine = t1c
    name = workspace(client, "pi")
    session = client.open_session(client.upload(voxels, affine), name)
    mask = np.zeros(session.shape, np.uint8)
    session.click(2, lesion_centre(lesion), True).delta.apply_to(mask)
    edited = None if final_mask is None else final_mask(mask)
    commit = session.commit(final_mask=edited, base=mask)
    accepted = session.mask()
    session.close()
    return commit, client.workspace(name, include_checksum=True).weights_checksum, mask, edited, accepted


def _painted(mask):
    edited = mask.copy()
    k = int(np.argmax(mask.sum(axis=(1, 2))))
    edited[k, 20:60, 20:60] = 1 - edited[k, 20:60, 20:60]  # painted (and erased) by hand
    return edited


def test_a_commit_with_hand_edits_learns_from_the_edited_mask(client, t1c, lesion):
    plain, plain_weights, mask, _, accepted = _commit_after_one_click(client, t1c, lesion)
    assert np.array_equal(accepted, mask)
    edited, edited_weights, _, hand_made, accepted = _commit_after_one_click(client, t1c, lesion, _painted)
    assert np.array_equal(accepted, hand_made), "the server keeps the mask the user accepted"
    assert edited.steps[0].loss != plain.steps[0].loss, "PI's first step measures the loss against the edited mask"
    assert edited_weights != plain_weights


def test_a_final_mask_with_an_unknown_class_is_refused_and_the_session_can_still_commit(client, t1c):
    voxels, affine = t1c
    name = workspace(client, "pi")
    session = client.open_session(client.upload(voxels, affine), name)
    mask = np.zeros(session.shape, np.uint8)
    session.click(2, (120, 120, 70), True).delta.apply_to(mask)
    before = client.workspace(name, include_checksum=True).weights_checksum
    wrong = mask.copy()
    wrong[70, 5:9, 5:9] = 3
    with pytest.raises(OaimsError) as raised:
        session.commit(final_mask=wrong)  # no base: the client fetches the server's mask to find the box that differs
    assert raised.value.code == "INVALID_ARGUMENT" and "label 3" in raised.value.message, raised.value.message
    assert client.workspace(name, include_checksum=True).weights_checksum == before
    assert np.array_equal(session.mask(), mask)
    assert session.commit().steps
    session.close()


def test_a_click_outside_the_image_is_an_invalid_argument_with_the_servers_sentence(client, t1c):
    voxels, affine = t1c
    session = client.open_session(client.upload(voxels, affine), "brain-flair")
    with pytest.raises(OaimsError) as raised:
        session.click(2, (500, 1, 1), True)
    assert raised.value.code == "INVALID_ARGUMENT" and "outside" in raised.value.message
    session.close()


def test_a_field_of_view_keeps_later_clicks_inside_the_window_the_first_click_centred(client, t1c):
    voxels, affine = t1c
    session = client.open_session(client.upload(voxels, affine), "brain-flair", field_of_view=64)
    session.click(2, (120, 120, 77), True)  # the first click carries no adaptation step: the shared model stays as it was
    with pytest.raises(OaimsError) as raised:
        session.click(2, (10, 10, 77), False)
    assert raised.value.code == "INVALID_ARGUMENT" and "field of view" in raised.value.message
    session.close()


def test_an_unknown_session_is_not_found(client):
    from oaims_client.client import Session
    from oaims_client.results import SessionInfo
    # Well-formed (32 hex digits) but never opened: NOT_FOUND; a malformed id is INVALID_ARGUMENT.
    ghost = Session(client, SessionInfo("0" * 32, "brain-flair", "", 1, (1, 1, 1), 0, None, 0, 0, False))
    with pytest.raises(OaimsError) as raised:
        ghost.undo()
    assert raised.value.code == "NOT_FOUND"
    malformed = Session(client, SessionInfo("no-such-session", "brain-flair", "", 1, (1, 1, 1), 0, None, 0, 0, False))
    with pytest.raises(OaimsError) as raised:
        malformed.undo()
    assert raised.value.code == "INVALID_ARGUMENT"


def test_nothing_listening_is_unavailable_with_a_sentence():
    with pytest.raises(OaimsError) as raised:
        Client.connect("http://127.0.0.1:1", timeout=2)
    assert raised.value.code in ("UNAVAILABLE", "DEADLINE_EXCEEDED") and raised.value.message
