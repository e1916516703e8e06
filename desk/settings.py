"""The one settings file. Configured only by environment variables (docs/configuration.md).

Two profiles: `development` (the default: SQLite in WAL mode, an embedded broker on the file
system, console email; a first try needs nothing else) and `production` (PostgreSQL, Redis or
RabbitMQ, SMTP, and `manage.py check --deploy` clean). An unknown or malformed value stops start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from desk.crypto import KeyConfigurationError, parse_data_keys, parse_index_key
from desk.env import Env
from desk.keys import refuse_weak_key
from desk.ratelimit import Rate
from tickets.deadlines import KINDS, LAWS, REGIMES, ClosedDay, DeadlineError

env = Env()
_Key = TypeVar("_Key")
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.text("DESK_VAR_DIR", str(BASE_DIR / "var")))

PROFILE = env.choice("DESK_PROFILE", "development", ("development", "production"))
PRODUCTION = PROFILE == "production"
DEBUG = env.flag("DESK_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DESK_DEBUG cannot be on in the production profile")

_DEVELOPMENT_SECRET = "development-only-secret-key-never-use-in-production-8Fq2xYw7Lp0Zr4Tn6Vb"  # noqa: S105 - the first-try profile only; production requires DESK_SECRET_KEY
SECRET_KEY = env.text("DESK_SECRET_KEY", required=True) if PRODUCTION else env.text(
    "DESK_SECRET_KEY", _DEVELOPMENT_SECRET
)
SECRET_KEY_FALLBACKS = env.items("DESK_SECRET_KEY_FALLBACKS")
# The dashboard's covering indexes carry extra columns on PostgreSQL; SQLite (the first-try
# database) builds them as plain indexes, which is all a laptop's desk needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
# The key of the audit's hash chain (tickets/audit.py): a key of its own, so that rotating the
# secret key does not break the proof; in production it must be set, and kept.
DESK_AUDIT_KEY = env.text("DESK_AUDIT_KEY", required=True) if PRODUCTION else env.text(
    "DESK_AUDIT_KEY", "development-only-audit-key-never-use-in-production")


def _key_setting(name: str, development_default: str, parse: Callable[[str], _Key]) -> _Key:
    text = env.text(name, required=True) if PRODUCTION else env.text(name, development_default)
    try:
        return parse(text)
    except KeyConfigurationError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from error


# Encryption at rest of the requester's personal data (desk/crypto.py): "id:base64,…", the
# first the head key for new writes, the others only read until `manage.py rotate_keys` has run;
# and the HMAC key of the email's blind index. Neither derives from SECRET_KEY; both are required
# in production; the defaults are for a first try only.
DESK_DATA_KEYS = _key_setting(
    "DESK_DATA_KEYS", "dev1:X/fHESubr6LJbFQueAowsav6Rr5M/3mCfZiOeGnw4Sc=", parse_data_keys)
DESK_EMAIL_INDEX_KEY = _key_setting(
    "DESK_EMAIL_INDEX_KEY", "EPQnoTwG8pclVYtWx8/SdUzSkP7D77KMFzyHwUODPrA=", parse_index_key)
if PRODUCTION:
    # Issue 15, hole 11: no published development key and no short or patterned key in production
    # (desk/keys.py); each message names its variable.
    _DEVELOPMENT_KEYS = frozenset({
        _DEVELOPMENT_SECRET.encode(), b"development-only-audit-key-never-use-in-production",
        *parse_data_keys("dev1:X/fHESubr6LJbFQueAowsav6Rr5M/3mCfZiOeGnw4Sc=").values(),
        parse_index_key("EPQnoTwG8pclVYtWx8/SdUzSkP7D77KMFzyHwUODPrA="),
    })
    for _name, _value in [("DESK_SECRET_KEY", SECRET_KEY.encode()),
                          *(("DESK_SECRET_KEY_FALLBACKS", key.encode()) for key in SECRET_KEY_FALLBACKS),
                          ("DESK_AUDIT_KEY", DESK_AUDIT_KEY.encode()),
                          *(("DESK_DATA_KEYS", key) for key in DESK_DATA_KEYS.values()),
                          ("DESK_EMAIL_INDEX_KEY", DESK_EMAIL_INDEX_KEY)]:
        refuse_weak_key(_name, _value, development_values=_DEVELOPMENT_KEYS)

ALLOWED_HOSTS = (
    env.items("DESK_ALLOWED_HOSTS") if PRODUCTION else env.items(
        "DESK_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DESK_ALLOWED_HOSTS must be set in the production profile")

INSTALLED_APPS = [
    "desk.apps.DeskAdminConfig",  # Django's admin behind the desk's sign-in and second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_countries",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "desk",
    "tickets",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "desk.sessions.SessionLimitsMiddleware",  # idle and absolute limits of a staff session
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the page that explains it
]

ROOT_URLCONF = "desk.urls"
WSGI_APPLICATION = "desk.wsgi.application"

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
                "django.template.context_processors.i18n",
                "desk.context.desk",
            ],
        },
    },
]

# Database. SQLite for a first try: WAL so readers never wait for the writer, IMMEDIATE
# transactions so two writers queue on the lock instead of failing half-way (Django 5.1+).
DATABASE_URL = env.optional_text("DATABASE_URL")
if PRODUCTION and not (DATABASE_URL and DATABASE_URL.startswith(("postgres://", "postgresql://"))):
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database in the production profile")
if DATABASE_URL:
    # Connections live a minute, checked before each request or task reuses one (a database that
    # restarted meanwhile costs a reconnect, not an error).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "desk.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff sign-in (docs/security.md: Staff sign-in). Axes first: it refuses a locked-out sign-in before any
# password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # reads passwords set before Argon2
]
# A second factor (TOTP, with recovery codes) for every staff page, the admin and session use of
# the API. Only the first-try profile may switch it off; production always requires it.
DESK_REQUIRE_SECOND_FACTOR = env.flag("DESK_REQUIRE_SECOND_FACTOR", default=True)
if PRODUCTION and not DESK_REQUIRE_SECOND_FACTOR:
    raise ImproperlyConfigured("DESK_REQUIRE_SECOND_FACTOR cannot be off in the production profile")
OTP_TOTP_ISSUER = env.text("DESK_OTP_ISSUER", "Privacy Desk")
OTP_TOTP_THROTTLE_FACTOR = 1  # 1 s, 2 s, 4 s … between wrong codes (django-otp's throttling)
OTP_STATIC_THROTTLE_FACTOR = 1
# Lockout (django-axes): this many failed sign-ins, or wrong second-factor codes, for one username
# from one address lock that pair for the cool-off; the pair, so an outsider cannot lock an agent
# out from elsewhere (ASVS 6.1.1). `manage.py axes_reset_username NAME` unlocks early.
AXES_FAILURE_LIMIT = env.number("DESK_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.number("DESK_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A correct password resets nothing (issue 15, hole 5): wrong passwords and wrong codes count
# together until the whole sign-in succeeds (desk/views.py resets the pair there) or the cool-off ends.
AXES_RESET_ON_SUCCESS = False
# Every failed password or code is kept (who, when, from where, on which step: ASVS 16.3.1),
# and the log of each username is capped, so a flood cannot fill the database.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 1000
AXES_LOCKOUT_CALLABLE = "desk.views.locked_out"
# Who the client is: the same answer as the public side's rate limits (DESK_TRUSTED_PROXY_HOPS).
AXES_CLIENT_IP_CALLABLE = "desk.ratelimit.client_ip"
AXES_VERBOSE = False
# A staff session ends after this long without a request, and this long after sign-in in any case.
DESK_SESSION_IDLE_SECONDS = env.number("DESK_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
DESK_SESSION_MAX_SECONDS = env.number("DESK_SESSION_MAX_SECONDS", 10 * 3600, minimum=300)
# API tokens (desk/tokens.py): the longest life a member of staff may give one.
DESK_API_TOKEN_MAX_DAYS = env.number("DESK_API_TOKEN_MAX_DAYS", 365, minimum=1)
# One-time links that let a member of staff set up the second factor (desk/enrolment.py): how
# long one works after an administrator issues it.
DESK_ENROLMENT_LINK_HOURS = env.number("DESK_ENROLMENT_LINK_HOURS", 72, minimum=1, maximum=24 * 30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages of the public side: the requester's own (SPEC: Finnish, Swedish, English).
LANGUAGE_CODE = "en"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "desk" / "locale"]
# Dates as each language writes them ("5. tammikuuta 2027", "5 January 2027"): desk/formats/.
FORMAT_MODULE_PATH = ["desk.formats"]
USE_I18N = True
USE_TZ = True
# The organisation's zone: the receipt *date* of a request is its date here (research/deadlines.md §2.2).
TIME_ZONE = env.text("DESK_TIME_ZONE", "Europe/Helsinki")
LANGUAGE_COOKIE_NAME = "desk_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here once collected
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploaded files are private: never under STATIC or a public MEDIA_URL; served by a view that checks access.
PRIVATE_MEDIA_ROOT = Path(env.text("DESK_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
DESK_MAX_UPLOAD_BYTES = env.number("DESK_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 5
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Sessions and cookies.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The cookie lives as long as the longest staff session; desk/sessions.py enforces both limits.
SESSION_COOKIE_AGE = DESK_SESSION_MAX_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "tickets.views.public.csrf_failure"
# How long a requester's status session lasts after the emailed link is exchanged (ASVS 14.2.1).
DESK_STATUS_SESSION_SECONDS = env.number("DESK_STATUS_SESSION_SECONDS", 3600, minimum=60)
# A status link stops working this many days after its request was answered or closed (it works
# again if the request is reopened): an old email should not open a person's case for ever.
DESK_STATUS_LINK_DAYS_AFTER_CLOSURE = env.number("DESK_STATUS_LINK_DAYS_AFTER_CLOSURE", 90, minimum=1)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.flag("DESK_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.flag(
        "DESK_BEHIND_TLS_PROXY", default=True) else None
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.items("DESK_CSRF_TRUSTED_ORIGINS")

# Content-Security-Policy: nothing from another host, no inline script or style (SPEC: no CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Email. Development keeps each email as a file under var/mail/, listed at /dev/mail/ (issue 16,
# item 16: the console buried `make run`'s sign-ins under the demo's 150 emails); production talks
# SMTP, and neither "files" nor the page exists there.
EMAIL_BACKEND_NAME = env.choice(
    "DESK_EMAIL_BACKEND", "smtp" if PRODUCTION else "files", ("files", "console", "smtp")
)
if PRODUCTION and EMAIL_BACKEND_NAME == "files":
    raise ImproperlyConfigured("DESK_EMAIL_BACKEND=files is for the development profile only: use smtp")
EMAIL_BACKEND = {
    "files": "desk.dev_mail.FileMailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}[EMAIL_BACKEND_NAME]
DESK_DEV_MAIL = EMAIL_BACKEND_NAME == "files"  # the /dev/mail/ page (desk/dev_mail.py)
DESK_DEV_MAIL_DIR = VAR_DIR / "mail"
EMAIL_HOST = env.text("DESK_EMAIL_HOST", "localhost")
EMAIL_PORT = env.number("DESK_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.text("DESK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env.text("DESK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env.flag("DESK_EMAIL_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.text("DESK_FROM_EMAIL", "Privacy Desk <privacy@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Audit anchors (tickets/anchors.py): every DESK_AUDIT_ANCHOR_HOURS beat writes the head of every
# ticket's history chains, signed with DESK_AUDIT_ANCHOR_KEY (a key of its own, not the chain's:
# tickets/anchors.py says why), to DESK_AUDIT_ANCHOR_DIR, and emails it to DESK_AUDIT_ANCHOR_EMAIL
# (the DPO) when set. Production names the directory: anchors belong on storage the database's
# administrators cannot rewrite, not beside the database in var/.
# The first-try profile's only; production requires a key of its own and refuses this one.
_DEVELOPMENT_ANCHOR_KEY = "development-only-audit-anchor-key-never-use-in-production"
DESK_AUDIT_ANCHOR_KEY = env.text("DESK_AUDIT_ANCHOR_KEY", required=True) if PRODUCTION else env.text(
    "DESK_AUDIT_ANCHOR_KEY", _DEVELOPMENT_ANCHOR_KEY)
if PRODUCTION:
    refuse_weak_key("DESK_AUDIT_ANCHOR_KEY", DESK_AUDIT_ANCHOR_KEY.encode(),
                    development_values=frozenset({_DEVELOPMENT_ANCHOR_KEY.encode()}))
    if DESK_AUDIT_ANCHOR_KEY == DESK_AUDIT_KEY:
        raise ImproperlyConfigured("DESK_AUDIT_ANCHOR_KEY must differ from DESK_AUDIT_KEY")
DESK_AUDIT_ANCHOR_DIR = Path(env.text("DESK_AUDIT_ANCHOR_DIR", required=True) if PRODUCTION else env.text(
    "DESK_AUDIT_ANCHOR_DIR", str(VAR_DIR / "anchors")))
DESK_AUDIT_ANCHOR_EMAIL = env.optional_text("DESK_AUDIT_ANCHOR_EMAIL")
if DESK_AUDIT_ANCHOR_EMAIL is not None:
    try:
        validate_email(DESK_AUDIT_ANCHOR_EMAIL)
    except ValidationError:
        raise ImproperlyConfigured(
            f"DESK_AUDIT_ANCHOR_EMAIL must be one email address, not {DESK_AUDIT_ANCHOR_EMAIL!r}") from None
DESK_AUDIT_ANCHOR_HOURS = env.number("DESK_AUDIT_ANCHOR_HOURS", 24, minimum=1, maximum=24 * 7)

# Celery. The database is the queue of record (the outbox); the broker is only a doorbell.
CELERY_BROKER_URL = env.optional_text("CELERY_BROKER_URL")
if PRODUCTION and not (CELERY_BROKER_URL and CELERY_BROKER_URL.startswith(("redis", "amqp"))):
    raise ImproperlyConfigured("CELERY_BROKER_URL must name Redis or RabbitMQ in the production profile")
if CELERY_BROKER_URL is None:
    # The embedded default: a broker that needs no server, messages as files under var/broker.
    _BROKER_DIR = VAR_DIR / "broker"
    _BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_BROKER_DIR),
        "data_folder_out": str(_BROKER_DIR),
        # Kombu's default is ./control, beside wherever the process happened to start.
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
        # Kombu polls the folder once a second by default, and a worker holds only its prefetch
        # between polls: 2 emails a second on `make run` (issue 15, item 19). A poll is one
        # listdir of a small folder; 20 a second cost nothing measurable (bench/delivery.py).
        "polling_interval": 0.05,
    }
else:
    # Redis redelivers an unacknowledged task after this; keep it above every time limit and countdown.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 900}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]  # ASVS 1.5.2: never pickle
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # at-least-once: a task lost with its worker runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
if CELERY_BROKER_URL == "filesystem://":
    # The embedded broker hands out no more than the prefetch per poll; a deeper prefetch lets one
    # poll feed the pool for a while. Safe with acks_late: a message held by a worker that dies is
    # not lost (the outbox sweep publishes its row again after the lease).
    CELERY_WORKER_PREFETCH_MULTIPLIER = 16
# Celery's Django fixup closes every database connection before and after each task unless this
# is set: a new PostgreSQL backend per email (a fork and an authentication, 16 % of a worker's
# time in bench/intake.py). desk/celery.py closes the obsolete and broken ones instead, as Django
# does around a request.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# In the request path a dead broker must cost the customer milliseconds: the outbox sweeper catches up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1,
}
CELERY_TIMEZONE = TIME_ZONE
# How long a worker holds an outbox row it is sending; a row whose worker died is retried after it.
DESK_OUTBOX_LEASE_SECONDS = env.number("DESK_OUTBOX_LEASE_SECONDS", 120, minimum=1)
DESK_OUTBOX_BACKOFF_SECONDS = env.number("DESK_OUTBOX_BACKOFF_SECONDS", 30, minimum=1, maximum=300)
# The longest wait between two attempts; below the Redis visibility timeout (900 s), since a
# task's own retry waits on the broker that long.
DESK_OUTBOX_BACKOFF_MAX_SECONDS = env.number("DESK_OUTBOX_BACKOFF_MAX_SECONDS", 600, minimum=1, maximum=600)
DESK_OUTBOX_SWEEP_SECONDS = env.number("DESK_OUTBOX_SWEEP_SECONDS", 30, minimum=1)
# A temporary refusal (4xx, a server down) is tried again for this long from the first one, as mail
# servers do (3 days); only then is the message failed. Past DESK_OUTBOX_ALERT_SECONDS a temporary
# failure is an alert: notifications.selectors.outbox_health, the admin's outbox list, `outbox`.
DESK_OUTBOX_RETRY_SECONDS = env.number("DESK_OUTBOX_RETRY_SECONDS", 3 * 24 * 3600, minimum=1)
DESK_OUTBOX_ALERT_SECONDS = env.number("DESK_OUTBOX_ALERT_SECONDS", 15 * 60, minimum=1)
DESK_ESCALATION_SWEEP_SECONDS = env.number("DESK_ESCALATION_SWEEP_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    # Level-triggered: a missed, repeated or doubled tick changes nothing (tickets/services/escalation.py).
    "escalation-sweep": {
        "task": "tickets.tasks.sweep_escalations",
        "schedule": timedelta(seconds=DESK_ESCALATION_SWEEP_SECONDS),
    },
    # Each manager's digest of what is due this week, every morning; once a day by its key.
    "manager-digest": {
        "task": "tickets.tasks.send_manager_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Re-sends outbox rows that the on-commit fast path missed (broker down, worker killed).
    "outbox-sweep": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": timedelta(seconds=DESK_OUTBOX_SWEEP_SECONDS),
    },
    # Erases the personal data of tickets closed longer ago than their retention period, at night,
    # in batches; a missed or doubled run erases nothing twice (tickets/services/retention.py).
    "retention-sweep": {
        "task": "tickets.tasks.erase_expired_personal_data",
        "schedule": crontab(hour=3, minute=30),
    },
    # Anchors every ticket's history chains outside the database (tickets/anchors.py), daily by
    # default; a missed run only widens the window a later anchor has to cover.
    "audit-anchor": {
        "task": "tickets.tasks.anchor_audit_chains",
        "schedule": timedelta(hours=DESK_AUDIT_ANCHOR_HOURS),
    },
}

# The cache holds the public side's rate-limit counters (desk/ratelimit.py). Production needs
# Redis, where each count is one atomic command shared by every web process: DESK_CACHE_URL, or
# else the broker's Redis (the keys are prefixed and expire, so they sit beside Celery's). The
# laptop profile counts in local memory: per process, so `make run`'s two web workers each allow
# the limit; a first try on one's own machine has no attacker to stop. Short timeouts: a Redis
# that is down must cost a request milliseconds (the limiter then lets it through and logs).
DESK_CACHE_URL = env.optional_text("DESK_CACHE_URL")
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
if DESK_CACHE_URL is None and PRODUCTION and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    DESK_CACHE_URL = CELERY_BROKER_URL
if PRODUCTION and not (DESK_CACHE_URL and DESK_CACHE_URL.startswith(_REDIS_SCHEMES)):
    raise ImproperlyConfigured("DESK_CACHE_URL must name a Redis server in the production profile "
                               "(the broker's Redis is used when CELERY_BROKER_URL is Redis)")
if DESK_CACHE_URL is not None and not DESK_CACHE_URL.startswith(_REDIS_SCHEMES):
    raise ImproperlyConfigured(
        f"DESK_CACHE_URL must be a redis://, rediss:// or unix:// URL, not {DESK_CACHE_URL!r}")
CACHES = {
    "default": {
        "BACKEND": "desk.cache.SharedClientRedisCache",  # Django's, one client per pool (desk/cache.py)
        "LOCATION": DESK_CACHE_URL,
        "KEY_PREFIX": "desk",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    } if DESK_CACHE_URL else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "desk",
    },
}
DESK_RATE_LIMIT_CACHE = "default"


def _rate(name: str, default: str) -> Rate:
    try:
        return Rate.parse(env.text(name, default))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None


# Limits of the public side, "<count>/<period>" (10/hour, 5/10minute, 100/day). Over a limit the
# client gets a 429 page saying when to try again, and nothing is saved. The form and the
# "lost your link" page count accepted posts per client address and per email address; the
# emailed-link exchange counts every attempt per address (a wrong link counts); the status
# page counts the requester's messages per ticket.
DESK_RATE_FORM_ADDRESS = _rate("DESK_RATE_FORM_ADDRESS", "10/hour")
DESK_RATE_FORM_EMAIL = _rate("DESK_RATE_FORM_EMAIL", "3/hour")
DESK_RATE_STATUS_LINK_ADDRESS = _rate("DESK_RATE_STATUS_LINK_ADDRESS", "30/hour")
DESK_RATE_STATUS_MESSAGE_TICKET = _rate("DESK_RATE_STATUS_MESSAGE_TICKET", "20/hour")
DESK_RATE_RESEND_ADDRESS = _rate("DESK_RATE_RESEND_ADDRESS", "5/hour")
DESK_RATE_RESEND_EMAIL = _rate("DESK_RATE_RESEND_EMAIL", "3/hour")
# How many proxies of the operator's own stand in front of the desk. 0 (the default): the
# client's address is the connection's, and X-Forwarded-For is ignored, since anyone can send
# it (ASVS 4.1.3). N: the N-th address from the right of X-Forwarded-For.
DESK_TRUSTED_PROXY_HOPS = env.number("DESK_TRUSTED_PROXY_HOPS", 0, minimum=0, maximum=5)
# The public forms' human checks (tickets/forms.py HumanCheck): a post sooner than this after the
# form was served, or from a form older than the maximum age, is shown again to be sent again.
DESK_FORM_MIN_SECONDS = env.number("DESK_FORM_MIN_SECONDS", 3, minimum=0, maximum=60)
DESK_FORM_MAX_AGE_SECONDS = env.number("DESK_FORM_MAX_AGE_SECONDS", 24 * 3600, minimum=600)
# "Lost your link?" answers no sooner than this, whether or not the address has requests, so
# that the time taken does not tell which (research §5, A7).
DESK_STATUS_RESEND_ANSWER_MS = env.number("DESK_STATUS_RESEND_ANSWER_MS", 400, minimum=0, maximum=5000)

# The organisation and its clocks (tickets/deadlines: research/deadlines.md).
DESK_ORGANISATION_NAME = env.text("DESK_ORGANISATION_NAME", "Example Organisation Oy")
DESK_ORGANISATION_COUNTRY = env.text("DESK_ORGANISATION_COUNTRY", "FI")
# The law of requesters whose country and state have no regime of their own (tickets/regions.py).
DESK_DEFAULT_REGIME = env.choice("DESK_DEFAULT_REGIME", "gdpr", LAWS)
# research/deadlines.md §2.7 [interpretation]: 24 December is a working day unless the DPO says otherwise.
DESK_CHRISTMAS_EVE_CLOSED = env.flag("DESK_CHRISTMAS_EVE_CLOSED", default=False)
# The organisation's own closed days: 2026-12-31 (that date) or 12-31 (every year).
try:
    DESK_EXTRA_CLOSED_DAYS = tuple(ClosedDay.parse(day) for day in env.items("DESK_EXTRA_CLOSED_DAYS"))
except DeadlineError as error:
    raise ImproperlyConfigured(f"DESK_EXTRA_CLOSED_DAYS: {error}") from None
# Escalation (SPEC: Escalation): level 1 N working days before the due date, level 3 N working days
# after it; reminders for tickets unassigned for N hours.
DESK_ESCALATION_SOON_WORKING_DAYS = env.number("DESK_ESCALATION_SOON_WORKING_DAYS", 5, minimum=1)
DESK_ESCALATION_OVERDUE_MARGIN_WORKING_DAYS = env.number(
    "DESK_ESCALATION_OVERDUE_MARGIN_WORKING_DAYS", 5, minimum=1)
# Per kind or regime (a kind wins over a regime), e.g. "complaint=2,ccpa=3".
_KINDS_AND_REGIMES = frozenset(KINDS) | frozenset(REGIMES)
DESK_ESCALATION_SOON_BY = env.numbers_by_key("DESK_ESCALATION_SOON_BY", _KINDS_AND_REGIMES)
DESK_ESCALATION_MARGIN_BY = env.numbers_by_key("DESK_ESCALATION_MARGIN_BY", _KINDS_AND_REGIMES)
DESK_ESCALATION_UNASSIGNED_HOURS = env.number("DESK_ESCALATION_UNASSIGNED_HOURS", 24, minimum=1)
DESK_ESCALATION_BATCH = env.number("DESK_ESCALATION_BATCH", 1000, minimum=1)
# Threads writing a rule's batches at once, each with its own connection (PostgreSQL; SQLite: one).
DESK_ESCALATION_WORKERS = env.number("DESK_ESCALATION_WORKERS", 2, minimum=1)
DESK_STAFF_LANGUAGE = env.choice("DESK_STAFF_LANGUAGE", "en", ("fi", "sv", "en"))
DESK_COMPLAINT_FIRST_RESPONSE_DAYS = env.number("DESK_COMPLAINT_FIRST_RESPONSE_DAYS", 2, minimum=1)
DESK_COMPLAINT_RESOLUTION_DAYS = env.number("DESK_COMPLAINT_RESOLUTION_DAYS", 20, minimum=1)
DESK_PUBLIC_BASE_URL = env.text("DESK_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DESK_SUPERVISORY_AUTHORITY_URL = env.text("DESK_SUPERVISORY_AUTHORITY_URL", "https://tietosuoja.fi/en")
# The public form shows the last twelve months' record (answered on time, how people say they
# were treated) once at least this many requests were answered: fewer could point at a person.
DESK_PUBLIC_RECORD_MINIMUM = env.number("DESK_PUBLIC_RECORD_MINIMUM", 20, minimum=1)
# Whether to publish it at all: the organisation's choice (issue 16, item 19). Off, the form never
# shows it, whatever the figures.
DESK_PUBLIC_RECORD = env.flag("DESK_PUBLIC_RECORD", default=True)
# Retention (GDPR Art. 5(1)(e), storage limitation): this many days after a ticket is closed
# (closed, withdrawn or rejected) the requester's personal data is erased; the statistics, the
# deadlines and the audit skeleton stay. Per kind, e.g. "complaint=1095,question=365"; a kind not
# named takes DESK_RETENTION_DAYS. Two years by default: long enough to answer a regulator's
# question about how a request was handled.
DESK_RETENTION_DAYS = env.number("DESK_RETENTION_DAYS", 730, minimum=1)
DESK_RETENTION_DAYS_BY = env.numbers_by_key("DESK_RETENTION_DAYS_BY", frozenset(KINDS))
DESK_RETENTION_BATCH = env.number("DESK_RETENTION_BATCH", 200, minimum=1)

# The API denies by default: signed-in, active staff only; each object through the scope selector.
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["tickets.api.permissions.IsStaffMember"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first: its challenge (WWW-Authenticate: Bearer) makes a refusal a 401.
        "desk.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's defaults, with JSON that refuses a too-deep body with a 400 instead of a 500.
    "DEFAULT_PARSER_CLASSES": ["tickets.api.parsers.BoundedJSONParser",
                               "rest_framework.parsers.FormParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tickets.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Privacy Desk API",
    "DESCRIPTION": "Tickets, their deadlines, and every action agents take on them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from the drf-spectacular-sidecar package, served by the desk itself.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: Swagger UI puts each one inside the operation's expand button, a link nested
    # in a button that keyboards and screen readers cannot reach on its own (WCAG 4.1.2).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "ENUM_NAME_OVERRIDES": {
        "TicketKindEnum": "tickets.choices.Kind",
        "PauseKindEnum": "tickets.choices.PauseKind",
        "MessageKindEnum": "tickets.choices.MessageKind",
    },
}

LOGIN_URL = "/staff/login/"
LOGIN_REDIRECT_URL = "/staff/tickets/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.choice(
        "DESK_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
    # Axes logs every sign-in at INFO; its warnings (lockouts) are what an operator needs.
    # Kombu warns "No hostname was supplied" at every connection to the embedded broker, which has
    # no host (`make run`'s console, issue 16, item 16); a Redis or RabbitMQ URL always names one.
    "loggers": {"axes": {"level": "WARNING"}, "kombu.connection": {"level": "ERROR"}},
}
