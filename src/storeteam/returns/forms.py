"""Reading a return's lines from a posted form, the same on the customer's page and on customer
service's: per order line ``quantity-<id>``, ``reason-<id>`` and ``note-<id>``. The service checks
the values (``returns.services.return_request``); this only reads them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from storeteam.orders.models import OrderLine
from storeteam.returns.services import ReturnLineSpec

NOTE_CHARS = 300


def posted_count(value: str | None) -> int:
    """A posted count; -1 (refused by the service with a clear message) when it is no number."""
    try:
        return int(value or 0)
    except ValueError:
        return -1


def return_lines_posted(
    data: Mapping[str, str], lines: Iterable[OrderLine]
) -> list[ReturnLineSpec]:
    return [
        ReturnLineSpec(
            order_line_id=line.pk,
            quantity=posted_count(data.get(f"quantity-{line.pk}")),
            reason=data.get(f"reason-{line.pk}", ""),
            note=data.get(f"note-{line.pk}", "")[:NOTE_CHARS],
        )
        for line in lines
    ]
