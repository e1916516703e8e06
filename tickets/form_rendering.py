"""A form renderer that renders each distinct <select> once per process.

Why: the public form's country list is 250 options, and Django renders every option through its
own template: about 25 ms of the form page's CPU (80 ms on a busy 2-core machine), on every GET of
the busiest page of the desk, for HTML that is the same each time. The cache key is everything the
HTML is made of (the widget's name, value, attributes and every option's value, label and
attributes, in the active language), so a cached answer is byte for byte what Django would render:
an error that adds aria-describedby, a chosen country, another language, each is its own entry.
"""

from __future__ import annotations

import threading
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.translation import get_language

CACHED_TEMPLATES = frozenset({"django/forms/widgets/select.html"})
MAXIMUM_ENTRIES = 256  # selects, languages and chosen values; a flood only clears it


def _attributes(attrs: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(name), str(value)) for name, value in attrs.items()))


def _key(widget: dict[str, Any]) -> tuple[Any, ...]:
    """Everything select.html and select_option.html read, as text of the active language (a
    lazy label becomes the words it shows). Flat, not a walk of the whole context: the key is
    made on every render, so its cost is the cache's price."""
    options = tuple(
        (str(group_name), index, *(
            (str(option["value"]), str(option["label"]), option["selected"], option["template_name"],
             _attributes(option["attrs"])) for option in group))
        for group_name, group, index in widget["optgroups"])
    return (widget["name"], widget["is_hidden"], widget["required"], _attributes(widget["attrs"]),
            tuple(str(value) for value in widget["value"]), options)


class CachedSelectRenderer(DjangoTemplates):
    def __init__(self) -> None:
        super().__init__()
        self._rendered: dict[Any, str] = {}
        self._lock = threading.Lock()  # gthread workers render on several threads

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name not in CACHED_TEMPLATES or request is not None:
            return super().render(template_name, context, request)
        key = (template_name, get_language(), _key(context["widget"]))
        with self._lock:
            rendered = self._rendered.get(key)
        if rendered is None:
            rendered = super().render(template_name, context, request)
            with self._lock:
                if len(self._rendered) >= MAXIMUM_ENTRIES:
                    self._rendered.clear()
                self._rendered[key] = rendered
        return rendered


# One per process: the cache lives as long as the worker.
select_renderer = CachedSelectRenderer()
