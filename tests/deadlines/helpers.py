"""Helpers shared by the deadline tests: run the pure command line and read its output."""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path
from typing import Any

from tickets.deadlines import cli


def run_cli(*argv: str) -> tuple[int, str, str]:
    """cli.main with captured output: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def cli_json(*argv: str) -> dict[str, Any]:
    """The --json object of a successful run, checked to be one object on one line."""
    status, out, err = run_cli(*argv, "--json")
    assert status == 0, err
    assert out.count("\n") == 1, out
    result: dict[str, Any] = json.loads(out)
    return result


PACKAGE = Path(__file__).resolve().parents[2] / "tickets" / "deadlines"
# The research's worked examples, copied into the repository (data/SOURCES.md says from where):
# the tests read nothing outside the checkout.
CASES = Path(__file__).resolve().parent / "data"


def load_cases(name: str) -> list[dict[str, str]]:
    """The rows of one CSV of worked examples in tests/deadlines/data/ (a missing file fails)."""
    with (CASES / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def marked_messages() -> list[tuple[str, ...]]:
    """Every literal the engine marks: (msgid,) for gettext_noop, (singular, plural) for plurals."""
    found: list[tuple[str, ...]] = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "authorities.py":  # another module's own marker (its tests check it)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id in ("gettext_noop", "ngettext_lazy") and node.args:
                texts = [arg.value for arg in node.args
                         if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
                found.append(tuple(texts[:1] if node.func.id == "gettext_noop" else texts[:2]))
    return found
