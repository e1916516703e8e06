# Privacy Desk: `make run` starts the desk, `make test` runs every test (README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
# The integration and browser suites talk to real services (tests/integration, tests/browser).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/desk
TEST_REDIS_URL ?= redis://127.0.0.1:6379/13

.PHONY: run test install messages lint typecheck test-deadlines test-fast test-integration bench clean

$(VENV)/.installed: pyproject.toml uv.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv sync --frozen --inexact --quiet
	touch $@

install: $(VENV)/.installed messages

# Translations are compiled by the build; only the .po sources are in git.
messages: $(VENV)/.installed
	cd desk && ../$(PY) ../manage.py compilemessages --verbosity 0

# `make run PORT=8001` when 8000 is taken; emailed links follow the port unless DESK_PUBLIC_BASE_URL is set.
PORT ?= 8000
run: export DESK_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py rundesk --bind 127.0.0.1:$(PORT)

test: install lint typecheck test-deadlines test-fast test-integration

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) .ci/check_links.py

typecheck: $(VENV)/.installed
	$(PY) -m mypy .

# The deadline engine: every branch covered, or the build fails (issue: statutory deadline engine).
test-deadlines: $(VENV)/.installed
	$(PY) -m pytest tests/deadlines -q -p no:randomly --cov=tickets/deadlines --cov-branch \
		--cov-report=term-missing:skip-covered --cov-fail-under=100

# The fast suite: SQLite, no servers, in parallel.
test-fast: install
	$(PY) -m pytest tests -q -n 2 --ignore=tests/deadlines -m "not integration and not browser"

# PostgreSQL, Redis, a real Celery worker, an SMTP sink and Chromium. Under CI=true nothing is skipped.
test-integration: install
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
		$(PY) -m pytest tests -q -m "integration or browser" -p no:xdist

# Not part of `make test`: timings on PostgreSQL (docs/performance.md; bench/README.md), at N tickets;
# `make bench N=1000000` for the million (its seed takes about 8 minutes, once: pages seeds the
# desk after the sweep has emptied it, the dashboard reuses it). The plot takes every N run so far.
# The peer (django-helpdesk's escalate_tickets, in .venv-peer/) escalates about 4 ms a ticket: it runs
# at PEER_N, and the comparison sets it against our sweep at N, by per-ticket rate.
N ?= 100000
PEER_N ?= 20000
bench: install
	$(PY) -m bench sweep --tickets $(N)
	$(PY) -m bench peer --tickets $(PEER_N)
	$(PY) -m bench compare --tickets $(PEER_N) --ours-tickets $(N)
	$(PY) -m bench intake
	$(PY) -m bench pages --tickets $(N)
	$(PY) -m bench dashboard --tickets $(N)
	$(PY) -m bench plot

clean:
	rm -rf $(VENV) var test-artifacts
