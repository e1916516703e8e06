"""`make run` for a newcomer (issue 16, item 16): `make run PORT=8001` starts the desk on that port
with emailed links pointing at it; a port already taken is said in words with the command that
works; and once the desk is up, its addresses and the demo sign-ins are the last thing printed."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from desk.management.commands import rundesk
from desk.management.commands.rundesk import Address, Ready, child_environment, port_taken_message
from desk.management.commands.seed_demo import Command as SeedDemo
from notifications.models import Outbox
from tickets import services

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def listening() -> Iterator[int]:
    """Another program listening on a port of 127.0.0.1."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_taken_port_is_said_in_words_with_the_make_run_that_works(
        listening: int, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    monkeypatch.setattr(rundesk.subprocess, "Popen", lambda *args, **kwargs: started.append(args))

    with pytest.raises(CommandError) as refused:
        call_command("rundesk", bind=f"127.0.0.1:{listening}")

    message = str(refused.value)
    assert f"Port {listening} on 127.0.0.1 is already in use by another program" in message
    suggested = int(message.rsplit("make run PORT=", 1)[1].split()[0])
    assert suggested > listening and not Address("127.0.0.1", suggested).taken()
    assert started == []  # no web server, worker or beat was started


def test_the_command_line_says_it_and_exits_with_an_error(listening: int) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "rundesk", "--bind", f"127.0.0.1:{listening}"], cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False)

    assert result.returncode == 1
    assert "already in use by another program" in result.stderr and "make run PORT=" in result.stderr
    assert "Traceback" not in result.stderr and "Address already in use" not in result.stderr


@pytest.mark.parametrize("bind", ["127.0.0.1:abc", "127.0.0.1:0", "127.0.0.1:70000", "8001"])
def test_a_malformed_address_is_refused_with_the_form_it_takes(bind: str) -> None:
    with pytest.raises(CommandError, match="HOST:PORT with a port from 1 to 65535"):
        call_command("rundesk", bind=bind)


