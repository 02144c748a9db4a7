"""The back office's navigation. An entry is shown to a staff member only when the view it leads
to would let them in: the permission is read from the view's own declaration, never repeated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from storeteam.core.access import access_of


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Promise
    summary: Promise


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(
        "backoffice:orders",
        _("Orders"),
        _("Find an order by number or email; cancel, refund, and see everything that happened."),
    ),
    NavItem(
        "backoffice:catalog_products",
        _("Products"),
        _("Find, edit, publish and price the products."),
    ),
    NavItem(
        "backoffice:catalog_categories",
        _("Categories"),
        _("The category tree, its texts and each category's sorting rules."),
    ),
    NavItem(
        "backoffice:catalog_import",
        _("Import and export"),
        _("The catalog as a CSV file: export, edit, import back."),
    ),
    NavItem(
        "backoffice:inventory_stock",
        _("Stock"),
        _("Stock in every warehouse: receipts, adjustments, transfers and counts."),
    ),
    NavItem(
        "backoffice:inventory_low_stock",
        _("Low stock"),
        _("Products at or below their low-stock threshold."),
    ),
    NavItem(
        "backoffice:returns",
        _("Returns"),
        _("Returns to decide, receive, inspect and refund; return reasons per product."),
    ),
    NavItem(
        "backoffice:fulfilment",
        _("Packing and shipping"),
        _("Open work per warehouse, pick lists, packing, shipping and the print queues."),
    ),
    NavItem(
        "backoffice:fulfilment_stations",
        _("Packing stations"),
        _("Each packing table with its printer, label format and labels per hour."),
    ),
    NavItem(
        "backoffice:fulfilment_shifts",
        _("Packing shifts"),
        _("When each warehouse packs and how fast: the capacity the day's projection uses."),
    ),
    NavItem(
        "backoffice:fulfilment_links",
        _("Warehouse systems"),
        _("External warehouse systems: up or down, their queue, address, secret and pause."),
    ),
    NavItem(
        "backoffice:payments",
        _("Payments"),
        _("Payments with their provider calls, webhooks and refunds; those to look at."),
    ),
    NavItem("backoffice:staff_list", _("Staff"), _("Who works in the store, and in which role.")),
    NavItem("backoffice:audit_log", _("Audit log"), _("Every staff action: who, what and when.")),
    NavItem(
        "backoffice:events",
        _("Domain events"),
        _("Events between the teams, their deliveries and dead letters."),
    ),
)


def navigation_for(user: Any) -> list[dict[str, Any]]:
    items = []
    for item in NAVIGATION:
        url = reverse(item.url_name)
        access = access_of(resolve(url).func)
        if access is not None and access.allows(user):
            items.append(
                {"url": url, "label": item.label, "summary": item.summary, "name": item.url_name}
            )
    return items
