"""Events the team domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from storeteam.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StaffMemberAdded(DomainEvent):
    """A staff account was created with a role; the new member is invited by email."""

    user_id: int
    email: str
    role: str
    language: str


@dataclass(frozen=True, kw_only=True)
class StaffRoleChanged(DomainEvent):
    """A staff member's role changed: what they may see and do changed with it."""

    user_id: int
    old_role: str
    new_role: str
