"""storeteam settings: everything that varies by deployment is read from the environment in env.py.

DATABASE_URL  sqlite:///path or postgres://user@host:port/name  (default: SQLite in WAL mode, var/)
REDIS_URL     redis://host:port/db  (when set: Redis cache and the RQ task backend)
EMAIL_URL     smtp://user:password@host:port, console://, file:///path  (default: console)
SECRET_KEY    (default: var/secret_key, written by `make setup`; else an insecure development key)
ALLOWED_HOSTS comma separated (default: localhost, 127.0.0.1)
DEBUG         true/false (default: false)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from storeteam.config import env

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR
SRC_DIR = BASE_DIR / "src" / "storeteam"

DEBUG = env.flag("DEBUG", default=False)
SECRET_KEY = env.secret_key()
INSECURE_SECRET_KEY = env.INSECURE_SECRET_KEY
ALLOWED_HOSTS = env.words("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env.words("CSRF_TRUSTED_ORIGINS")
REDIS_URL = env.text("REDIS_URL").strip()
STORE_NAME = env.text("STORE_NAME", "storeteam")
# Where the store is reached from outside, for links in emails.
STORE_URL = env.text("STORE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "storeteam.core",
    "storeteam.accounts",
    "storeteam.team",
    "storeteam.customers",
    "storeteam.catalog",
    "storeteam.pricing",
    "storeteam.inventory",
    "storeteam.orders",
    "storeteam.payments",
    "storeteam.checkout",
    "storeteam.fulfilment",
    "storeteam.returns",
    "storeteam.storefront",
    "storeteam.backoffice",
    "storeteam.api",
    "storeteam.demo",
    "django_rq",
]

MIDDLEWARE = [
    "storeteam.core.middleware.EventHandoffMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "storeteam.core.middleware.UnprefixedLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "storeteam.config.urls"
WSGI_APPLICATION = "storeteam.config.wsgi.application"
ASGI_APPLICATION = "storeteam.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "storeteam.core.context_processors.store",
            ],
        },
    }
]

DATABASES = {"default": env.database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "storeteam",
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    # Each process keeps its own. Django's default of 300 entries is less than one page's worth
    # per product of a small catalog: pages visited in turn would push each other out before
    # their next visit, and every one would be built again. Each entry is a page or a page's
    # data, a few to some tens of kB.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(env.number("LOCAL_CACHE_MAX_ENTRIES", 5000))},
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The RQ task backend's queues (used when REDIS_URL is set).
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}

# --- people -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "customers:login"
# Repeated failed logins: five tries per account and address, then a 15-minute pause.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Both sign-in forms post the email address as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# HTTPS=true when the store is served over TLS (directly or behind a proxy that sets
# X-Forwarded-Proto): secure cookies, redirect to https, and HSTS.
HTTPS = env.flag("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(env.text("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- languages ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish")), ("fr", _("French")), ("nl", _("Dutch"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
# The storefront's currency per language until shoppers can choose; the default for the rest.
STORE_CURRENCY_BY_LANGUAGE = {"sv": "SEK"}
STORE_DEFAULT_CURRENCY = "EUR"
# The country whose warehouses count for a shopper's stock, per language, until shoppers choose
# where they want delivery; the default for the rest (the store ships from Sweden).
STORE_COUNTRY_BY_LANGUAGE = {"sv": "SE", "fr": "FR", "nl": "NL"}
STORE_DEFAULT_COUNTRY = "SE"
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.text("TIME_ZONE", "Europe/Stockholm")

# --- files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# A CDN or object storage in front of the media: set MEDIA_URL to its address (ADR 0006).
MEDIA_URL = env.text("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env.text("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "storeteam.core.storage.StaticStorage",
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Product images (catalog.images, ADR 0006): the largest upload accepted, in bytes and pixels.
CATALOG_IMAGE_MAX_BYTES = 20 * 1024 * 1024
CATALOG_IMAGE_MAX_PIXELS = 40_000_000

# --- email --------------------------------------------------------------------------------
globals().update(env.email())
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "storeteam <store@localhost>")

# --- domain events ------------------------------------------------------------------------
OUTBOX_MAX_ATTEMPTS = 8
OUTBOX_BACKOFF_SECONDS = 5
OUTBOX_BACKOFF_CAP_SECONDS = 3600
# An attempt not finished within this time (its worker died) may be tried again by another worker.
OUTBOX_LEASE_SECONDS = 300
# Delivered events are kept this long for reading, then pruned by a periodic job.
OUTBOX_KEEP_DELIVERED_DAYS = 30

# --- payments (S10, ADR 0007) ------------------------------------------------------------
# Stripe is a gateway when its secret key is set (docs/payments.md). The built-in test gateway is
# on unless Stripe is configured; PAYMENTS_TEST_GATEWAY=true/false decides explicitly.
STRIPE_SECRET_KEY = env.text("STRIPE_SECRET_KEY").strip()
STRIPE_WEBHOOK_SECRET = env.text("STRIPE_WEBHOOK_SECRET").strip()
STRIPE_API_BASE = env.text("STRIPE_API_BASE").strip()
# The publishable key (pk_...) is for Stripe.js in the shopper's browser: public by design.
STRIPE_PUBLISHABLE_KEY = env.text("STRIPE_PUBLISHABLE_KEY").strip()
PAYMENTS_TEST_GATEWAY = env.flag("PAYMENTS_TEST_GATEWAY", default=not STRIPE_SECRET_KEY)
PAYMENTS_TEST_WEBHOOK_SECRET = env.derived_secret(
    "PAYMENTS_TEST_WEBHOOK_SECRET", secret_key=SECRET_KEY, purpose="payments-test-gateway-webhooks"
)
# A signed webhook older than this is refused (against replays).
PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = 300
# The reconciliation job's deadlines: an attempt with no answer after this long is looked up at
# the provider; a payment waiting for the shopper, or authorised and not captured, is looked up
# and, if still waiting, flagged for staff.
PAYMENTS_ATTEMPT_TIMEOUT_SECONDS = 120
PAYMENTS_ACTION_TIMEOUT_SECONDS = 1800
PAYMENTS_CAPTURE_DEADLINE_SECONDS = 5 * 24 * 3600
PAYMENT_GATEWAYS: dict[str, dict[str, object]] = {}
if PAYMENTS_TEST_GATEWAY:
    PAYMENT_GATEWAYS["test"] = {"BACKEND": "storeteam.payments.gateways.testgateway.TestGateway"}
if STRIPE_SECRET_KEY:
    PAYMENT_GATEWAYS["stripe"] = {
        "BACKEND": "storeteam.payments.gateways.stripe_gateway.StripeGateway",
        "OPTIONS": {
            "api_key": STRIPE_SECRET_KEY,
            "webhook_secret": STRIPE_WEBHOOK_SECRET,
            "api_base": STRIPE_API_BASE,
        },
    }

# Carriers (F5): code -> class path and options, like PAYMENT_GATEWAYS. The built-in test carrier
# plays a parcel's journey over TEST_CARRIER_JOURNEY_HOURS (booked, in transit, out for delivery,
# delivered); a smaller number makes the demo's parcels arrive sooner.
CARRIERS: dict[str, dict[str, object]] = {
    "test": {"BACKEND": "storeteam.fulfilment.carriers.TestCarrier"},
}
TEST_CARRIER_JOURNEY_HOURS = env.number("TEST_CARRIER_JOURNEY_HOURS", 26.0)

# Returns (R1): days from delivery (or shipping, until the carrier reports delivery).
RETURN_WINDOW_DAYS = int(env.number("RETURN_WINDOW_DAYS", 30))

LOGGING: dict[str, object] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
