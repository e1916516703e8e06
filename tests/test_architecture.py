"""Rules of the house that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [path for folder in ("desk", "tickets", "notifications")
           for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts]
STATUS_WRITER = ROOT / "tickets" / "services" / "workflow.py"


def test_only_the_ticket_services_write_a_status() -> None:
    offenders = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    offenders.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"update", "bulk_update"}
                    and any(keyword.arg == "status" for keyword in node.keywords)):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert [o for o in offenders if not o.startswith(str(STATUS_WRITER.relative_to(ROOT)))] == []


def test_status_cannot_be_edited_by_forms_or_the_admin() -> None:
    from tickets.models import Ticket

    assert Ticket._meta.get_field("status").editable is False
    assert Ticket._meta.get_field("received_at").editable is False


def test_no_view_is_exempt_from_csrf() -> None:
    assert [p for p in SOURCES if "csrf_exempt" in p.read_text()] == []


@pytest.mark.parametrize("folder", ["templates", "tickets/static", "notifications"])
def test_no_page_or_email_loads_anything_from_another_host(folder: str) -> None:
    pattern = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
    css_import = re.compile(r"""(?:@import|url\()\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
    offenders = [
        str(path.relative_to(ROOT)) for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".txt", ".css", ".js", ".svg"}
        and (pattern.search(path.read_text()) or css_import.search(path.read_text()))
    ]
    assert offenders == []


def test_every_model_that_holds_ticket_data_keeps_history() -> None:
    from tickets import models

    for model in (models.Queue, models.Ticket, models.Message, models.Attachment):
        assert hasattr(model, "history"), model.__name__


def test_every_action_is_one_record_whose_form_serializer_and_service_exist() -> None:
    """Pages and API offer the same actions through the same services: one record each
    (tickets/actions.py); its form and input resolve, and the API has its endpoint."""
    import inspect

    from django import forms
    from django.utils.module_loading import import_string
    from rest_framework.serializers import BaseSerializer

    from tickets.actions import ACTIONS, NAMES
    from tickets.api.views import ACTIONS as API_ACTIONS

    assert len(NAMES) == len(ACTIONS) == len(set(NAMES))
    for action in ACTIONS:
        assert issubclass(import_string(action.form), forms.Form), action.name
        assert issubclass(import_string(action.serializer), BaseSerializer), action.name
        accepted = set(inspect.signature(action.service).parameters)
        assert {"ticket_id", "actor", *action.takes} <= accepted, action.name
        assert API_ACTIONS[action.endpoint].action_name == action.name
    assert set(API_ACTIONS) == {action.endpoint for action in ACTIONS}
