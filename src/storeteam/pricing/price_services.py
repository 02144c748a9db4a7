"""Staff price changes (S2): set the prices of some variants in one price list, audited. The
validation, the write and the ``PricesChanged`` event are ``prices_import``'s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from storeteam.core.audit import audit_record
from storeteam.pricing.models import PriceList
from storeteam.pricing.services import PriceImportError, PriceRow, prices_import

MAX_ROWS = 5000


def prices_set(
    *,
    price_list_code: str,
    rows: Sequence[PriceRow],
    actor: Any,
    ip_address: str | None = None,
) -> int:
    """Set the price (and compare-at price) of each SKU in the price list ``price_list_code``:
    all or nothing, audited as ``prices.set`` with every row. Raises ``PriceImportError`` listing
    every problem. Returns how many prices were set."""
    problems: list[str] = []
    price_list = PriceList.objects.filter(code=price_list_code).first()
    if price_list is None:
        problems.append(_("unknown price list %(code)s") % {"code": price_list_code})
    if not rows:
        problems.append(_("name at least one price"))
    if len(rows) > MAX_ROWS:
        problems.append(_("at most %(n)s prices at a time") % {"n": MAX_ROWS})
    if problems or price_list is None:
        raise PriceImportError(problems)
    with transaction.atomic():
        count = prices_import(price_list=price_list, rows=rows)
        audit_record(
            actor=actor,
            action="prices.set",
            target=price_list,
            after={
                "prices": [
                    {
                        "sku": row.sku,
                        "amount": str(row.amount),
                        "compare_at": None if row.compare_at in (None, "") else str(row.compare_at),
                    }
                    for row in rows
                ]
            },
            ip_address=ip_address,
        )
    return count
