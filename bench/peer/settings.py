"""Settings for the peer: the smallest django-helpdesk 2.6.1 project that migrates and escalates.

As the research set it up (shared/research/django-helpdesk.md §6), but on PostgreSQL: the database
desk_bench_peer on the bench's server (PEER_DATABASE_URL, which `python -m bench peer` derives from
DATABASE_URL). E-mail goes to Django's in-memory (locmem) backend, as in the research's figures.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ.get("PEER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/desk_bench_peer"))

# Nothing is served or signed that outlives a run.
SECRET_KEY = os.environ.get("PEER_SECRET_KEY") or secrets.token_urlsafe(40)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.humanize",
    "django.contrib.messages",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.staticfiles",
    "rest_framework",
    "helpdesk",
]
SITE_ID = 1
# Without it migrate needs pinax-teams (helpdesk.0043 depends on its migrations).
HELPDESK_TEAMS_MODE_ENABLED = False

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "bench.peer.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": _url.path.lstrip("/") or "desk_bench_peer",
    "USER": unquote(_url.username or "postgres"),
    "PASSWORD": unquote(_url.password or ""),
    "HOST": _url.hostname or "127.0.0.1",
    "PORT": _url.port or 5432,
}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.org"

LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
LOGIN_URL = "helpdesk:login"
