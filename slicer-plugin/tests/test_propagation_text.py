"""What the panel says about a propagation (OAIMSLib/propagation.py): slice ranges, progress, proposals."""

from OAIMSLib.propagation import PropagationRun, Proposals, slice_ranges
from oaims_client.results import PropagatedSlice


def test_slice_ranges_join_runs_of_consecutive_slices():
    assert slice_ranges([31, 28, 29, 30, 35, 37, 36]) == "28–31, 35–37"
    assert slice_ranges([4]) == "4" and slice_ranges([]) == ""


def test_progress_says_how_many_slices_are_proposed_and_which_way_it_goes():
    run = PropagationRun(axis=2, start=40, accept_first=True)
    assert run.progress() == "Propagating from slice k=40: accepting it first, so the model learns from it…"
    run.add_slice(PropagatedSlice(2, 39, None, True, 1))
    assert run.progress() == "Propagating from slice k=40: 1 slice proposed, going down (k=39)…"
    run.add_slice(PropagatedSlice(2, 41, None, True, 2))
    assert run.progress() == "Propagating from slice k=40: 2 slices proposed, going up (k=41)…"


def test_proposals_leave_the_list_when_the_user_clicks_them():
    proposals = Proposals()
    for s in (28, 29, 30, 33):
        proposals.add(2, s)
    proposals.discard(2, 29)
    assert proposals.text() == "Proposals, not yet clicked or accepted: k=28, 30, 33. A click on one corrects it."
    for s in (28, 30, 33):
        proposals.discard(2, s)
    assert proposals.text() == "" and len(proposals) == 0
