"""`storeteam stock-audit`: explain every unit, or say which are not explained (I3)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from storeteam.inventory.selectors import stock_drift_find


class Command(BaseCommand):
    help = (
        "Recompute every stock row from the stock ledger and from the active reservations and "
        "open allocations; print any drift with the movements involved; exit 1 on drift."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        drifts = stock_drift_find()
        if not drifts:
            self.stdout.write(
                "Stock is explained: every row matches its ledger, reservations and allocations."
            )
            return
        for drift in drifts:
            self.stdout.write(drift.explain())
            for m in drift.movements:
                self.stdout.write(
                    f"    #{m.pk} {m.at:%Y-%m-%d %H:%M:%S} {m.kind:<12} "
                    f"on_hand {m.on_hand_delta:+} reserved {m.reserved_delta:+} "
                    f"allocated {m.allocated_delta:+} "
                    f"by {m.actor_label} ref {m.reference or '-'}: {m.reason or '-'}"
                )
            if not drift.movements:
                self.stdout.write("    (no movements recorded for this row)")
        rows = len({d.stock_id for d in drifts})
        raise CommandError(
            f"stock drift: {len(drifts)} quantities on {rows} stock rows are not explained",
            returncode=1,
        )
