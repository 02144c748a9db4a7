"""Demo data: a plausible store to look around in. Built only through the domains' services."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from storeteam.accounts.models import User
from storeteam.customers.services import customer_register, customer_set_password
from storeteam.team.roles import ROLES
from storeteam.team.services import staff_create, staff_set_password

DEMO_DOMAIN = "demo.storeteam.example"

# One person per role, with names from the four languages the store speaks.
DEMO_NAMES = {
    "head_of_digital": ("Astrid Lindqvist", "sv"),
    "ecommerce_manager": ("Jonas Berg", "sv"),
    "product_specialist": ("Camille Laurent", "fr"),
    "ecommerce_analyst": ("Daan de Vries", "nl"),
    "marketing_manager": ("Élodie Martin", "fr"),
    "customer_service_agent": ("Sanne Jansen", "nl"),
    "customer_service_lead": ("Erik Nilsson", "sv"),
    "logistics_manager": ("Lucas Dubois", "fr"),
    "inventory_manager": ("Maja Svensson", "sv"),
    "content_manager": ("Femke Bakker", "nl"),
    "data_analyst": ("Oliver Hughes", "en"),
    "finance": ("Ingrid Holm", "sv"),
    "executive": ("Margaret Collins", "en"),
    "developer": ("Pieter Visser", "nl"),
    "project_manager": ("Chloé Bernard", "fr"),
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def demo_password() -> str:
    return secrets.token_urlsafe(9)


def demo_staff_ensure() -> list[DemoLogin]:
    """One staff member per role, each with a fresh random password (printed by the command)."""
    logins = []
    for role in ROLES:
        name, language = DEMO_NAMES[role.code]
        email = f"{role.code.replace('_', '-')}@{DEMO_DOMAIN}"
        password = demo_password()
        member = User.objects.filter(email=email).first()
        if member is None:
            staff_create(
                actor=None,
                email=email,
                full_name=name,
                role=role.code,
                language=language,
                password=password,
            )
        else:
            staff_set_password(actor=None, member=member, password=password)
        logins.append(DemoLogin(role=role.code, email=email, password=password))
    return logins


def demo_customer_ensure() -> DemoLogin:
    email = f"shopper@{DEMO_DOMAIN}"
    password = demo_password()
    customer = User.objects.filter(email=email).first()
    if customer is None:
        customer_register(email=email, password=password, full_name="Alex Shopper", language="en")
    else:
        # The demo shopper's password is reset like the staff ones, so the printed one works.
        customer_set_password(customer=customer, password=password)
    return DemoLogin(role="customer", email=email, password=password)


def demo_orders_actor() -> str:
    """Who cancels and refunds the demo orders in their history: the demo customer service
    agent, named as staff are in an order's history."""
    agent = User.objects.filter(email=f"customer-service-agent@{DEMO_DOMAIN}").first()
    return f"staff:{agent.pk}" if agent is not None else "demo"
