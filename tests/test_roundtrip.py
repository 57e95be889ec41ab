"""Form edits written into the organiser's YAML: comments, key order and layout survive."""

import copy
from pathlib import Path

import pytest

from game.decks.deck import load_deck_text
from game.decks.roundtrip import FormDataError, apply_form
from game.decks.yamlsafe import read_yaml

ROOT = Path(__file__).resolve().parent.parent

DECK = """\
# yaml-language-server: $schema=schema.json
# Our deck. Keep the ids the same as in the Dutch one.

title: Small deck   # shown on the home page
language: en

categories:
  action:
    label: Action
    colour: "#a8354f"   # red

cards:
  # The opening card: keep it first.
  - id: first
    title: First card
    category: action
    text: >
      A folded text that goes
      over two lines.
    response:
      type: choice
      options:
        - Yes   # the brave one
        - No
    # Asked by every table last year.
    prompts:
      - Why?

  # The middle card needs work.
  - id: second
    title: Second card
    text: Plain text.

  # Keep this last.
  - id: third
    title: Third card
    text: Third text.
    reflection: Think again.
# End of deck.
"""


def data_of(text):
    return read_yaml(text).data


def edit(change, text=DECK, origins=None):
    """Apply `change(data)` to the data of `text` through the form path; check the result."""
    data = copy.deepcopy(data_of(text))
    change(data)
    out = apply_form(text, data, origins)
    assert _trim(data_of(out)) == _trim(data)
    return out


