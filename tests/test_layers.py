"""The layers of .importlinter bite: each import the redesign of issue 17 removed, put back into a
copy of the source tree, breaks the contract that forbids it, and the untouched copy keeps every
contract. (`make lint` runs the contracts over the checkout itself.)"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("desk", "tickets", "notifications")
# Not Python, and the better part of the copy's size.
NOT_COPIED = shutil.ignore_patterns("static", "locale", "templates", "__pycache__", "*.pyc", "*.mo",
                                    ".ruff_cache", ".mypy_cache")


def contract_names() -> dict[str, str]:
    """The contracts of .importlinter, by id: their names, as lint-imports reports them."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    prefix = "importlinter:contract:"
    return {section.removeprefix(prefix): config[section]["name"]
            for section in config.sections() if section.startswith(prefix)}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the three packages and the contracts, importable from nowhere but itself."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=NOT_COPIED)
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "1000"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(tree / ".importlinter")],
                          cwd=tree, env=environment, capture_output=True, text=True, timeout=300,
                          check=False)


def reported(result: subprocess.CompletedProcess[str]) -> str:
    return " ".join(result.stdout.split())  # long contract names are wrapped on the terminal


def test_the_checkout_keeps_every_contract(tree: Path) -> None:
    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr
    for name in contract_names().values():
        assert f"{name} KEPT" in reported(result)


FUNCTION_LEVEL = "\n\ndef _put_back() -> object:\n    {line}\n    return None\n"

# Each import that the layers forbid, as it was before issue 17 (or as it would come back), in the
# module it was in, and the contracts it breaks (at least: an indirect import may break others
# too). "in a function": an import no header scan sees, which lint-imports sees all the same.
VIOLATIONS = [
    pytest.param("notifications/services.py", "from tickets.models import Ticket", False,
                 {"notifications-below-tickets"}, id="the digest in notifications queries tickets"),
    pytest.param("notifications/selectors.py", "from tickets.models import Queue", True,
                 {"notifications-below-tickets"}, id="the staff navigation in notifications reads queues"),
    pytest.param("notifications/admin.py", "from tickets.selectors import ticket_visible_to", False,
                 {"notifications-below-tickets"}, id="the outbox admin scopes by tickets' selector"),
    pytest.param("notifications/services.py", "from tickets.services.common import status_link_renew", True,
                 {"notifications-below-tickets"}, id="delivery makes status links itself"),
    pytest.param("tickets/api/views.py", "from tickets.views.public import request_form", False,
                 {"faces-independent", "tickets-layers"}, id="the API imports the public pages"),
    pytest.param("tickets/api/views.py", "from tickets.views.reports import dashboard", False,
                 {"faces-independent", "tickets-layers"}, id="the API imports the reports pages"),
    pytest.param("tickets/views/staff.py", "from tickets.views.public import request_form", False,
                 {"pages-independent"}, id="the staff pages import the public pages"),
    pytest.param("tickets/deadlines/schedule.py", "from django.utils import timezone", False,
                 {"the-law"}, id="the law imports django"),
    pytest.param("tickets/deadlines/schedule.py", "from tickets.models import Ticket", True,
                 {"the-law", "tickets-layers"}, id="the law imports the desk's models"),
    pytest.param("tickets/services/intake.py", "from tickets.views.public import request_form", True,
                 {"services-below-faces", "tickets-layers"}, id="a service imports a view"),
    pytest.param("tickets/services/workflow.py", "from tickets.staff_forms import AssignForm", False,
                 {"services-below-faces", "tickets-layers"}, id="a service imports a form"),
    pytest.param("tickets/selectors/metrics.py", "from tickets.api.serializers import MetricsSerializer",
                 False, {"services-below-faces", "tickets-layers"}, id="a selector imports a serializer"),
]


@pytest.mark.parametrize(("module", "line", "in_function", "broken"), VIOLATIONS)
def test_a_forbidden_import_breaks_its_contract(tree: Path, module: str, line: str, in_function: bool,
                                                broken: set[str]) -> None:
    names = contract_names()
    assert broken <= names.keys()
    source = tree / module
    assert source.is_file()
    with source.open("a") as file:
        file.write(FUNCTION_LEVEL.format(line=line) if in_function else f"\n{line}  # noqa: E402\n")

    result = lint_imports(tree)

    assert result.returncode == 1, result.stdout + result.stderr
    for contract in sorted(broken):
        assert f"{names[contract]} BROKEN" in reported(result), result.stdout
    importer = module.removesuffix(".py").replace("/", ".")
    assert importer in result.stdout  # the report names the import that broke it
