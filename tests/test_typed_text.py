"""Text people type: bidirectional controls are removed at input, so no page or export reorders."""

import pytest

from game.core import checks, export
from game.errors import InvalidInput
from tests.coregame import Game

OVERRIDES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_text_check_strips_every_embedding_override_and_isolate_control():
    cleaned = checks.text({"name": "Bea \u202egnp.exe\u202c" + OVERRIDES}, "name", 100)
    assert cleaned == "Bea gnp.exe"


def test_text_check_keeps_right_to_left_letters_and_marks():
    typed = "שלום \u200f مرحبا"  # Hebrew, a right-to-left mark, Arabic
    assert checks.text({"t": typed}, "t", 100) == typed


def test_only_controls_is_empty_text():
    with pytest.raises(InvalidInput):
        checks.text({"t": "\u202e\u2066 "}, "t", 100)


def test_names_and_notes_reach_every_export_without_controls():
    g = Game(tables=1)
    g.seat("a", 0, name="Bea \u202egnp.exe")
    g.host("deal_card", card="talk")
    g.do("a", "add_note", kind="tip", text="\u2067start\u2069 \u202dsmall\u202c")
    data = export.results(g.state, g.now)
    outputs = [
        export.to_json(data),
        export.notes_csv(data),
        export.votes_csv(data),
        export.markdown_report(
            data, lambda message, **params: message % params if params else message
        ),
    ]
    for output in outputs:
        assert not any(char in output for char in OVERRIDES)
    assert "Bea gnp.exe" in outputs[0] and "start small" in outputs[0]
