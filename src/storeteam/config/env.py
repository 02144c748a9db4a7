"""The one place the environment is read: every setting that varies by deployment."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

import dj_database_url
import dj_email_url

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("STORETEAM_VAR_DIR", BASE_DIR / "var"))

# A key only good for development and tests. Production (`storeteam serve`, `check --deploy`)
# refuses to run with it.
INSECURE_SECRET_KEY = "storeteam-insecure-development-key-never-use-in-production"  # noqa: S105

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class BadEnvironmentValue(ValueError):
    """An environment variable holds a value that cannot be understood."""


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadEnvironmentValue(f"{name}={raw!r} is not a boolean (use true or false)")


def text(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadEnvironmentValue(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise BadEnvironmentValue(f"{name}={raw!r} must be above zero")
    return value


def words(name: str, default: str = "") -> list[str]:
    return [w.strip() for w in os.environ.get(name, default).split(",") if w.strip()]


def secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if os.environ.get("STORETEAM_READ_KEY_FILE", "1") != "0" and key_file.is_file():
        return key_file.read_text().strip() or INSECURE_SECRET_KEY
    return INSECURE_SECRET_KEY


def database() -> dict[str, Any]:
    """DATABASE_URL, or SQLite in WAL mode under var/ when unset."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        url = f"sqlite:///{VAR_DIR / 'storeteam.sqlite3'}"
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_health_checks=True))
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        # Kept open across requests, as on PostgreSQL: opening the file and running the pragmas
        # below cost about 1 ms of every request, more than a small page's queries.
        config["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
        config["OPTIONS"] = {
            # IMMEDIATE: a transaction takes the write lock when it begins, so two writers never
            # deadlock on a lock upgrade; WAL lets readers go on while one writer writes.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=30000;"
                "PRAGMA cache_size=-20000;"
                "PRAGMA temp_store=MEMORY;"
            ),
        }
        config["TEST"] = {"NAME": str(VAR_DIR / "test-storeteam.sqlite3")}
    elif engine == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
        # Parameters bound by the server, and a statement run a few times on a connection
        # prepared there: PostgreSQL then plans it once instead of on every run. Planning was
        # most of the database's time on the checkout's and the storefront's reads (about 0.6 to
        # 1 ms each against 0.1 to 0.6 ms to run them). A transaction-mode pooler such as
        # PgBouncer before 1.21 cannot carry prepared statements: DB_PREPARE_THRESHOLD=off.
        threshold = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip().lower()
        config["OPTIONS"] = {
            "server_side_binding": True,
            "prepare_threshold": None if threshold in ("", "off", "none") else int(threshold),
        }
    return config


def email() -> dict[str, Any]:
    """EMAIL_URL (smtp://user:pass@host:port, console://, file:///path), console by default."""
    url = os.environ.get("EMAIL_URL", "").strip() or "console://"
    if url.startswith("file://"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": url.removeprefix("file://") or str(VAR_DIR / "mail"),
        }
    parsed = dj_email_url.parse(url)
    return {
        "EMAIL_BACKEND": parsed["EMAIL_BACKEND"],
        "EMAIL_HOST": parsed["EMAIL_HOST"] or "localhost",
        "EMAIL_PORT": parsed["EMAIL_PORT"] or 25,
        "EMAIL_HOST_USER": parsed["EMAIL_HOST_USER"] or "",
        "EMAIL_HOST_PASSWORD": parsed["EMAIL_HOST_PASSWORD"] or "",
        "EMAIL_USE_TLS": bool(parsed["EMAIL_USE_TLS"]),
        "EMAIL_USE_SSL": bool(parsed["EMAIL_USE_SSL"]),
        "EMAIL_TIMEOUT": parsed.get("EMAIL_TIMEOUT") or 20,
    }


def derived_secret(name: str, *, secret_key: str, purpose: str) -> str:
    """The secret in ``name``, or one derived from SECRET_KEY for ``purpose`` when unset, so a
    development store works without it and no secret is ever written in the repository."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    return hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).hexdigest()
