"""Headers and deployment (research I1, I2): every page of the route table, crawled as anonymous,
as the requester and as staff, carries a strict CSP (no inline or eval script, object-src, base-uri
and frame-ancestors 'none'), frame denial, nosniff, a referrer policy and COOP; personal-data
pages are not cached; no page, template or stylesheet loads anything from another host. The
production profile turns on HSTS, secure cookies and the TLS redirect."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.desk.test_settings import PRODUCTION, manage
from tests.security.routes import ROUTES, fill
from tests.security.world import World, page_text
from tests.support.status_links import open_status_link

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
# Pages that show a person's data: a shared computer's browser cache must not keep them.
PERSONAL = ("tickets:staff_ticket", "tickets:staff_record", "tickets:status", "tickets:staff_queue",
            "desk:account")


def csp(response: Any) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def crawl(world: World) -> list[tuple[str, str, Any]]:
    """(who, route name, response) for every HTML page of the table, as the persona who reaches it."""
    requester = Client()
    assert open_status_link(requester, world.a.token).status_code == 303
    half = Client()
    half.force_login(world.people["agent_a"])  # the password only: the second-factor pages
    by_access = {"public": [("anonymous", Client())], "status": [("requester", requester)],
                 "sign_in": [("password only", half)],
                 "staff": [("agent", world.client("agent_a")), ("admin", world.client("admin"))],
                 "ticket": [("agent", world.client("agent_a"))],
                 "figures": [("manager", world.client("manager_a"))]}
    pages = []
    for route in ROUTES:
        if not route.html or route.access not in by_access:
            continue
        path = fill(route.path, ref=world.a.ticket.reference, attachment=world.a.attachment.pk)
        for who, client in by_access[route.access]:
            pages.append((who, route.name, client.get(path)))
    return pages


def test_every_page_carries_the_security_headers(world: World) -> None:
    pages = crawl(world)
    assert len(pages) >= 15

    for who, name, response in pages:
        where = (who, name, response.status_code)
        assert response.status_code in (200, 302), where
        if response.status_code != 200:
            continue
        policy = csp(response)
        assert policy, where
        script = policy.get("script-src", policy.get("default-src", []))
        loose = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}
        assert script and not loose & set(script), where
        assert policy.get("object-src") == ["'none'"], where
        assert policy.get("base-uri") == ["'none'"], where
        assert policy.get("frame-ancestors") == ["'none'"], where
        assert "'unsafe-inline'" not in policy.get("style-src", []), where
        assert response["X-Frame-Options"] == "DENY", where
        assert response["X-Content-Type-Options"] == "nosniff", where
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin"), where
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", where
        if name in PERSONAL:
            assert "no-store" in response.get("Cache-Control", ""), where


FOREIGN = re.compile(r"""(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""",
                     re.IGNORECASE)
LINK_TAG = re.compile(r"<a\s[^>]*>", re.IGNORECASE)


def foreign_loads(html: str) -> list[str]:
    """src/href/action to another host, leaving out plain <a> links (a person may follow a link
    to the supervisory authority; nothing is loaded by it)."""
    without_links = LINK_TAG.sub("", html)
    return [match.group(0) for match in FOREIGN.finditer(without_links)]


def test_no_rendered_page_loads_anything_from_another_host(world: World) -> None:
    for who, name, response in crawl(world):
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert foreign_loads(page_text(response)) == [], (who, name)


def test_no_template_or_stylesheet_refers_to_another_host() -> None:
    files = [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.rglob("static/**/*.css"),
             *ROOT.rglob("static/**/*.js")]
    files = [path for path in files if path.is_file() and "staticfiles" not in path.parts
             and not any(part.startswith(".venv") for part in path.parts)]
    assert files
    offenders = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = foreign_loads(text) + re.findall(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", text)
        if path.suffix == ".html" and "notifications" not in path.parts:
            found += re.findall(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", text)  # inline script
            found += re.findall(r"\son[a-z]+\s*=", LINK_TAG.sub("", text))  # inline handlers
        if found:
            offenders[str(path.relative_to(ROOT))] = found

    assert offenders == {}


def test_an_attachment_download_is_sandboxed_even_if_a_browser_renders_it(world: World) -> None:
    response = world.client("agent_a").get(
        f"/staff/tickets/{world.a.ticket.reference}/files/{world.a.attachment.pk}/")

    policy = csp(response)
    assert "sandbox" in policy
    assert policy.get("default-src") == ["'none'"]


PRODUCTION_SETTINGS = ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
                       "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
                       "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
                       "DEBUG", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "ALLOWED_HOSTS")


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    """The settings the production profile really computes (tests/desk/test_settings.py starts it)."""
    names = json.dumps(PRODUCTION_SETTINGS)
    code = ("import json; from django.conf import settings; "
            f"print(json.dumps({{name: getattr(settings, name, None) for name in {names}}}))")
    result = manage("shell", "-c", code, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return values


def test_the_production_profile_turns_on_hsts_secure_cookies_and_the_tls_redirect(
    production: dict[str, Any],
) -> None:
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
                 "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY"):
        assert production[name] is True, name
    assert production["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["DEBUG"] is False
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert "*" not in production["ALLOWED_HOSTS"]


def test_with_the_production_values_a_secure_page_carries_hsts_and_secure_cookies(
    world: World, production: dict[str, Any],
) -> None:
    values = {name: production[name] for name in (
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE")}
    with override_settings(**values):
        response = Client().get("/", secure=True)
        plain = Client().get("/")

    assert "max-age=31536000" in response["Strict-Transport-Security"]
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "Strict-Transport-Security" not in plain  # never over plain HTTP (RFC 6797 §7.2)


def test_an_unknown_host_is_refused(world: World) -> None:
    with override_settings(ALLOWED_HOSTS=["desk.example.org"]):
        response = Client().get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400


@pytest.mark.parametrize("header", ["HTTP_REMOTE_USER", "HTTP_X_FORWARDED_USER", "HTTP_X_REMOTE_USER"])
def test_a_trusted_user_header_signs_nobody_in(world: World, header: str) -> None:
    """Research A9 (Zammad CVE-2020-26030): no header makes anyone staff."""
    client = Client()

    page = client.get("/staff/tickets/", **{header: world.people["admin"].username})
    api = client.get("/api/v1/tickets/", **{header: world.people["admin"].username})

    assert page.status_code == 302
    assert api.status_code == 401
    assert "django.contrib.auth.middleware.RemoteUserMiddleware" not in settings.MIDDLEWARE


def test_a_foreign_origin_gets_no_cors_grant(world: World) -> None:
    response = world.client("agent_a").get("/api/v1/tickets/", HTTP_ORIGIN="https://evil.example")

    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("html", ['<script src="https://cdn.example/x.js"></script>',
                                  "<link rel=stylesheet href=//fonts.example/css>",
                                  '<img src="http://tracker.example/p.gif">',
                                  '<form action="https://evil.example/">',
                                  "<iframe src='HTTPS://evil.example'></iframe>"])
def test_the_scanner_finds_a_load_from_another_host(html: str) -> None:
    assert foreign_loads(html)


def test_the_scanner_lets_a_plain_link_and_local_assets_pass() -> None:
    html = ('<a href="https://tietosuoja.fi/en">the authority</a><link href="/static/desk/desk.css">'
            '<script src="/static/desk/desk.js" defer></script>')
    assert foreign_loads(html) == []


def test_a_server_error_shows_a_plain_page_with_nothing_from_inside(world: World, monkeypatch: Any) -> None:
    """Research I1, ASVS 16.5.1: no stack, settings or SQL on an error page."""
    from tickets.views import public

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("SELECT requester_email FROM tickets_ticket -- internal detail")

    monkeypatch.setattr(public, "public_record", broken)

    response = Client(raise_request_exception=False).get("/", HTTP_ACCEPT_LANGUAGE="fi")

    assert response.status_code == 500
    text = page_text(response)
    assert "Pahoittelemme" in text
    for secret in ("Traceback", "SELECT", "internal detail", settings.SECRET_KEY, "site-packages"):
        assert secret not in text


def test_api_answers_with_personal_data_are_not_cached(world: World) -> None:
    """ASVS 14.3.2, as for the staff pages: the list, the ticket, its messages and every action's
    answer (the ticket again) are never stored by a browser or a proxy."""
    client = world.client("agent_a")
    reference = world.a.ticket.reference
    answers = {path: client.get(path) for path in (
        "/api/v1/tickets/", f"/api/v1/tickets/{reference}/", f"/api/v1/tickets/{reference}/messages/")}
    answers["note"] = client.post(f"/api/v1/tickets/{reference}/note/", {"body": "n"},
                                  content_type="application/json")
    answers["refused"] = client.get(f"/api/v1/tickets/{world.b.ticket.reference}/")

    for what, response in answers.items():
        assert "no-store" in response.get("Cache-Control", ""), what
        assert "private" in response["Cache-Control"], what
