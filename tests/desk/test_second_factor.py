"""Staff sign-in takes a password and a second factor (an authenticator app, or a recovery code);
a code works once; wrong passwords and wrong codes lock the sign-in for a while and say so."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth import get_user_model
from django.test import Client

from desk.enrolment import enrolment_link_issue
from desk.models import ApiToken, AuthenticatorDevice, RecoveryCodeDevice
from desk.second_factor import current_code, recovery_codes_issue, recovery_codes_left
from tests.support.people import client_for, make_ticket, staff, totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
VERIFY = "/staff/login/verify/"


def password_step(client: Client, username: str = "agent", password: str = PASSWORD) -> Any:
    return client.post("/staff/login/", {"username": username, "password": password})


@pytest.fixture
def agent() -> Any:
    return staff("agent", member_of=("requests",), manager_of=("requests",))


def test_the_password_alone_opens_no_staff_page_no_api_and_no_admin(agent: Any) -> None:
    ticket = make_ticket()
    agent.is_superuser = True
    agent.save()
    client = Client()

    assert password_step(client).status_code == 302
    pages = ["/staff/tickets/", f"/staff/tickets/{ticket.reference}/",
             f"/staff/tickets/{ticket.reference}/record/", "/staff/tickets/export.csv",
             "/staff/dashboard/", "/staff/reports/monthly/", "/staff/notifications/", "/staff/account/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url
    claim = client.post(f"/staff/tickets/{ticket.reference}/claim/", {"claim-reason": "mine"})
    api = client.get("/api/v1/tickets/")
    token = client.post("/staff/account/tokens/", {"name": "x", "scope": "write", "days": "30"})
    admin = client.get("/admin/")

    assert claim.status_code == 302 and claim["Location"].startswith(VERIFY)
    assert api.status_code == 403
    assert "second factor" in api.json()["message"]
    assert token.status_code == 302 and not ApiToken.objects.exists()
    assert admin.status_code == 302
    assert client.get(admin["Location"])["Location"] == "/staff/login/?next=%2Fadmin%2F"
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.history.count() == 1


def test_a_code_from_the_app_completes_the_sign_in_under_a_new_session_id(agent: Any) -> None:
    client = Client()
    password_step(client)
    half_signed_in = client.cookies["sessionid"].value

    page = client.get(f"{VERIFY}?next=/staff/dashboard/")
    done = client.post(VERIFY, {"code": totp_code(agent), "next": "/staff/dashboard/"})

    assert page.status_code == 200
    assert "authenticator app" in page.content.decode()
    assert done.status_code == 302 and done["Location"] == "/staff/dashboard/"
    assert client.cookies["sessionid"].value != half_signed_in
    assert client.get("/staff/tickets/").status_code == 200


def test_a_code_is_accepted_only_once(agent: Any) -> None:
    code = totp_code(agent)
    first, second = Client(), Client()
    password_step(first)
    password_step(second)

    accepted = first.post(VERIFY, {"code": code})
    replayed = second.post(VERIFY, {"code": code})

    assert accepted.status_code == 302
    assert replayed.status_code == 400
    assert "That code did not work" in replayed.content.decode()
    assert second.get("/staff/tickets/")["Location"].startswith(VERIFY)


def test_a_code_of_another_secret_is_refused(agent: Any) -> None:
    other = staff("other", member_of=("requests",))
    client = Client()
    password_step(client)

    response = client.post(VERIFY, {"code": totp_code(other)})

    assert response.status_code == 400
    assert client.get("/staff/tickets/").status_code == 302


def test_a_recovery_code_works_once_instead_of_the_app(agent: Any) -> None:
    codes = recovery_codes_issue(user=agent)
    client = Client()
    password_step(client)

    used = client.post(VERIFY, {"code": codes[0].upper()})
    client.post("/staff/logout/")
    again = Client()
    password_step(again)
    reused = again.post(VERIFY, {"code": codes[0]})

    assert used.status_code == 302
    assert reused.status_code == 400
    assert recovery_codes_left(user=agent) == len(codes) - 1


def test_new_recovery_codes_replace_the_old_ones(agent: Any) -> None:
    old = recovery_codes_issue(user=agent)
    client = client_for(agent)

    page = client.post("/staff/account/recovery-codes/")

    new = RecoveryCodeDevice.objects.get(user=agent).remaining
    assert page.status_code == 200
    assert all(code in page.content.decode() for code in new)
    assert not set(old) & set(new)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/",
                                    "https:evil.example", "http://testserver.evil.example/"])
def test_the_next_address_never_leaves_the_desk(agent: Any, target: str) -> None:
    client = Client()
    password_step(client)

    response = client.post(VERIFY, {"code": totp_code(agent), "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/staff/tickets/"


def test_a_first_sign_in_through_an_enrolment_link_sets_up_the_app_and_gives_recovery_codes(
        settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code is not followed by a wait here
    user = get_user_model().objects.create_user("newcomer", "n@example.org", PASSWORD, is_staff=True)
    link = enrolment_link_issue(user=user, actor=None, reason="test")
    client = Client()
    client.get(link.path)
    to_enrol = client.post("/staff/enrol/", {"password": PASSWORD})

    enrolment = client.get(to_enrol["Location"])
    device = AuthenticatorDevice.objects.get(user=user)
    wrong = client.post("/staff/login/enrol/", {"code": "000000" if current_code(device) != "000000"
                                                else "111111"})
    device.refresh_from_db()
    unconfirmed = device.confirmed
    codes_page = client.post("/staff/login/enrol/", {"code": current_code(device)})

    assert to_enrol["Location"].startswith("/staff/login/enrol/")
    assert enrolment.status_code == 200
    assert "<svg" in enrolment.content.decode()
    assert wrong.status_code == 400 and unconfirmed is False
    assert codes_page.status_code == 200
    codes = RecoveryCodeDevice.objects.get(user=user).remaining
    assert len(codes) == 10 and all(code in codes_page.content.decode() for code in codes)
    assert AuthenticatorDevice.objects.get(user=user).confirmed
    assert client.get("/staff/tickets/").status_code == 200


def test_the_password_alone_cannot_replace_the_authenticator(agent: Any) -> None:
    client = Client()
    password_step(client)

    response = client.get("/staff/login/enrol/")

    assert response["Location"].startswith(VERIFY)
    assert AuthenticatorDevice.objects.filter(user=agent).count() == 1


def test_failed_passwords_lock_the_sign_in_and_the_page_says_why(agent: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        password_step(client, password="wrong-password")

    locked = password_step(client)
    finnish = Client(HTTP_ACCEPT_LANGUAGE="fi")
    finnish_locked = password_step(finnish)
    elsewhere = password_step(Client(REMOTE_ADDR="192.0.2.7"))

    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert "Signing in is locked for now" in locked.content.decode()
    assert "3 failed attempts" in locked.content.decode()
    assert finnish_locked.status_code == 429
    assert "Kirjautuminen on lukittu" in finnish_locked.content.decode()
    # The pair (username, address) is locked: an outsider cannot lock an agent out everywhere.
    assert elsewhere.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout_and_end_the_half_sign_in(agent: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the lockout is under test, not the delay between codes
    client = Client()
    password_step(client)
    wrong = "000000" if totp_code(agent) != "000000" else "111111"

    answers = [client.post(VERIFY, {"code": wrong}) for _ in range(3)]
    after = client.get("/staff/tickets/")
    password_again = password_step(Client())

    assert [answer.status_code for answer in answers] == [400, 400, 429]
    assert after["Location"].startswith("/staff/login/?")
    assert password_again.status_code == 429
    # Each failed code is on record, with the step it failed at.
    failures = AccessFailureLog.objects.filter(username="agent")
    assert failures.filter(path_info=VERIFY).count() == 3


def test_seed_demo_prints_each_demo_users_secret_and_the_secret_signs_in() -> None:
    import io

    import pyotp
    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.split()[:1] == ["agent"])
    _username, password, secret = line.split()[:3]
    client = Client()
    password_step(client, "agent", password)

    # An independent TOTP implementation (pyotp), as the tester's phone would be.
    response = client.post(VERIFY, {"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 302
    assert client.get("/staff/tickets/").status_code == 200


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(agent: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for number in range(2):
        password_step(Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{number}"), password="wrong-password")

    locked = password_step(Client(HTTP_X_FORWARDED_FOR="203.0.113.9"))

    assert locked.status_code == 429
