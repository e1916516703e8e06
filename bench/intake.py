"""The public intake through gunicorn in the production profile: submissions per second and the
p50/p99 latency of the POST, with a Celery worker delivering every acknowledgement to an SMTP sink.

What runs, each as its own process: gunicorn (DESK_PROFILE=production, `--workers W`) bound to
127.0.0.1, a Celery worker with beat (the outbox sweep re-sends what the on-commit fast path
missed) on Redis, PostgreSQL with a database of the bench's own (desk_bench_intake), and a load
generator in a second Python process. The SMTP sink (aiosmtpd) runs in this process.

The load generator has C clients (threads, each with one HTTP/1.1 connection to loopback, which
reconnects when gunicorn's sync workers close it); each does what a browser does: GET the form (the
CSRF cookie and token, the signed time the form was served, a fresh submission key), then POST
it with valid data, and counts a submission when the answer is the 302 to /submitted/. The API
intake (POST /api/v1/intake/, JSON, 201) is measured separately. Only requests that start after
the warm-up and end before the window closes are counted.

The limiter is raised out of the way (DESK_RATE_FORM_ADDRESS and DESK_RATE_FORM_EMAIL 1000000/hour,
DESK_FORM_MIN_SECONDS=0): the bench measures the desk's throughput, not the limiter's refusals.
Every request says `X-Forwarded-Proto: https`, as the TLS proxy in front of a production desk does
(SECURE_PROXY_SSL_HEADER): the cookies are Secure and the CSRF check compares the Origin with
https://<host>; DESK_SSL_REDIRECT=false only because nothing terminates TLS on loopback.

After the load the worker drains, and the bench counts the messages the sink took against the
tickets the run created: nothing accepted may be lost.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import multiprocessing
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.stats import percentiles

ROOT = Path(__file__).resolve().parent.parent
# Outside the tree: collectstatic fills <VAR>/static with the admin's stylesheets, which the
# security suite's walk of the tree's static files would take for the desk's own.
VAR = Path(os.environ.get("DESK_BENCH_INTAKE_DIR", Path(tempfile.gettempdir()) / "desk-bench-intake"))
DATABASE_NAME = "desk_bench_intake"
BROKER_URL = "redis://127.0.0.1:6379/12"  # a Redis database of this bench's own: it is flushed
RAISED_RATE = "1000000/hour"
TARGET_PER_SECOND = 300  # the targets: 300 submissions a second, p99 under 200 ms
TARGET_P99_MS = 200

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
_SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')


# --- the load generator (runs in a second process: nothing here imports Django) --------------

def _cookie(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


class Client(threading.Thread):
    """One browser after another on one keep-alive connection: each submission is a new visitor."""

    def __init__(self, *, port: int, mode: str, number: int, opens: float, closes: float) -> None:
        super().__init__(daemon=True)
        self.port, self.mode, self.number = port, mode, number
        self.opens, self.closes = opens, closes
        self.latencies: list[float] = []  # the POST, in seconds, inside the window
        self.form_latencies: list[float] = []  # the GET of the form, inside the window
        self.accepted = 0  # inside the window
        self.accepted_total = 0  # the warm-up's too: every one must have its email
        self.errors: dict[str, int] = {}
        self.base = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https",
                     "Origin": f"https://127.0.0.1:{port}", "User-Agent": "desk-bench"}

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sequence = 0
        while time.monotonic() < self.closes:
            sequence += 1
            email = f"bench-{os.getpid()}-{self.number}-{sequence}@example.org"
            try:
                if self.mode == "form":
                    self._form(connection, email)
                else:
                    self._api(connection, email)
            except (OSError, http.client.HTTPException) as error:
                self._error(type(error).__name__)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.close()

    def _error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def _exchange(self, connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None,
                  headers: dict[str, str]) -> tuple[http.client.HTTPResponse, bytes, float, float]:
        started = time.monotonic()
        connection.request(method, path, body=body, headers={**self.base, **headers})
        response = connection.getresponse()
        content = response.read()
        return response, content, started, time.monotonic()

    def _counted(self, started: float, ended: float) -> bool:
        return self.opens <= started and ended <= self.closes

    def _form(self, connection: http.client.HTTPConnection, email: str) -> None:
        jar: dict[str, str] = {}
        response, content, started, ended = self._exchange(connection, "GET", "/", None, {})
        if response.status != 200:
            self._error(f"form GET {response.status}")
            return
        if self._counted(started, ended):
            self.form_latencies.append(ended - started)
        _cookie(response, jar)
        page = content.decode()
        fields = {
            "csrfmiddlewaretoken": _CSRF_INPUT.search(page), "form_token": _FORM_TOKEN.search(page),
            "submission_key": _SUBMISSION_KEY.search(page)}
        if not all(fields.values()) or "csrftoken" not in jar:
            self._error("form without its tokens")
            return
        data = {name: match.group(1) for name, match in fields.items() if match is not None}
        data.update({"kind": "access", "country": "FI", "us_state": "", "uk_nation": "",
                     "name": "Maija Mehiläinen", "email": email,
                     "description": "Haluan nähdä tietoni.", "website": ""})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar),
                   "Referer": f"https://127.0.0.1:{self.port}/"}
        response, _, started, ended = self._exchange(
            connection, "POST", "/", urlencode(data).encode(), headers)
        location = urlsplit(response.getheader("Location") or "").path
        if response.status != 302 or location != "/submitted/":
            self._error(f"form POST {response.status}")
            return
        self.accepted_total += 1
        if self._counted(started, ended):
            self.accepted += 1
            self.latencies.append(ended - started)

    def _api(self, connection: http.client.HTTPConnection, email: str) -> None:
        body = json.dumps({"kind": "access", "country": "FI", "us_state": "", "uk_nation": "",
                           "name": "Maija Mehiläinen", "email": email,
                           "description": "Haluan nähdä tietoni.",
                           "submission_key": str(uuid.uuid4())}).encode()
        response, _, started, ended = self._exchange(
            connection, "POST", "/api/v1/intake/", body, {"Content-Type": "application/json"})
        if response.status != 201:
            self._error(f"api POST {response.status}")
            return
        self.accepted_total += 1
        if self._counted(started, ended):
            self.accepted += 1
            self.latencies.append(ended - started)


def drive(port: int, mode: str, clients: int, warm_up: float, seconds: float,
          results: multiprocessing.Queue[dict[str, Any]]) -> None:
    """The second process: C clients for warm-up + seconds; the window's figures back on the queue."""
    now = time.monotonic()
    opens, closes = now + warm_up, now + warm_up + seconds
    threads = [Client(port=port, mode=mode, number=number, opens=opens, closes=closes)
               for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors: dict[str, int] = {}
    for thread in threads:
        for kind, count in thread.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    latencies = [value for thread in threads for value in thread.latencies]
    form_latencies = [value for thread in threads for value in thread.form_latencies]
    accepted = sum(thread.accepted for thread in threads)
    results.put({
        "mode": mode, "clients": clients, "seconds": seconds, "accepted": accepted,
        "accepted_with_warm_up": sum(thread.accepted_total for thread in threads),
        "per_second": round(accepted / seconds, 1), "post": percentiles(latencies),
        "form_get": percentiles(form_latencies) if mode == "form" else None, "errors": errors,
    })


def load(*, port: int, mode: str, clients: int, warm_up: float, seconds: float) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")  # a clean interpreter: no Django, no sink thread
    queue: multiprocessing.Queue[dict[str, Any]] = context.Queue()
    process = context.Process(target=drive, args=(port, mode, clients, warm_up, seconds, queue))
    process.start()
    result = queue.get(timeout=warm_up + seconds + 120)
    process.join(timeout=30)
    return result


# --- the services under test ------------------------------------------------------------------

def production_environment(*, database_url: str, smtp_port: int) -> dict[str, str]:
    """The production profile with the bench's keys, and the limiter and the human timing out of
    the way."""
    keys = _keys()

    keep = {name: value for name, value in os.environ.items()
            if not name.startswith(("DESK_", "DATABASE_URL", "CELERY_", "PYTHONDONTWRITEBYTECODE"))}
    return {
        **keep,
        # A deployed desk has its bytecode compiled; without it every new worker compiles the
        # whole of Django again. Under var/, not beside the sources of the shared tree.
        "PYTHONPYCACHEPREFIX": str(VAR / "pycache"),
        "DJANGO_SETTINGS_MODULE": "desk.settings",
        "DESK_PROFILE": "production",
        "DESK_SECRET_KEY": keys["secret"],
        "DESK_AUDIT_KEY": keys["audit"],
        # The anchors' own key and their directory, which production requires (tickets/anchors.py).
        "DESK_AUDIT_ANCHOR_KEY": keys["anchor"],
        "DESK_AUDIT_ANCHOR_DIR": str(VAR / "anchors"),
        "DESK_DATA_KEYS": f"bench:{keys['data']}",
        "DESK_EMAIL_INDEX_KEY": keys["index"],
        "DESK_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER_URL,
        "DESK_EMAIL_HOST": "127.0.0.1",
        "DESK_EMAIL_PORT": str(smtp_port),
        "DESK_SSL_REDIRECT": "false",  # nothing terminates TLS on loopback; the header says https
        "DESK_VAR_DIR": str(VAR),
        "DESK_PRIVATE_MEDIA_ROOT": str(VAR / "private"),
        "DESK_RATE_FORM_ADDRESS": RAISED_RATE,
        "DESK_RATE_FORM_EMAIL": RAISED_RATE,
        "DESK_FORM_MIN_SECONDS": "0",
        "DESK_OUTBOX_SWEEP_SECONDS": "5",
        "DESK_LOG_LEVEL": "WARNING",
    }


def _keys() -> dict[str, str]:
    """Made once and kept beside the bench's database (<VAR>/keys.json): the tickets and
    outbox rows of an earlier run stay readable, as a real desk's do across restarts."""
    path = VAR / "keys.json"
    if not path.exists():
        def key() -> str:
            return base64.b64encode(secrets.token_bytes(32)).decode()

        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"secret": secrets.token_urlsafe(50), "audit": secrets.token_urlsafe(32),
                                    "data": key(), "index": key()}))
        path.chmod(0o600)
    keys: dict[str, str] = json.loads(path.read_text())
    if "anchor" not in keys:  # kept by a bench from before the anchors had a key of their own
        keys["anchor"] = secrets.token_urlsafe(32)
        path.write_text(json.dumps(keys))
    return keys


