"""Every internal link of the documentation leads somewhere (run by `make lint`).

Reads README.md, docs/**/*.md, bench/README.md and tests/deadlines/**/*.md; for each Markdown link,
image, reference and HTML href/src it checks that a relative target exists in the checkout and that
an #anchor matches a heading of the target file as GitHub names it (lower case, punctuation
dropped, each space a hyphen, -1, -2 … for repeats). External http(s) and mailto links are not
fetched (no network), but an image must be in the repository: the documentation loads nothing from
another host. Standard library only.

    python .ci/check_links.py [ROOT]    # exits 1 and prints "file:line: what" for each broken link
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = ("README.md", "docs/**/*.md", "bench/README.md", "tests/deadlines/**/*.md")

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_INLINE = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>]*>|[^\s)]*(?:\([^\s)]*\)[^\s)]*)*)"
                     r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
_FULL_REFERENCE = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\[([^\[\]]*)\]")
_DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)")
_HTML_LINK = re.compile(r"<(a|img)\b[^>]*?\b(href|src)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_HTML_ANCHOR = re.compile(r"<a\b[^>]*?\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]+>")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_LINE_ANCHOR = re.compile(r"^L\d+(?:C\d+)?(?:-L\d+(?:C\d+)?)?$")
_EXTERNAL = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True)
class Link:
    line: int
    target: str
    image: bool


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1."""
    lines: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _FENCE.match(line)
        if fence is None:
            if marker:
                fence = marker.group(1)
            else:
                lines.append((number, line))
        elif marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence) \
                and not line[marker.end():].strip():
            fence = None  # the closing fence: the same character, at least as many, nothing after
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text (github-slugger, without the numbering of repeats)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link or image: its text
    text = _HTML_TAG.sub("", text)
    text = re.sub(r"(?<![\w])_(\S(?:.*?\S)?)_(?![\w])", r"\1", text)  # _emphasis_, not snake_case
    text = text.strip().lower()
    return "".join(char for char in text if char.isalnum() or char in "-_ ").replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown file offers: its headings' slugs (numbered as GitHub numbers
    repeats) and explicit `<a id>`/`<a name>` targets."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    previous: str | None = None
    for _, line in _prose_lines(text):
        heading: str | None = None
        atx = _ATX.match(line)
        if atx:
            heading = atx.group(2) or ""
        elif previous is not None and previous.strip() and _SETEXT.match(line) \
                and not _ATX.match(previous) and not previous.lstrip().startswith(("-", "*", ">", "|")):
            heading = previous.strip()
        if heading is not None:
            base = slug(heading)
            count = seen.get(base, 0)
            found.add(base if count == 0 else f"{base}-{count}")
            seen[base] = count + 1
        found.update(match.group(1) for match in _HTML_ANCHOR.finditer(line))
        previous = line
    return found


def links(text: str) -> tuple[list[Link], list[Problem]]:
    """The links of a file, and the references it uses without defining them."""
    prose = _prose_lines(text)
    definitions: dict[str, str] = {}
    for _, line in prose:
        definition = _DEFINITION.match(line)
        if definition:
            definitions.setdefault(_label(definition.group(1)), definition.group(2))
    found: list[Link] = []
    undefined: list[Problem] = []
    for number, line in prose:
        definition = _DEFINITION.match(line)
        if definition:
            found.append(Link(number, _destination(definition.group(2)), image=False))
            continue
        line = _CODE_SPAN.sub(lambda match: " " * len(match.group(0)), line)
        for match in _INLINE.finditer(line):
            found.append(Link(number, _destination(match.group(3)), image=match.group(1) == "!"))
        for match in _FULL_REFERENCE.finditer(line):
            label = _label(match.group(3) or match.group(2))
            if label in definitions:
                found.append(Link(number, _destination(definitions[label]), image=match.group(1) == "!"))
            else:
                undefined.append(Problem(Path(), number, f"reference [{match.group(3) or match.group(2)}] "
                                                         "is not defined in this file"))
        for match in _HTML_LINK.finditer(line):
            found.append(Link(number, match.group(3), image=match.group(1).lower() == "img"))
    return found, undefined


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _destination(text: str) -> str:
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text


def check_file(path: Path, root: Path, cache: dict[Path, set[str]] | None = None) -> list[Problem]:
    cache = {} if cache is None else cache
    text = path.read_text(encoding="utf-8")
    shown = path.relative_to(root)
    found, undefined = links(text)
    problems = [Problem(shown, problem.line, problem.message) for problem in undefined]
    for link in found:
        message = _broken(link, path, root, cache)
        if message:
            problems.append(Problem(shown, link.line, message))
    return problems


def _broken(link: Link, path: Path, root: Path, cache: dict[Path, set[str]]) -> str | None:
    target = link.target.strip()
    if not target:
        return "empty link"
    scheme = _SCHEME.match(target)
    if scheme:
        if scheme.group(1).lower() not in _EXTERNAL:
            return f"{target}: only http(s) and mailto links may leave the repository"
        if link.image:
            return f"{target}: an image must be a file in the repository, not loaded from another host"
        return None  # not fetched: the check runs without a network
    if target.startswith("//"):
        return f"{target}: a protocol-relative address loads from another host"
    file_part, _, anchor = target.partition("#")
    file_part = unquote(file_part.partition("?")[0])
    anchor = unquote(anchor)
    if file_part:
        resolved = (root / file_part.lstrip("/")) if file_part.startswith("/") else (path.parent / file_part)
        resolved = resolved.resolve()
        if not resolved.is_relative_to(root.resolve()):
            return f"{link.target}: leads outside the repository"
        if not resolved.exists():
            return f"{link.target}: no such file {resolved.relative_to(root.resolve())}"
    else:
        resolved = path.resolve()
    if not anchor:
        return None
    if resolved.is_dir():
        return f"{link.target}: a folder has no #{anchor}"
    if resolved.suffix.lower() != ".md":
        if _LINE_ANCHOR.match(anchor):
            return None
        return f"{link.target}: #{anchor} is not a line (#L12) of a file that is not Markdown"
    if resolved not in cache:
        cache[resolved] = anchors(resolved.read_text(encoding="utf-8"))
    if anchor not in cache[resolved]:
        return f"{link.target}: no heading makes #{anchor} in {resolved.name}"
    return None


def documents(root: Path) -> list[Path]:
    found: set[Path] = set()
    for pattern in PATTERNS:
        found.update(path for path in root.glob(pattern) if path.is_file())
    return sorted(found)


def check(root: Path = ROOT) -> list[Problem]:
    cache: dict[Path, set[str]] = {}
    problems: list[Problem] = []
    for path in documents(root):
        problems.extend(check_file(path, root, cache))
    return problems


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    root = Path(arguments[0]).resolve() if arguments else ROOT
    checked = documents(root)
    problems = check(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} broken link(s) in {len(checked)} Markdown files", file=sys.stderr)
        return 1
    print(f"links: {len(checked)} Markdown files, every internal link leads somewhere")
    return 0


if __name__ == "__main__":
    sys.exit(main())
