"""Events the customers domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from storeteam.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CustomerRegistered(DomainEvent):
    """A shopper created an account (marketing and analytics listen, once they exist)."""

    user_id: int
    language: str