class Service:
    """A child process in its own process group, its output in <VAR>/<name>.log."""

    def __init__(self, name: str, command: list[str], environment: dict[str, str]) -> None:
        self.name = name
        self.log = VAR / f"{name}.log"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text(errors='replace')[-3000:]}")
            if text in self.log.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready: {self.log.read_text(errors='replace')[-3000:]}")

    def cpu_seconds(self) -> float:
        """CPU time (user and system) of every live process of the group: the master and its
        workers. What a submission costs the web side, whatever else the machine is doing."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            if int(fields[2]) == self.process.pid:  # field 5 of stat, the process group
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def gunicorn(environment: dict[str, str], *, port: int, workers: int, profile: bool) -> Service:
    command = [sys.executable, "-m", "gunicorn", "desk.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", "sync", "--keep-alive", "5",
               "--backlog", "2048", "--log-level", "info"]
    if profile:
        command += ["--config", str(ROOT / "bench" / "gunicorn_profile.py")]
    service = Service(f"gunicorn-{workers}", command, {**environment, "DESK_BENCH_PROFILE_DIR": str(VAR)})
    service.wait_for("Booting worker")
    _wait_for_port(port)
    return service


def _wait_for_port(port: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https"}
            connection.request("GET", "/", headers=headers)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer the form")


def worker(environment: dict[str, str]) -> Service:
    command = [sys.executable, "-m", "celery", "-A", "desk", "worker", "--beat", "--pool", "prefork",
               "--concurrency", "2", "--loglevel", "INFO", "--without-mingle", "--without-gossip",
               "--schedule", str(VAR / "celerybeat-schedule"), "--hostname", f"bench-intake-{os.getpid()}@%h"]
    service = Service("worker", command, environment)
    service.wait_for("ready.")
    return service


def flush_broker() -> None:
    """The bench's Redis database holds its tasks and rate counters only: a run starts from empty."""
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()


