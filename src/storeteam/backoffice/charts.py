"""Small charts drawn on the server as inline SVG (no script, readable without JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from storeteam.fulfilment.capacity import Projection

WIDTH = 320
HEIGHT = 120
PAD = 24


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    backlog: str  # polyline points
    due: str
    labels: list[tuple[float, str]]  # x, hour label
    top: int  # the value at the top of the chart
    zero_y: float


LABEL_GAP = 36  # the least room between two hour labels, in the chart's units


def _spaced(labels: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """The first and last labels, and those between with room around them."""
    if len(labels) <= 2:
        return labels
    last = labels[-1]
    kept = [labels[0]]
    for label in labels[1:-1]:
        if label[0] - kept[-1][0] >= LABEL_GAP and last[0] - label[0] >= LABEL_GAP:
            kept.append(label)
    return [*kept, last]


def projection_chart(projection: Projection) -> LineChart | None:
    """Today's projected backlog and parcels due, hour by hour until the last shift ends."""
    points = projection.points
    if len(points) < 2:
        return None
    top = max(max(p.backlog for p in points), max(p.due_left for p in points), 1)
    start, end = points[0].at, points[-1].at
    span = max((end - start).total_seconds(), 1.0)

    def x(at: datetime) -> float:
        return PAD + (WIDTH - 2 * PAD) * ((at - start).total_seconds() / span)

    def y(value: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value / top)

    def line(values: list[tuple[datetime, int]]) -> str:
        return " ".join(f"{x(at):.1f},{y(v):.1f}" for at, v in values)

    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        backlog=line([(p.at, p.backlog) for p in points]),
        due=line([(p.at, p.due_left) for p in points]),
        labels=_spaced([(x(p.at), timezone.localtime(p.at).strftime("%H:%M")) for p in points]),
        top=top,
        zero_y=y(0),
    )
