"""Settings for the storefront, read from the environment (django-environ)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from storefront.cache_config import default_cache
from storefront.upstream.live_mode import is_live_url, missing_partner_id

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The fallback key is for the sandbox and tests only; `check --deploy` rejects it in production.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-sandbox-only-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_htmx",
    "template_partials",
    "storefront",
    "catalog",
    "checkout",
    "orders",
    "notifications",
    "dashboard",
]

MIDDLEWARE = [
    # First: the request id covers every later log line; the timing covers the whole answer.
    "storefront.logging.RequestIdMiddleware",
    "storefront.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "storefront.locale_middleware.LanguageGuessMiddleware",  # first guess: cookie, then Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "storefront.middleware.UpstreamErrorMiddleware",
    "storefront.csp_middleware.PrebuiltCSPMiddleware",  # django-csp's, its one policy built once
]

ROOT_URLCONF = "storefront.urls"
WSGI_APPLICATION = "storefront.wsgi.application"
ASGI_APPLICATION = "storefront.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "storefront.context_processors.shop",
                "catalog.context_processors.country",
                # Last, so it overrides the CSRF token while a page is rendered to be kept.
                "storefront.page_cache.csrf_placeholder",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
# Under uvicorn (ASGI) each request runs in its own thread with its own connection; kept open, they
# pile up idle until PostgreSQL refuses clients (tests/cluster). So, as Django advises for ASGI,
# no persistent connections: PostgreSQL gets a connection pool instead (psycopg_pool).
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
IS_POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRESQL and env.bool("DATABASE_POOL", default=True):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The same backend, creating the file's folder (var/ on a fresh clone) before it opens the file.
    DATABASES["default"]["ENGINE"] = "storefront.sqlite_backend"
    # A page now runs on its worker's own thread (storefront/serving.py), so a kept connection serves
    # every page of that worker: opening the file and its pragmas cost each request 0.3-0.5 ms.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    # WAL and a busy timeout let the web process and sync workers share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every process: Redis (django-redis) when CACHE_URL names it, else diskcache in var/cache.
CACHES = {
    "default": default_cache(env.str("CACHE_URL", default=""), disk_directory=BASE_DIR / "var" / "cache")
}
# Rendered catalog fragments (brand grids) depend only on the cached catalog and the code, so each
# process may keep its own: two processes rendering the same grid get the same HTML, and a page
# saves a round trip to the shared cache and a 10-25 KB transfer. They live 60 s, as they did in
# the shared cache.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "storefront-fragments",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Security. Behind TLS (production) set SECURE=true; every flag below then defaults on.
SECURE = env.bool("SECURE", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE)
# Every cookie the shop sets follows this one switch: the session, CSRF, language and country ones.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=SECURE)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it: the language is in the URL
LANGUAGE_COOKIE_SAMESITE = "Lax"
if env.bool("SECURE_PROXY_SSL_HEADER", default=SECURE):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# htmx and the forms take the token from the page (hx-headers, {% csrf_token %}), never the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "storefront.views.csrf_failure"

# Content-Security-Policy (django-csp): no inline script, no eval, no framing.
CSP_IMG_HOSTS = env.list("CSP_IMG_HOSTS", default=["https://cdn.cryptorefills.com"])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *CSP_IMG_HOSTS],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Español")), ("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_MAX_AGE = 31536000

# LOG_FORMAT=json: one JSON object per line (storefront/logging.py); both formats are redacted.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {
            "()": "storefront.logging.RedactingFormatter", "format": "%(levelname)s %(name)s: %(message)s"
        },
        "json": {"()": "storefront.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "text"}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # One line per upstream request is noise; failures are logged by the client itself.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

# The partner API. Without a partner ID the shop runs on the bundled sandbox upstream.
CRYPTOREFILLS_PARTNER_ID = env.str("CRYPTOREFILLS_PARTNER_ID", default="")
CRYPTOREFILLS_API_URL = env.str("CRYPTOREFILLS_API_URL", default="")
CRYPTOREFILLS_SITE_URL = env.str("CRYPTOREFILLS_SITE_URL", default="https://cryptorefills.com")
CRYPTOREFILLS_APP_VERSION = env.str("CRYPTOREFILLS_APP_VERSION", default="stablecoin-storefront/0.1.0")
CRYPTOREFILLS_TIMEOUT = {
    "connect": env.float("CRYPTOREFILLS_CONNECT_TIMEOUT", default=3.0),
    "read": env.float("CRYPTOREFILLS_READ_TIMEOUT", default=10.0),
    "write": env.float("CRYPTOREFILLS_WRITE_TIMEOUT", default=10.0),
    "pool": env.float("CRYPTOREFILLS_POOL_TIMEOUT", default=3.0),
}
CRYPTOREFILLS_GET_RETRIES = env.int("CRYPTOREFILLS_GET_RETRIES", default=2)
SANDBOX_MODE = not CRYPTOREFILLS_PARTNER_ID
# Pointed at the live API without a partner ID, the shop would sell without earning: refuse to start.
_LIVE_WITHOUT_PARTNER = missing_partner_id(api_url=CRYPTOREFILLS_API_URL, partner_id=CRYPTOREFILLS_PARTNER_ID)
if _LIVE_WITHOUT_PARTNER:
    raise ImproperlyConfigured(_LIVE_WITHOUT_PARTNER)
# How many reverse proxies in front of the shop may be believed about the client IP.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SANDBOX_STAFF_USERNAME = env.str("SANDBOX_STAFF_USERNAME", default="staff")
SANDBOX_STAFF_PASSWORD = env.str("SANDBOX_STAFF_PASSWORD", default="sandbox-staff-2026")

# Catalog cache: served fresh until the soft expiry, refreshed by one request after it,
# and served stale on upstream failure until the hard expiry.
CATALOG_CACHE_SOFT_SECONDS = env.int("CATALOG_CACHE_SOFT_SECONDS", default=300)
CATALOG_CACHE_HARD_SECONDS = env.int("CATALOG_CACHE_HARD_SECONDS", default=86400)

# Requests per window (seconds) per client IP, shared through the cache.
RATE_LIMITS = {
    "price": (env.int("RATE_LIMIT_PRICE", default=120), 60),
    "validate": (env.int("RATE_LIMIT_VALIDATE", default=30), 60),
    "order": (env.int("RATE_LIMIT_ORDER", default=10), 60),
    "poll": (env.int("RATE_LIMIT_POLL", default=240), 60),
    "admin_login": (env.int("RATE_LIMIT_ADMIN_LOGIN", default=10), 300),
    # "Find my orders": per IP (a 429 page), and per address asked about (silently nothing sent).
    "find_orders": (env.int("RATE_LIMIT_FIND_ORDERS", default=5), 900),
    "find_orders_address": (env.int("RATE_LIMIT_FIND_ORDERS_ADDRESS", default=3), 3600),
}

# Orders: how often one order may be refreshed from the upstream (by a poll or a sync worker), and
# how long past its window the shop waits for the upstream before expiring an order itself.
ORDERS_REFRESH_SECONDS = env.int("ORDERS_REFRESH_SECONDS", default=3)
ORDERS_EXPIRY_GRACE_SECONDS = env.int("ORDERS_EXPIRY_GRACE_SECONDS", default=60)
# The live API sends no expires_at: the window runs this long from payment_requested_at (else
# created_at); 30 minutes is the reference's window for on-chain stablecoins.
ORDERS_PAYMENT_WINDOW_SECONDS = env.int("ORDERS_PAYMENT_WINDOW_SECONDS", default=1800)
# A payment after expiry can still be accepted upstream (Expired -> Done): the sync worker keeps
# asking about orders whose window closed within the watch, once per check interval.
ORDERS_LATE_PAYMENT_WATCH_SECONDS = env.int("ORDERS_LATE_PAYMENT_WATCH_SECONDS", default=86400)
ORDERS_LATE_PAYMENT_CHECK_SECONDS = env.int("ORDERS_LATE_PAYMENT_CHECK_SECONDS", default=60)
# A paid order not delivered after this long is listed as stuck under "needs attention".
ORDERS_STUCK_AFTER_SECONDS = env.int("ORDERS_STUCK_AFTER_SECONDS", default=3600)
# How long an order may stay in Submitting (row saved, upstream answer not recorded) before the sync
# worker marks it SubmitFailed; keep it well above the client's timeouts for one POST.
ORDERS_SUBMITTING_TIMEOUT_SECONDS = env.int("ORDERS_SUBMITTING_TIMEOUT_SECONDS", default=600)
# Fernet key for delivered codes at rest; without it a key is derived from SECRET_KEY.
CODES_ENCRYPTION_KEY = env.str("CODES_ENCRYPTION_KEY", default="")

# E-mail. EMAIL_URL: smtp://user:pass@host:587, smtp+tls://... (STARTTLS), smtp+ssl://..., consolemail://;
# empty: every message is written to var/mail/ (sandbox and development), listed at /sandbox/mail/.
_EMAIL_URL = env.str("EMAIL_URL", default="")
if _EMAIL_URL:
    vars().update(env.email_url_config(_EMAIL_URL))
else:
    EMAIL_BACKEND = "notifications.mail_backend.MailDirBackend"
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Coinshelf <orders@coinshelf.example>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where a shopper's reply goes (support); the e-mails that need the shopper ask them to reply.
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default=DEFAULT_FROM_EMAIL)
# The shop's public address: e-mailed order links are absolute. Required on the live upstream.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
if not SITE_URL and is_live_url(CRYPTOREFILLS_API_URL):
    raise ImproperlyConfigured(
        "SITE_URL is empty, but the shop runs on the live upstream: order e-mails carry absolute links "
        "to each order's page, so set SITE_URL to the shop's public address (https://shop.example.com)."
    )
SITE_URL = SITE_URL or "http://127.0.0.1:8000"
# Retries of an e-mail the mail server refused for now: base * 2^(attempt-1), capped, then failed.
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=3600)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=12)
# How long a worker may take over one message before its claim counts as abandoned.
NOTIFICATIONS_CLAIM_SECONDS = env.int("NOTIFICATIONS_CLAIM_SECONDS", default=120)
# "Find my orders" lists the orders of the last this many days.
NOTIFICATIONS_LOOKUP_DAYS = env.int("NOTIFICATIONS_LOOKUP_DAYS", default=90)
# Web processes send the e-mails they enqueued once the response is out, but only to a local backend
# (var/mail, console): a slow or down mail server must never hold a web worker. SMTP: the worker sends.
NOTIFICATIONS_SEND_AFTER_RESPONSE = env.bool(
    "NOTIFICATIONS_SEND_AFTER_RESPONSE", default=not _EMAIL_URL or _EMAIL_URL.startswith("consolemail:")
)

# /metrics (Prometheus): answered to these addresses (or networks), or to a bearer of METRICS_TOKEN.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# /readyz asks the upstream at most once per this many seconds per process.
READYZ_UPSTREAM_SECONDS = env.int("READYZ_UPSTREAM_SECONDS", default=10)