def drain(sink: Any, expected: int, *, since_id: int, timeout: float = 180) -> dict[str, Any]:
    """Wait until every outbox row of the run is sent and the sink holds as many messages."""
    from notifications.models import Outbox

    started = time.monotonic()
    rows = Outbox.objects.filter(pk__gt=since_id, event="acknowledgement")
    while time.monotonic() - started < timeout:
        unsent = rows.exclude(state="sent").count()
        if unsent == 0 and len(sink.messages) >= expected:
            break
        time.sleep(0.5)
    return {"outbox_rows": rows.count(), "outbox_unsent": rows.exclude(state="sent").count(),
            "emails_in_sink": len(sink.messages), "expected": expected,
            "drain_seconds": round(time.monotonic() - started, 1)}


# --- the bench --------------------------------------------------------------------------------

def run(*, workers: list[int], clients: list[int], warm_up: float, seconds: float, api: bool,
        profile: bool) -> dict[str, Any]:
    from django.conf import settings

    from notifications.models import Outbox
    from tests.support.services import SmtpSink, free_port
    from tickets.models import Ticket

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    VAR.mkdir(parents=True, exist_ok=True)
    database = settings.DATABASES["default"]
    database_url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                    f"{database['PORT'] or 5432}/{database['NAME']}")
    sink = SmtpSink().start()
    environment = production_environment(database_url=database_url, smtp_port=sink.port)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=ROOT, env=environment, check=True)
    flush_broker()
    first_outbox = Outbox.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    tickets_before = Ticket.objects.count()
    celery = worker(environment)
    runs: list[dict[str, Any]] = []
    accepted = 0
    try:
        for count in workers:
            port = free_port()
            web = gunicorn(environment, port=port, workers=count, profile=profile)
            try:
                modes = ["form", "api"] if api else ["form"]
                for mode in modes:
                    for concurrency in clients:
                        load_before, cpu_before = os.getloadavg(), web.cpu_seconds()
                        figures = load(port=port, mode=mode, clients=concurrency, warm_up=warm_up,
                                       seconds=seconds)
                        cpu = web.cpu_seconds() - cpu_before
                        figures.update({
                            "workers": count, "load_average_before": load_before,
                            "load_average_after": os.getloadavg(),
                            # Over the warm-up and the window, per submission accepted in them.
                            "web_cpu_ms_per_submission": round(
                                cpu * 1000 / max(figures["accepted_with_warm_up"], 1), 1)})
                        accepted += figures["accepted_with_warm_up"]
                        runs.append(figures)
                        print(_line(figures), flush=True)
            finally:
                web.stop()
        delivery = drain(sink, accepted, since_id=first_outbox)
    finally:
        celery.stop()
        sink.stop()
    delivery["tickets_created"] = Ticket.objects.count() - tickets_before
    delivery["accepted_by_the_clients"] = accepted
    delivery["nothing_lost"] = (delivery["tickets_created"] == accepted == delivery["outbox_rows"]
                                and delivery["outbox_unsent"] == 0 and delivery["emails_in_sink"] >= accepted)
    return {
        "bench": "intake", "warm_up_seconds": warm_up, "seconds": seconds,
        "settings": {"DESK_PROFILE": "production", "DESK_RATE_FORM_ADDRESS": RAISED_RATE,
                     "DESK_RATE_FORM_EMAIL": RAISED_RATE, "DESK_FORM_MIN_SECONDS": 0,
                     "gunicorn": "sync workers", "celery": "prefork, concurrency 2, with beat"},
        "note": "rate limits raised and the human timing at 0 s: the bench measures the desk's "
                "throughput, not the limiter's refusals",
        "targets": {"per_second": TARGET_PER_SECOND, "p99_ms": TARGET_P99_MS},
        "runs": runs, "delivery": delivery, "profile": str(VAR / "profile") if profile else None,
    }


