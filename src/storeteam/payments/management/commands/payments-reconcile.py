"""`storeteam payments-reconcile`: settle payments left half-done now, as the periodic job does."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from storeteam.payments.services import payments_reconcile


class Command(BaseCommand):
    help = (
        "Settle payments left half-done (lost answers, stopped workers); flag the rest for staff."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = payments_reconcile()
        self.stdout.write(
            f"attempts_settled={report.attempts_settled} payments_settled={report.payments_settled}"
            f" flagged={report.flagged} unreachable={report.unreachable}"
        )
