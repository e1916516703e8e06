"""Text rendered once with markers where per-use values go, then filled by a join.

Two hot paths use it: the escalation sweep renders each rule's email once per batch and fills in
each ticket (tickets/services/escalation.py), and the public form renders its blank page once per
process and language and fills in each GET's fresh tokens (tickets/views/public.py). A template
render costs milliseconds; a join of pre-cut text, microseconds.
"""

from __future__ import annotations

from collections.abc import Mapping


def cut(text: str, markers: Mapping[str, str]) -> list[str]:
    """`text` split at every occurrence of each marker: text, the marker's name, text, … (the
    names at the odd positions). A marker the text does not hold is simply not there."""
    pieces = [text]
    for name, marker in markers.items():
        split: list[str] = []
        for position, piece in enumerate(pieces):
            if position % 2:
                split.append(piece)
                continue
            for number, part in enumerate(piece.split(marker)):
                if number:
                    split.append(name)
                split.append(part)
        pieces = split
    return pieces


def fill(pieces: list[str], values: Mapping[str, str]) -> str:
    """The text again, each name replaced by its value."""
    return "".join([piece if position % 2 == 0 else values[piece] for position, piece in enumerate(pieces)])