def _trim(value):
    if isinstance(value, dict):
        return {k: _trim(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_trim(v) for v in value]
    return value.strip() if isinstance(value, str) else value


def comments(text):
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@pytest.mark.parametrize("name", ["social-media-dilemmas.en.yaml", "social-media-dilemmas.nl.yaml"])
def test_no_change_no_difference(name):
    text = (ROOT / "decks" / name).read_text(encoding="utf-8")
    assert apply_form(text, data_of(text)) == text


def test_no_change_keeps_the_example():
    assert apply_form(DECK, data_of(DECK)) == DECK


def test_a_scalar_edit_touches_one_line():
    out = edit(lambda d: d["cards"][1].update(title="Second card, renamed"))
    assert out == DECK.replace("title: Second card\n", "title: Second card, renamed\n")


def test_end_of_line_comments_survive_an_edit():
    out = edit(lambda d: d.update(title="Renamed deck"))
    assert "title: Renamed deck # shown on the home page\n" in out  # the comment's column kept
    assert comments(out) == comments(DECK)


def test_a_folded_text_stays_folded_and_wrapped():
    long = "A new dilemma text " * 12
    out = edit(lambda d: d["cards"][0].update(text=long))
    assert "    text: >\n      A new dilemma text" in out
    assert max(len(line) for line in out.splitlines()) <= 90
    assert comments(out) == comments(DECK)


def test_multi_line_text_becomes_a_literal_block():
    out = edit(lambda d: d["cards"][1].update(text="Line one.\nLine two."))
    assert "    text: |\n      Line one.\n      Line two.\n" in out


def test_new_keys_go_where_the_format_lists_them():
    def change(d):
        d["description"] = "What it is for."
        d["cards"][1]["category"] = "action"
        d["cards"][1]["prompts"] = ["Who decides?"]

    out = edit(change)
    assert "language: en\ndescription: What it is for.\n\ncategories:" in out
    assert "    title: Second card\n    category: action\n    text: Plain text.\n" in out
    assert "    text: Plain text.\n    prompts:\n      - Who decides?\n\n  # Keep this last." in out


def test_removing_a_key_keeps_the_comments_after_it():
    out = edit(lambda d: d["cards"][2].pop("reflection"))
    assert "    text: Third text.\n# End of deck.\n" in out
    out = edit(lambda d: d["cards"][0].pop("prompts"))
    assert "        - No\n\n  # The middle card needs work.\n" in out
    assert "# Asked by every table last year." not in out  # it introduced what was removed


def test_removing_a_card_keeps_the_other_cards_comments():
    out = edit(lambda d: d["cards"].pop(1))
    assert "The middle card" not in out
    assert comments(out) == [c for c in comments(DECK) if "middle" not in c]
    assert "      - Why?\n\n  # Keep this last.\n  - id: third" in out


def test_reordering_cards_moves_their_comments_along():
    out = edit(lambda d: d["cards"].reverse())
    assert out.index("# Keep this last.") < out.index("- id: third") < out.index("- id: second")
    assert out.index("# The middle card") < out.index("- id: second") < out.index("- id: first")
    assert out.rstrip().endswith("# End of deck.")
    assert sorted(comments(out)) == sorted(comments(DECK))


def test_a_new_card_gets_the_usual_blank_line():
    new = {"id": "new", "title": "New", "text": "New text."}
    out = edit(lambda d: d["cards"].insert(1, new))
    expected = "      - Why?\n\n  - id: new\n    title: New\n    text: New text.\n\n  # The middle"
    assert expected in out
    out = edit(lambda d: d["cards"].append(new))
    assert "    reflection: Think again.\n\n  - id: new\n" in out
    assert out.rstrip().endswith("# End of deck.")


def test_a_card_whose_id_changed_keeps_its_comments():
    def change(d):
        d["cards"][0]["id"] = "opening"
        d["cards"].reverse()

    out = edit(change, origins=["third", "second", "first"])
    assert "        - Yes   # the brave one\n" in out
    assert "    # Asked by every table last year.\n" in out


def test_category_edits():
    def change(d):
        d["categories"]["action"]["colour"] = "#123456"
        d["categories"]["talk"] = {"label": "Talk", "colour": "#2f6f9f"}

    out = edit(change)
    assert '    colour: "#123456"   # red\n' in out
    assert '  talk:\n    label: Talk\n    colour: "#2f6f9f"\n\ncards:' in out
    load_deck_text(out)


def test_list_edits_keep_item_comments():
    out = edit(lambda d: d["cards"][0]["response"]["options"].append("Maybe"))
    assert "        - Yes   # the brave one\n        - No\n        - Maybe\n" in out


def test_numeric_looking_keys_and_values_stay_text():
    text = "title: T\nlanguage: en\ncategories:\n  2024:\n    label: Year\ncards:\n  - id: a\n    title: A\n    text: X\n    category: 2024\n"
    out = edit(lambda d: d["cards"][0].update(title="yes"), text=text)
    assert "    title: yes\n" in out and "  2024:\n" in out
    load_deck_text(out)


def test_text_that_cannot_be_read_is_written_afresh():
    data = data_of(DECK)
    for broken in ("title: [unclosed\n", "", "- a list\n", "a: &x 1\nb: *x\n"):
        out = apply_form(broken, data)
        assert _trim(data_of(out)) == _trim(data)
        load_deck_text(out)


def test_other_indentation_is_kept():
    text = "title: T\nlanguage: en\ncards:\n- id: a\n  title: A\n  text: X\n"
    out = edit(lambda d: d["cards"][0].update(title="B"), text=text)
    assert out == text.replace("title: A", "title: B")
    four = "title: T\nlanguage: en\ncards:\n    -   id: a\n        title: A\n        text: X\n"
    out = edit(lambda d: d["cards"][0].update(title="B"), text=four)
    assert out == four.replace("title: A", "title: B")


def test_form_data_that_cannot_be_a_deck():
    with pytest.raises(FormDataError):
        apply_form(DECK, ["not", "a", "mapping"])
    deep = {"title": "x"}
    node = deep
    for _ in range(30):
        node["cards"] = [{}]
        node = node["cards"][0]
    with pytest.raises(FormDataError):
        apply_form(DECK, deep)


def test_many_edits_in_a_row_stay_true_to_the_data():
    text = (ROOT / "decks" / "social-media-dilemmas.en.yaml").read_text(encoding="utf-8")
    before = comments(text)
    for index in range(0, 28, 3):

        def change(d, i=index):
            card = d["cards"][i]
            card["title"] = card["title"] + " (edited)"
            card.setdefault("prompts", []).append("One more question?")
            d["cards"].insert(0, d["cards"].pop(i))

        text = edit(change, text=text)
    load_deck_text(text)
    assert comments(text) == before
