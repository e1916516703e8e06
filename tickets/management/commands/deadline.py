"""`python manage.py deadline ...`: the pure tickets.deadlines.cli behind Django's command line.

Thin on purpose (STYLE.md): the options and the computation live in tickets.deadlines.cli, so
the command and its tests need no database. A refusal is a CommandError with exit status 2,
which Django prints on stderr; argparse's own usage errors exit 2 as well.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tickets.deadlines import cli


class Command(BaseCommand):
    help = cli.DESCRIPTION
    requires_system_checks: list[str] = []  # pure computation: no models, no database

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        errors = io.StringIO()
        status = cli.run(options, self.stdout, errors)
        if status != 0:
            raise CommandError(errors.getvalue().strip(), returncode=status)