def _line(figures: dict[str, Any]) -> str:
    post = figures["post"]
    return (f"{figures['mode']:>4} W={figures['workers']} C={figures['clients']:>2}: "
            f"{figures['per_second']:7.1f}/s  p50 {post['p50_ms']} ms  p99 {post['p99_ms']} ms  "
            f"errors {sum(figures['errors'].values())}  "
            f"web CPU {figures['web_cpu_ms_per_submission']} ms each  "
            f"load {figures['load_average_before'][0]:.2f}")


def table(result: dict[str, Any]) -> None:
    print("\nIntake through gunicorn, production profile (rate limits raised, DESK_FORM_MIN_SECONDS=0:")
    print("the desk's throughput, not the limiter's refusals)")
    print(f"{'path':>5} {'workers':>7} {'clients':>7} {'per s':>7} {'POST p50':>9} {'POST p99':>9} "
          f"{'GET p99':>8} {'errors':>6} {'CPU ms':>6} {'load':>5}")
    for figures in result["runs"]:
        post, form = figures["post"], figures["form_get"] or {}
        print(f"{figures['mode']:>5} {figures['workers']:>7} {figures['clients']:>7} "
              f"{figures['per_second']:>7} "
              f"{post['p50_ms']!s:>9} {post['p99_ms']!s:>9} {form.get('p99_ms', '-')!s:>8} "
              f"{sum(figures['errors'].values()):>6} {figures['web_cpu_ms_per_submission']:>6} "
              f"{figures['load_average_before'][0]:>5.2f}")
    delivery = result["delivery"]
    verdict = "nothing lost" if delivery["nothing_lost"] else "LOST SOME"
    print(f"acknowledgements: {delivery['emails_in_sink']} in the sink for "
          f"{delivery['accepted_by_the_clients']} accepted ({delivery['tickets_created']} tickets, "
          f"{delivery['outbox_unsent']} unsent) after {delivery['drain_seconds']} s: {verdict}")
