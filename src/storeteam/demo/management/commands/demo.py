"""`storeteam demo`: load demo data and print one staff login per role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from storeteam.demo.services import demo_customer_ensure, demo_staff_ensure


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print one staff login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profile", choices=["small"], default="small")

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_staff_ensure()
        shopper = demo_customer_ensure()
        base = settings.STORE_URL
        self.stdout.write(f"\nStaff sign in at {base}/staff/ (passwords are new on every run):\n")
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.role:<24} {login.email:<{width}}  {login.password}")
        self.stdout.write(f"\nA shopper signs in at {base}/account/login/:\n")
        self.stdout.write(f"  {'customer':<24} {shopper.email:<{width}}  {shopper.password}\n")
