"""Settings come from the environment; production refuses unsafe ones. Each case runs in a fresh
interpreter so the environment really is what the settings module reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
    " 'options': s.DATABASES['default'].get('OPTIONS', {}), 'cache': s.CACHES['default']['BACKEND'],"
    " 'tasks': s.TASKS['default']['BACKEND'], 'email': s.EMAIL_BACKEND, 'email_host': getattr(s, 'EMAIL_HOST', ''),"
    " 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'secure': s.SESSION_COOKIE_SECURE}))"
)


def run_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "HTTPS",
        }
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "storeteam.config.settings", **env})
    return subprocess.run(args, env=clean, capture_output=True, text=True, timeout=120, cwd=ROOT)


def settings_with(env: dict[str, str]) -> dict[str, object]:
    result = run_with(env, sys.executable, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_sqlite_in_wal_mode_locmem_cache_database_tasks_console_email() -> None:
    s = settings_with({"STORETEAM_VAR_DIR": "/tmp/storeteam-settings-test"})
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == "/tmp/storeteam-settings-test/storeteam.sqlite3"
    assert "journal_mode=WAL" in s["options"]["init_command"]
    assert s["options"]["transaction_mode"] == "IMMEDIATE"
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["tasks"] == "django_tasks_db.DatabaseBackend"
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["debug"] is False


def test_urls_switch_to_postgresql_redis_and_smtp() -> None:
    s = settings_with(
        {
            "DATABASE_URL": "postgres://shop@db.internal:5432/store",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "EMAIL_URL": "smtp://mailer:secret@127.0.0.1:2525",
            "ALLOWED_HOSTS": "shop.example,www.shop.example",
            "HTTPS": "true",
        }
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "store"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["tasks"] == "django_tasks_rq.RQBackend"
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["email_host"] == "127.0.0.1"
    assert s["hosts"] == ["shop.example", "www.shop.example"]
    assert s["secure"] is True


def test_a_malformed_boolean_is_a_clear_error() -> None:
    result = run_with({"DEBUG": "maybe"}, sys.executable, "-c", PROBE)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORETEAM_READ_KEY_FILE": "0"}, "storeteam.E001"),
        (
            {"SECRET_KEY": "a-real-secret-key-for-this-test-0123456789", "DEBUG": "true"},
            "storeteam.E002",
        ),
    ],
)
def test_production_server_refuses_unsafe_settings(env: dict[str, str], message: str) -> None:
    storeteam = str(Path(sys.executable).with_name("storeteam"))
    result = run_with(env, storeteam, "serve", "--bind", "127.0.0.1:0")
    assert result.returncode != 0
    assert message in result.stderr
