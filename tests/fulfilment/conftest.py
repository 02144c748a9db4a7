"""Fixtures of the fulfilment tests."""

from __future__ import annotations

from tests.fulfilment.warehouse_system import warehouse_system

__all__ = ["warehouse_system"]
