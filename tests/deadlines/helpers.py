"""Helpers shared by the deadline tests: run the pure command line and read its output."""

from __future__ import annotations

import io
import json
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
