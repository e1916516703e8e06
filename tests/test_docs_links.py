"""The documentation's link check (`.ci/check_links.py`, run by `make lint`): it passes on the
repository, and it fails, naming the file and the line, on a link to a missing file, on an anchor
no heading makes, and on an image from another host."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "check_links.py"


@pytest.fixture(scope="module")
def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_links", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_links"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def problems(checker: ModuleType, root: Path) -> list[str]:
    return [str(problem) for problem in checker.check(root)]


def test_every_link_of_the_repository_leads_somewhere() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "README.md" not in done.stderr


def test_the_check_reads_the_readme_the_docs_and_the_benches_readme(checker: ModuleType) -> None:
    checked = {path.relative_to(ROOT).as_posix() for path in checker.documents(ROOT)}

    assert {"README.md", "bench/README.md", "docs/architecture.md", "docs/configuration.md",
            "docs/operations.md", "docs/security.md", "docs/performance.md"} <= checked


def test_every_variable_the_settings_read_is_documented() -> None:
    """docs/configuration.md is the table of every variable desk/settings.py reads."""
    settings = (ROOT / "desk" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"\"(DESK_[A-Z0-9_]+|DATABASE_URL|CELERY_BROKER_URL)\"", settings))
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text()))

    assert len(read) > 50  # the settings still read their variables by literal name
    assert read - documented == set()


def test_a_link_to_a_missing_file_fails_with_its_file_and_line(checker: ModuleType, tmp_path: Path) -> None:
    root = write(tmp_path, {
        "README.md": "# Desk\n\nSee [the guide](docs/guide.md) and [code](desk/settings.py).\n",
        "docs/guide.md": "# Guide\n\nBack to [the start](../README.md).\n\n[Gone](missing.md)\n",
        "desk/settings.py": "",
    })

    assert problems(checker, root) == ["docs/guide.md:5: missing.md: no such file docs/missing.md"]

    done = subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 1
    assert "docs/guide.md:5:" in done.stderr


def test_an_anchor_that_no_heading_makes_fails(checker: ModuleType, tmp_path: Path) -> None:
    root = write(tmp_path, {
        "README.md": "# Desk\n\n[ok](docs/ops.md#email-delivery-what-to-watch)\n"
                     "[broken](docs/ops.md#email-delivery)\n[here](#desk)\n[not here](#nowhere)\n",
        "docs/ops.md": "# Ops\n\n## Email delivery: what to watch\n",
    })

    assert problems(checker, root) == [
        "README.md:4: docs/ops.md#email-delivery: no heading makes #email-delivery in ops.md",
        "README.md:6: #nowhere: no heading makes #nowhere in README.md",
    ]


def test_headings_are_slugged_as_github_does(checker: ModuleType) -> None:
    text = ("# Privacy Desk\n## `make test`: what it needs\n## Old status links and your proxy's log\n"
            "## Notes\n## Notes\nSetext heading\n--------------\n```\n# not a heading\n```\n"
            '<a id="custom"></a>\n## The [engine](engine.md) and DESK_DATA_KEYS\n')

    assert checker.anchors(text) == {
        "privacy-desk", "make-test-what-it-needs", "old-status-links-and-your-proxys-log", "notes",
        "notes-1", "setext-heading", "custom", "the-engine-and-desk_data_keys",
    }


def test_code_is_not_read_for_links_and_references_must_be_defined(
        checker: ModuleType, tmp_path: Path) -> None:
    root = write(tmp_path, {
        "README.md": "# Desk\n\n```md\n[in a fence](nowhere.md)\n```\n`[in code](nowhere.md)`\n"
                     "[defined][guide] and [undefined][nothing]\n\n[guide]: docs/gone.md\n",
    })

    assert problems(checker, root) == [
        "README.md:7: reference [nothing] is not defined in this file",
        "README.md:7: docs/gone.md: no such file docs/gone.md",
        "README.md:9: docs/gone.md: no such file docs/gone.md",
    ]


def test_external_links_are_not_fetched_but_images_must_be_in_the_repository(
        checker: ModuleType, tmp_path: Path) -> None:
    root = write(tmp_path, {
        "README.md": "# Desk\n\n[uv](https://docs.astral.sh/uv/) and [mail](mailto:dpo@example.org)\n"
                     "![badge](https://cdn.example.com/badge.svg)\n<img src=\"//cdn.example.com/x.png\">\n"
                     "[odd](ftp://example.org/file) [outside](../elsewhere.md)\n",
    })

    assert problems(checker, root) == [
        "README.md:4: https://cdn.example.com/badge.svg: an image must be a file in the repository, "
        "not loaded from another host",
        "README.md:5: //cdn.example.com/x.png: a protocol-relative address loads from another host",
        "README.md:6: ftp://example.org/file: only http(s) and mailto links may leave the repository",
        "README.md:6: ../elsewhere.md: leads outside the repository",
    ]


def test_a_line_anchor_is_allowed_on_code_but_not_a_heading_anchor(
        checker: ModuleType, tmp_path: Path) -> None:
    root = write(tmp_path, {
        "README.md": "# Desk\n\n[line](desk/settings.py#L10) [range](desk/settings.py#L10-L20)\n"
                     "[word](desk/settings.py#configuration)\n",
        "desk/settings.py": "",
    })

    assert problems(checker, root) == [
        "README.md:4: desk/settings.py#configuration: #configuration is not a line (#L12) of a file "
        "that is not Markdown",
    ]
