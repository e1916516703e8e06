"""tickets/slots.py: text cut at its markers and filled again is the text with the values in."""

from __future__ import annotations

from tickets import slots


def test_every_marker_is_filled_wherever_it_stands_and_an_absent_one_changes_nothing() -> None:
    markers = {"a": "<A>", "b": "<B>", "unused": "<U>"}
    text = "<A> and <B>, then <A> again<B>"

    pieces = slots.cut(text, markers)

    assert pieces[1::2] == ["a", "b", "a", "b"]
    assert slots.fill(pieces, {"a": "1", "b": "2", "unused": "?"}) == "1 and 2, then 1 again2"
    assert slots.fill(slots.cut("no markers", markers), {}) == "no markers"
