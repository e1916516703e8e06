"""The translations are complete (issue 16, "How it is checked"): every entry of the Finnish and
Swedish catalogues is translated and none is fuzzy (`msgfmt --statistics`), and every text the code
and the templates mark for translation, the deadline engine's legal explanations included, has its
entry there.

The second check extracts the msgids as `makemessages` does, in a copy of the project in a
temporary directory (never in the checkout): the copy's catalogues, merged with the code's msgids,
must still be complete. It takes 10 to 20 seconds, so it runs with the integration suite
(`make test-integration`); it needs nothing but gettext."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("fi", "sv")
# What makemessages reads: the apps, the templates, the settings (the language names).
SOURCES = ("desk", "tickets", "notifications", "templates", "manage.py")
CONTROL = "A text added to the copy only, to prove that a missing entry is found"


def gettext_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: apt-get install gettext (.ci/run does it)", pytrace=False)
    return found


def catalogue(root: Path, language: str) -> Path:
    return root / "desk" / "locale" / language / "LC_MESSAGES" / "django.po"


def statistics(po: Path) -> str:
    """msgfmt's own count ("821 translated messages, 7 fuzzy translations, 3 untranslated
    messages."), checked as compilemessages would (-c)."""
    done = subprocess.run([gettext_tool("msgfmt"), "--check", "--statistics", "-o", os.devnull, str(po)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1]  # after the header's warnings, if any


def msgids(po: Path, which: str) -> list[str]:
    """The msgids msgattrib selects (--untranslated, --only-fuzzy), for a readable failure."""
    done = subprocess.run([gettext_tool("msgattrib"), which, "--no-wrap", str(po)],
                          capture_output=True, text=True, check=True)
    return [msgid for msgid in re.findall(r'^msgid "(.*)"$', done.stdout, flags=re.MULTILINE) if msgid]


def incomplete(po: Path) -> dict[str, list[str]]:
    return {which: found for which in ("--untranslated", "--only-fuzzy") if (found := msgids(po, which))}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_of_the_catalogue_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = catalogue(ROOT, language)
    counted = statistics(po)
    assert re.fullmatch(r"\d+ translated messages?\.", counted), (counted, incomplete(po))


@pytest.mark.integration
def test_every_text_marked_for_translation_has_its_entry(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            skipped = shutil.ignore_patterns("__pycache__", "static", "*.mo")
            shutil.copytree(source, copy / name, ignore=skipped)
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy2(source, copy / name)
    # A control: a text the catalogues cannot have, which the check must report.
    (copy / "templates" / "translation_control.html").write_text(
        f'{{% load i18n %}}{{% translate "{CONTROL}" %}}\n')
    environment = {**os.environ, "PYTHONPATH": str(copy), "DJANGO_SETTINGS_MODULE": "desk.settings"}
    gettext_tool("xgettext")
    done = subprocess.run(
        [sys.executable, "manage.py", "makemessages", *(f"--locale={language}" for language in LANGUAGES),
         "--no-obsolete", "--verbosity=0"],
        cwd=copy, env=environment, capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    missing = {}
    for language in LANGUAGES:
        po = catalogue(copy, language)
        assert len(re.findall(r'^msgid "', po.read_text(), flags=re.MULTILINE)) > 500, "nothing extracted"
        found = incomplete(po)
        assert CONTROL in found.get("--untranslated", []), "the check would miss an untranslated text"
        found["--untranslated"].remove(CONTROL)
        if found := {which: msgids for which, msgids in found.items() if msgids}:
            missing[language] = found
    # A msgid the code uses and the catalogue lacks comes out untranslated, or fuzzy when msgmerge
    # guessed from a similar entry: either way, a reader would see it in English.
    assert missing == {}, missing
