"""`storeteam createstaff EMAIL --role ROLE`: add a staff member from the command line."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from storeteam.team.roles import ROLES_BY_CODE
from storeteam.team.services import StaffError, staff_create


class Command(BaseCommand):
    help = "Add a staff member with a role. Without --password they are invited by email."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=sorted(ROLES_BY_CODE))
        parser.add_argument("--name", default="")
        parser.add_argument("--language", default="en")
        parser.add_argument(
            "--password", action="store_true", help="Ask for a password now instead of inviting."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if options["password"]:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
            try:
                password_validation.validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        try:
            member = staff_create(
                actor=None,
                email=options["email"],
                full_name=options["name"],
                role=options["role"],
                language=options["language"],
                password=password,
            )
        except StaffError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Added {member.email} as {options['role']}.")
