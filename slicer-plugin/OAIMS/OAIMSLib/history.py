"""The clicks of the current volume as the panel shows them: each click's adaptation steps and a loss sparkline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

SPARK = "▁▂▃▄▅▆▇█"


@dataclass
class ClickRecord:
    """One click: where it went, the steps it caused (loss, ms, version), and how long the round trip took."""

    number: int
    positive: bool
    axis: int
    voxel: Tuple[int, int, int]
    steps: list = field(default_factory=list)
    total_ms: Optional[float] = None
    model_version: Optional[int] = None

    @property
    def loss(self) -> Optional[float]:
        """The loss of the click's last applied step, or None when it caused no update."""
        applied = [s for s in self.steps if s.applied]
        return applied[-1].loss if applied else None

    def lines(self) -> List[str]:
        sign = "+" if self.positive else "-"
        i, j, k = self.voxel
        head = f"#{self.number} {sign} axis {self.axis} voxel ({i}, {j}, {k})"
        if self.total_ms is not None:
            head += f"  {self.total_ms:.0f} ms"
        if self.model_version is not None:
            head += f"  v{self.model_version}"
        body = [f"   {s.kind} step {s.index}: loss {s.loss:.4f}, {s.milliseconds:.0f} ms, v{s.model_version}"
                + ("" if s.applied else " (rejected)") for s in self.steps]
        return [head] + body


class ClickHistory:
    """Every click of the current session, in order; undo drops the last one."""

    def __init__(self):
        self.clicks: List[ClickRecord] = []
        self.commit_steps: list = []

    def start(self, positive: bool, axis: int, voxel) -> ClickRecord:
        record = ClickRecord(len(self.clicks) + 1, positive, axis, tuple(int(v) for v in voxel))
        self.clicks.append(record)
        return record

    def drop_last(self):
        if self.clicks:
            self.clicks.pop()

    def clear(self):
        self.clicks.clear()
        self.commit_steps = []

    def text(self) -> str:
        lines = [line for click in self.clicks for line in click.lines()]
        if self.commit_steps:
            lines.append("Accepted:")
            lines += [f"   {s.kind} step {s.index}: loss {s.loss:.4f}, {s.milliseconds:.0f} ms, v{s.model_version}"
                      for s in self.commit_steps]
        return "\n".join(lines)

    def losses(self) -> List[Optional[float]]:
        return [click.loss for click in self.clicks]

    def sparkline(self) -> str:
        return sparkline(self.losses())


def sparkline(values: Sequence[Optional[float]]) -> str:
    """One character per value, its height the value's place between the smallest and largest; '·' for none."""
    known = [v for v in values if v is not None]
    if not known:
        return "·" * len(values)
    low, high = min(known), max(known)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append("·")
        else:
            level = 0 if span == 0 else int(round((v - low) / span * (len(SPARK) - 1)))
            out.append(SPARK[level])
    return "".join(out)