def test_a_free_port_is_not_taken_and_the_hint_names_a_free_one(listening: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert not Address("127.0.0.1", free).taken()
    assert Address("127.0.0.1", listening).taken()
    assert "make run PORT=" in port_taken_message(Address("127.0.0.1", listening))


def test_the_port_reaches_the_public_base_url_of_every_process(
        monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    environments: list[dict[str, str]] = []

    def start(command: list[str], **kwargs: Any) -> Any:
        environments.append(kwargs["env"])
        return SimpleNamespace(pid=0)  # nothing is started: the supervisor is left out too

    monkeypatch.setattr(rundesk.subprocess, "Popen", start)
    monkeypatch.setattr(rundesk.Command, "_supervise", lambda self, *args: None)
    monkeypatch.delenv("DESK_PUBLIC_BASE_URL", raising=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    call_command("rundesk", bind=f"127.0.0.1:{port}", stdout=io.StringIO())

    assert len(environments) == 3  # the web server, the worker and beat
    assert {env["DESK_PUBLIC_BASE_URL"] for env in environments} == {f"http://127.0.0.1:{port}"}
    assert {env["RUNDESK_WORKER_READY_FILE"] for env in environments} == {
        str(Path(settings.VAR_DIR) / "worker.ready")}


def test_a_public_base_url_that_is_set_wins_over_the_port() -> None:
    address = Address.parse("127.0.0.1:8001")

    assert child_environment(address, {})["DESK_PUBLIC_BASE_URL"] == "http://127.0.0.1:8001"
    assert child_environment(address, {"DESK_PUBLIC_BASE_URL": " "})["DESK_PUBLIC_BASE_URL"] == "http://127.0.0.1:8001"
    assert child_environment(address, {"DESK_PUBLIC_BASE_URL": "https://desk.example.org"})[
        "DESK_PUBLIC_BASE_URL"] == "https://desk.example.org"
    assert Address.parse("0.0.0.0:8002").url == "http://127.0.0.1:8002"
    assert Address.parse("[::1]:8003").url == "http://[::1]:8003"


def test_make_run_passes_the_port_to_rundesk_and_to_the_public_base_url() -> None:
    environment = {key: value for key, value in os.environ.items() if key != "DESK_PUBLIC_BASE_URL"}
    # -n prints the recipes without running them; the "+" line of the added prerequisite runs, and
    # shows the environment `run` gives its commands.
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8001", "--eval", "run: show-url",
         "--eval", "show-url: ; +@echo URL=$$DESK_PUBLIC_BASE_URL"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False)

    assert result.returncode == 0, result.stderr
    assert "URL=http://127.0.0.1:8001" in result.stdout.splitlines()
    assert "manage.py rundesk --bind 127.0.0.1:8001" in result.stdout


@pytest.mark.django_db
def test_the_ready_message_waits_for_the_web_server_the_worker_and_the_emails(
        listening: int, settings: Any, tmp_path: Path) -> None:
    settings.DESK_DEV_MAIL = True
    address = Address("127.0.0.1", listening)
    for number in range(3):  # emails not yet delivered
        services.ticket_create(
            kind="access", country="FI", region="", name="Maija Mehiläinen",
            email=f"maija{number}@example.org", description="Haluan nähdä tietoni.", language="fi",
            attachment=None, submission_key=None,
            received_at=timezone.now(), actor=None, reason="test", acknowledge=True)
    ready = Ready(tmp_path / "worker.ready")

    assert not ready.due(address)  # no worker yet
    worker_is_ready_file(tmp_path / "worker.ready")
    assert not ready.due(address)  # the worker is up, three emails wait
    assert ready.worker_started and ready.waiting == 3
    Outbox.objects.update(state=Outbox.State.SENT)
    assert ready.due(address)
    assert not Ready(tmp_path / "worker.ready").due(Address("127.0.0.1", free_port()))  # no web server

    out = io.StringIO()
    rundesk.Command(stdout=out)._announce(address, ready)

    text = out.getvalue()
    sign_ins = io.StringIO()
    SeedDemo(stdout=sign_ins).print_logins()
    assert f"Privacy Desk is ready at http://127.0.0.1:{listening}/" in text
    assert f"http://127.0.0.1:{listening}/dev/mail/" in text
    assert sign_ins.getvalue().strip() in text  # the demo sign-ins, as seed_demo prints them
    assert text.rstrip().endswith("Press Ctrl-C to stop the web server, the worker and beat.")


def worker_is_ready_file(path: Path) -> None:
    """What the worker does once it takes tasks (desk/celery.py), with rundesk's environment."""
    from desk.celery import worker_is_ready

    previous = os.environ.get("RUNDESK_WORKER_READY_FILE")
    os.environ["RUNDESK_WORKER_READY_FILE"] = str(path)
    try:
        worker_is_ready()
    finally:
        if previous is None:
            del os.environ["RUNDESK_WORKER_READY_FILE"]
        else:
            os.environ["RUNDESK_WORKER_READY_FILE"] = previous
    assert path.exists()


@pytest.mark.django_db
def test_after_the_wait_the_message_is_printed_anyway_saying_what_is_still_waiting(
        listening: int, tmp_path: Path) -> None:
    address = Address("127.0.0.1", listening)
    late = Ready(tmp_path / "worker.ready", wait=-1)
    assert late.due(address)  # the worker never said it was ready; the wait is over
    out = io.StringIO()
    rundesk.Command(stdout=out)._announce(address, late)
    assert "The worker has not started yet: emails wait for it." in out.getvalue()

    worker_is_ready_file(tmp_path / "worker.ready")
    waiting = Ready(tmp_path / "worker.ready", wait=-1)
    waiting.worker_started, waiting.waiting = True, 7
    out = io.StringIO()
    rundesk.Command(stdout=out)._announce(address, waiting)
    assert "7 emails are still waiting for the worker." in out.getvalue()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
