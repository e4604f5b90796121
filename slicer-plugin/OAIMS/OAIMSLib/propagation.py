"""A propagation as the panel tells it: its progress while slices arrive, its summary, and the slices still proposals.

Slices are named by their voxel index as Slicer's Data Probe shows it (i, j or k = index), on the axis the last
click's slice lies across.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List, Set, Tuple

AXIS_LETTERS = "ijk"


def slice_ranges(slices: Iterable[int]) -> str:
    """'28–31, 35' for slices 28, 29, 30, 31 and 35 (sorted, runs joined)."""
    ordered = sorted(set(slices))
    runs: List[Tuple[int, int]] = []
    for s in ordered:
        if runs and s == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], s)
        else:
            runs.append((s, s))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _slices(n: int) -> str:
    return "1 slice" if n == 1 else f"{n} slices"


@dataclass
class PropagationRun:
    """One press of Propagate: the slice it starts from, whether that slice is accepted first, and what came back so far."""

    axis: int
    start: int
    accept_first: bool
    steps: list = field(default_factory=list)  # the acceptance's adaptation steps
    proposed: List[int] = field(default_factory=list)
    cleared: List[int] = field(default_factory=list)
    last: int = -1  # the slice that arrived last

    @property
    def letter(self) -> str:
        return AXIS_LETTERS[self.axis]

    def add_slice(self, propagated):
        """Counts one PropagatedSlice (a proposal, or an earlier proposal cleared)."""
        (self.proposed if propagated.proposal else self.cleared).append(propagated.slice)
        self.last = propagated.slice

    def progress(self) -> str:
        """The status line while it runs: slices done and the direction it is going."""
        head = f"Propagating from slice {self.letter}={self.start}"
        if self.last < 0:
            if self.accept_first:
                steps = f" ({len(self.steps)} steps so far)" if self.steps else ""
                return f"{head}: accepting it first, so the model learns from it{steps}…"
            return f"{head}…"
        direction = "down" if self.last < self.start else "up"
        return f"{head}: {_slices(len(self.proposed))} proposed, going {direction} ({self.letter}={self.last})…"

    def summary(self, result) -> str:
        """The status line once it is done: what was proposed, cleared, and why each direction stopped."""
        if self.proposed:
            text = (f"Propagated from slice {self.letter}={self.start}: {_slices(len(self.proposed))} proposed "
                    f"({self.letter}={slice_ranges(self.proposed)}), written into the segment as proposals.")
        else:
            text = f"Propagated from slice {self.letter}={self.start}: no slice proposed."
        if self.cleared:
            text += f" Earlier proposals cleared: {self.letter}={slice_ranges(self.cleared)}."
        return text + f" Below: {result.stop_below}; above: {result.stop_above}."


class Proposals:
    """The slices that show a propagated proposal the user has not clicked (corrected) or accepted yet."""

    def __init__(self):
        self._slices: Set[Tuple[int, int]] = set()

    def __len__(self) -> int:
        return len(self._slices)

    def add(self, axis: int, index: int):
        self._slices.add((axis, index))

    def discard(self, axis: int, index: int):
        self._slices.discard((axis, index))

    def __contains__(self, key) -> bool:
        return key in self._slices

    def text(self) -> str:
        """One line for the panel, e.g. 'Proposals, not yet clicked or accepted: k=28–39, 41–52'; '' when none."""
        if not self._slices:
            return ""
        parts = [f"{AXIS_LETTERS[axis]}={slice_ranges(s for a, s in self._slices if a == axis)}"
                 for axis in sorted({a for a, _ in self._slices})]
        return "Proposals, not yet clicked or accepted: " + "; ".join(parts) + ". A click on one corrects it."
