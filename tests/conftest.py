"""Shared fixtures. Tests talk to real databases (SQLite by default, PostgreSQL when DATABASE_URL
is set), a real Redis, and a real browser; nothing is mocked."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from storeteam.core.events import registry
from tests.factories import CustomerFactory, StaffFactory

IN_CI = os.environ.get("CI") == "true"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Remove a SQLite test database left by an earlier run, with its WAL and shared-memory files.

    Django deletes only the main file; a stale -wal/-shm beside a new database is a disk I/O error.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = database.get("TEST", {}).get("NAME")
        if name:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request in another language (Accept-Language, a /sv/ page) activates it in this thread;
    # each test starts, and leaves, in the store's default language.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is the store's hasher (checked in tests/config); tests hash with MD5 to stay fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Each test writes its uploads and renditions under a directory of its own, never var/media.
    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Each test starts with an empty cache, as a freshly started process would.
    from django.core.cache import cache

    from storeteam.catalog import search
    from storeteam.storefront import listing_index, selectors

    cache.clear()
    search._spelling.clear()  # the per-process spelling index, keyed by a version a flush resets
    listing_index._index = listing_index.ListingIndex()  # the per-process listing index, likewise
    selectors._crumbs.clear()  # the per-process category names for breadcrumbs, likewise
    yield
    cache.clear()
    search._spelling.clear()
    listing_index._index = listing_index.ListingIndex()
    selectors._crumbs.clear()


@pytest.fixture
def staff_factory(db: Any) -> Callable[..., Any]:
    return StaffFactory


@pytest.fixture
def customer(db: Any) -> Any:
    return CustomerFactory()


@pytest.fixture
def handlers() -> Iterator[Callable[..., Any]]:
    """Register event handlers for one test only."""
    from storeteam.core.events import event_handler

    added: list[str] = []

    def register(
        event_type: type, *, name: str, max_attempts: int | None = None
    ) -> Callable[..., Any]:
        def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
            added.append(name)
            return event_handler(event_type, name=name, max_attempts=max_attempts)(func)

        return decorate

    yield register
    for name in added:
        registry.unregister_handler(name)


def run_worker_batch() -> None:
    """Run the real database task worker until its queue is empty."""
    from django.core.management import call_command

    call_command(
        "db_worker",
        queue_name="*",
        batch=True,
        interval=0,
        reload=False,
        startup_delay=False,
        verbosity=0,
    )


@pytest.fixture
def drain_tasks() -> Callable[[], None]:
    return run_worker_batch


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    import redis

    try:
        redis.Redis.from_url(redis_url(), socket_connect_timeout=2).ping()
    except Exception:
        return False
    return True


@pytest.fixture
def redis_server() -> str:
    if not redis_available():
        if IN_CI:
            pytest.fail(f"CI=true requires Redis at {redis_url()}")
        pytest.skip(f"Redis not reachable at {redis_url()}")
    return redis_url()


def database_url_of_this_test() -> str:
    """The URL of the database this test runs on, for a child process (worker, server)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def deliver_events() -> Callable[[], int]:
    """Deliver every pending event now, in this test's transaction (the worker's code path)."""
    from storeteam.core.models import DeliveryState, EventDelivery
    from storeteam.core.outbox import event_deliver

    def deliver() -> int:
        ids = sorted(
            set(
                EventDelivery.objects.filter(state=DeliveryState.PENDING).values_list(
                    "event_id", flat=True
                )
            )
        )
        for event_id in ids:
            event_deliver(event_id=event_id)
        return len(ids)

    return deliver
