"""The playbook's roles (product.md, "Who uses it"), each a staff group with explicit permissions.

Roles are data: the table below is the one source of truth for what each role may do. A
migration creates the groups; after every migrate their permissions are set to exactly this.
A domain that adds a workspace adds its permission here to the roles that use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Permissions of the parts built so far, named once so the table reads plainly.
VIEW_STAFF = "accounts.view_staff"
MANAGE_STAFF = "accounts.manage_staff"
VIEW_AUDIT_LOG = "core.view_audit_log"
VIEW_EVENT_OUTBOX = "core.view_event_outbox"
RETRY_EVENT_DELIVERY = "core.retry_event_delivery"
MANAGE_CATALOG = "catalog.manage_catalog"
MANAGE_PRICES = "pricing.manage_prices"
MANAGE_MERCHANDISING = "storefront.manage_merchandising"
VIEW_STOCK = "inventory.view_stock"  # stock, movements, low stock (I1, I3, I4)
MANAGE_STOCK = "inventory.manage_stock"  # receipts, adjustments, counts, transfers
VIEW_FULFILMENT = "fulfilment.view_fulfilment"  # open work, pick lists, print queues (F1, F2)
WORK_FULFILMENT = "fulfilment.work_fulfilment"  # pick, pack, ship, reprint
# packing stations, shifts, external warehouse links (F2, F3, F4)
MANAGE_FULFILMENT = "fulfilment.manage_fulfilment"
VIEW_PAYMENTS = "payments.view_payments"
REFUND_PAYMENTS = "payments.refund_payments"
VIEW_RETURNS = "returns.view_returns"
MANAGE_RETURNS = "returns.manage_returns"  # start for a customer, approve, reject, refund (R1)
RECEIVE_RETURNS = "returns.receive_returns"  # receive and inspect at the warehouse
VIEW_ORDERS = "orders.view_orders"  # the staff order list and each order with its history
MANAGE_ORDERS = "orders.manage_orders"  # cancel, refund, notes, clearing the attention flag


@dataclass(frozen=True)
class Role:
    code: str  # the group's name; stable, never translated
    name: Promise
    duty: Promise  # what they do in the store, shown on their home page
    permissions: frozenset[str]


ROLES: tuple[Role, ...] = (
    Role(
        "head_of_digital",
        _("Head of Digital"),
        _(
            "Oversees every team: strategy, budgets, partners, the product and purchasing "
            "overview. Approves overrides of the store's guards."
        ),
        frozenset(
            {
                VIEW_STAFF,
                MANAGE_STAFF,
                VIEW_AUDIT_LOG,
                VIEW_EVENT_OUTBOX,
                VIEW_STOCK,
                VIEW_PAYMENTS,
                VIEW_RETURNS,
                VIEW_ORDERS,
                VIEW_FULFILMENT,
            }
        ),
    ),
    Role(
        "ecommerce_manager",
        _("E-commerce manager"),
        _(
            "Runs the store day to day: catalog, prices, sorting rules and requirements; "
            "reports to the stakeholders."
        ),
        frozenset({MANAGE_CATALOG, MANAGE_PRICES, MANAGE_MERCHANDISING, VIEW_STOCK, VIEW_ORDERS}),
    ),
    Role(
        "product_specialist",
        _("Product specialist"),
        _("Keeps product data right: attributes, variants, categories and translations."),
        frozenset({MANAGE_CATALOG}),
    ),
    Role(
        "ecommerce_analyst",
        _("E-commerce analyst"),
        _(
            "Turns business needs into requirements, timelines and tasks, and follows them up: "
            "the bridge between the business and IT."
        ),
        frozenset(),
    ),
    Role(
        "marketing_manager",
        _("Marketing manager"),
        _(
            "Campaigns, promotions, email, social media, loyalty, gift cards, abandoned carts "
            "and search engine marketing."
        ),
        frozenset({VIEW_STOCK}),
    ),
    Role(
        "customer_service_agent",
        _("Customer service agent"),
        _("Answers shoppers by phone, live chat and email: questions, order status and returns."),
        frozenset(
            {VIEW_STOCK, VIEW_PAYMENTS, VIEW_RETURNS, MANAGE_RETURNS, VIEW_ORDERS, MANAGE_ORDERS}
        ),
    ),
    Role(
        "customer_service_lead",
        _("Customer service lead"),
        _(
            "Leads the customer service team; acknowledges campaign briefings before a "
            "campaign may start."
        ),
        frozenset(
            {VIEW_STOCK, VIEW_PAYMENTS, VIEW_RETURNS, MANAGE_RETURNS, VIEW_ORDERS, MANAGE_ORDERS}
        ),
    ),
    Role(
        "logistics_manager",
        _("Logistics manager"),
        _(
            "Packing and shipping: the right product to the right address at the right time; "
            "the warehouse team and the carriers."
        ),
        frozenset(
            {
                VIEW_STOCK,
                VIEW_RETURNS,
                RECEIVE_RETURNS,
                VIEW_ORDERS,
                VIEW_FULFILMENT,
                WORK_FULFILMENT,
                MANAGE_FULFILMENT,
            }
        ),
    ),
    Role(
        "inventory_manager",
        _("Inventory manager"),
        _(
            "Stock in every warehouse: what is ordered is what ships; receipts, counts, "
            "transfers and packaging."
        ),
        frozenset(
            {VIEW_STOCK, MANAGE_STOCK, VIEW_RETURNS, RECEIVE_RETURNS, VIEW_ORDERS, VIEW_FULFILMENT}
        ),
    ),
    Role(
        "content_manager",
        _("Content manager"),
        _(
            "Product and category pages, the blog and the footer; finds broken and stale "
            "content; keeps the language plain."
        ),
        frozenset(),
    ),
    Role(
        "data_analyst",
        _("Data analyst"),
        _(
            "Customer information, spending habits, popular products, peak traffic hours "
            "and trends."
        ),
        frozenset(),
    ),
    Role(
        "finance",
        _("Finance and accounting"),
        _("Budgets, forecasts and the money side of the store."),
        frozenset({VIEW_PAYMENTS, REFUND_PAYMENTS, VIEW_RETURNS, VIEW_ORDERS, MANAGE_ORDERS}),
    ),
    Role(
        "executive",
        _("C-level executive"),
        _("Follows the KPIs and the return on investment against the goals; a read-only view."),
        frozenset(),
    ),
    Role(
        "developer",
        _("Developer"),
        _(
            "The platform itself: its API, webhooks, background work and settings; writes "
            "and runs the test scenarios."
        ),
        frozenset({VIEW_EVENT_OUTBOX, RETRY_EVENT_DELIVERY, VIEW_PAYMENTS}),
    ),
    Role(
        "project_manager",
        _("Project manager"),
        _("The store project itself: its team, roles, onboarding and goals."),
        frozenset({VIEW_STAFF, MANAGE_STAFF}),
    ),
)

ROLES_BY_CODE: dict[str, Role] = {role.code: role for role in ROLES}


def role_named(code: str) -> Role | None:
    return ROLES_BY_CODE.get(code)
