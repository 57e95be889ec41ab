"""Reading decks from YAML: every problem located at the right line and column, hostile files refused."""

import re
from pathlib import Path

import pytest

from game.decks.deck import (
    CARD_KEYS,
    CATEGORY_KEYS,
    DECK_KEYS,
    MAX_DECK_BYTES,
    RESPONSE_KEYS,
    DeckError,
    load_deck,
    load_deck_text,
    parse_deck,
)
from game.decks.yamlsafe import KEY, read_yaml

GOOD = """\
# yaml-language-server: $schema=schema.json
title: Social media in our organisation
language: en
categories:
  visibility:
    label: Visibility
    colour: "#2f6f9f"
cards:
  - id: empty-community
    title: The empty community site
    category: visibility
    text: >
      An agency built your organisation an online community.
      Nobody posts. Do you keep paying for it?
    response:
      type: choice
      options:
        - Keep it
        - Close it
  - id: your-story
    title: A failure worth sharing
    text: Tell your table about something that did not work.
"""


def error_lines(text, source="deck.yaml"):
    """The error lines `load_deck_text` gives for `text` (which must be invalid)."""
    with pytest.raises(DeckError) as caught:
        load_deck_text(text, source)
    return caught.value.lines()


def only_line(text):
    """The single error line for `text`."""
    lines = error_lines(text)
    assert len(lines) == 1, lines
    return lines[0]


def test_good_deck():
    deck = load_deck_text(GOOD, "deck.yaml")
    assert deck.cards[0].text == (
        "An agency built your organisation an online community. Nobody posts. "
        "Do you keep paying for it?"
    )
    assert deck.categories[0].colour == "#2f6f9f"


def test_round_trip():
    deck = load_deck_text(GOOD, "deck.yaml")
    assert parse_deck(deck.to_data()) == deck


def test_load_deck_from_a_file(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_deck(path).title == "Social media in our organisation"
    assert load_deck(str(path)).title == "Social media in our organisation"


def test_values_are_the_text_that_was_written():
    # YAML 1.1 would make these True, False, 1984, 1.5 and a date; in a deck every value is text.
    text = (
        GOOD.replace("Keep it", "Yes")
        .replace("Close it", "No")
        .replace("title: A failure worth sharing", "title: 1984")
    )
    text = text.replace("Tell your table about something that did not work.", "2024-05-01")
    deck = load_deck_text(text, "deck.yaml")
    assert deck.cards[0].response.options == ("Yes", "No")
    assert deck.cards[1].title == "1984"
    assert deck.cards[1].text == "2024-05-01"


def test_str_tag_is_allowed():
    text = GOOD.replace("title: A failure worth sharing", "title: !!str 1984")
    assert load_deck_text(text, "deck.yaml").cards[1].title == "1984"


def test_positions_of_keys_and_values():
    reading = read_yaml("a:\n  b: [x, 'y']\n")
    assert reading.data == {"a": {"b": ["x", "y"]}}
    assert reading.positions[("a", KEY)] == (1, 1)
    assert reading.positions[("a", "b", KEY)] == (2, 3)
    assert reading.positions[("a", "b")] == (2, 6)
    assert reading.positions[("a", "b", 1)] == (2, 10)


# Each kind of bad deck, located exactly.


def test_syntax_error():
    text = GOOD.replace("title: A failure worth sharing", "title: Failure: worth sharing")
    assert only_line(text) == (
        "deck.yaml:21:19: YAML syntax error: unexpected `:`; if the colon is part of a text, "
        "put the whole text in quotes"
    )


def test_syntax_error_bad_indentation():
    text = GOOD.replace("    title: A failure", "   title: A failure")
    assert only_line(text).startswith(
        "deck.yaml:21:4: YAML syntax error: the indentation here does not fit the lines above"
    )


def test_unclosed_quote_points_at_the_opening_quote():
    text = GOOD.replace('colour: "#2f6f9f"', 'colour: "#2f6f9f')
    assert only_line(text) == (
        "deck.yaml:7:13: YAML syntax error: this quoted text is not closed; add the closing quote"
    )


def test_tab_indentation():
    text = GOOD.replace("    label: Visibility", "\tlabel: Visibility")
    assert only_line(text) == "deck.yaml:6:1: YAML syntax error: use spaces, not tabs, to indent"


def test_unknown_key_with_suggestion_at_the_key():
    text = GOOD.replace("      options:", "      optoins:")
    # `options` is not also reported missing: the misspelt key was taken for it.
    assert error_lines(text) == [
        "deck.yaml:17:7: unknown key `optoins` in response: did you mean `options`?",
    ]


def test_missing_field_at_the_mapping_that_lacks_it():
    text = GOOD.replace("    title: A failure worth sharing\n", "")
    assert only_line(text) == "deck.yaml:20:5: missing `title`: every card needs a title"


def test_missing_deck_field_at_the_top():
    text = GOOD.replace("language: en\n", "")
    assert only_line(text) == (
        "deck.yaml:2:1: missing `language`: every deck needs a language, "
        "a two-letter code such as `en` or `nl`"
    )


def test_wrong_type_at_the_value():
    text = GOOD.replace(
        "    title: A failure worth sharing\n",
        "    title: A failure worth sharing\n    prompts:\n      why: because\n",
    )
    assert only_line(text) == "deck.yaml:23:7: `prompts` must be a list of texts, not a mapping"


def test_duplicate_key_at_the_second_occurrence():
    text = GOOD.replace(
        "    title: A failure worth sharing\n",
        "    title: A failure worth sharing\n    title: Another\n",
    )
    assert only_line(text) == (
        "deck.yaml:22:5: key `title` is used twice in this mapping (first at line 21); "
        "YAML would keep only the last one, so remove or rename one of them"
    )


def test_duplicate_card_id():
    text = GOOD.replace("id: your-story", "id: empty-community")
    assert only_line(text) == (
        "deck.yaml:20:9: card id `empty-community` is used twice (first at line 9)"
    )


def test_one_option():
    text = GOOD.replace("        - Close it\n", "")
    assert only_line(text) == "deck.yaml:18:9: `options` needs 2 to 6 choices; this has 1 choice"


def test_seven_options():
    more = "".join(f"        - Option {n}\n" for n in range(3, 8))
    text = GOOD.replace("        - Close it\n", "        - Close it\n" + more)
    assert only_line(text) == "deck.yaml:18:9: `options` needs 2 to 6 choices; this has 7 choices"


def test_unknown_category():
    text = GOOD.replace("category: visibility", "category: visibilty")
    assert only_line(text) == (
        "deck.yaml:11:15: `category: visibilty` is not defined under `categories` "
        "(did you mean `visibility`?)"
    )


def test_empty_text_at_the_key():
    text = GOOD.replace("text: Tell your table about something that did not work.", 'text: ""')
    assert only_line(text) == (
        "deck.yaml:22:5: `text` is empty: every card needs the dilemma as `text`"
    )


def test_value_left_empty_at_the_key():
    text = GOOD.replace("text: Tell your table about something that did not work.", "text:")
    assert only_line(text) == (
        "deck.yaml:22:5: `text` is empty: every card needs the dilemma as `text`"
    )


def test_too_long_title_at_the_value():
    text = GOOD.replace("title: A failure worth sharing", "title: " + "x" * 150)
    assert only_line(text) == "deck.yaml:21:12: `title` is too long: 150 characters, at most 120"


def test_unquoted_colour_is_a_comment():
    text = GOOD.replace('colour: "#2f6f9f"', "colour: #2f6f9f")
    assert only_line(text) == (
        'deck.yaml:7:5: `colour` is empty; write it in quotes, like `"#2f6f9f"`'
    )


def test_all_problems_of_a_file_at_once_in_file_order():
    text = (
        GOOD.replace("language: en", "language: English")
        .replace("      options:", "      optoins:")
        .replace("id: your-story", "id: empty-community")
    )
    assert error_lines(text) == [
        "deck.yaml:3:11: `language` must be a two-letter code in lowercase, such as `en` or `nl`; "
        "this is `English`",
        "deck.yaml:17:7: unknown key `optoins` in response: did you mean `options`?",
        "deck.yaml:20:9: card id `empty-community` is used twice (first at line 9)",
    ]


def test_three_problems_three_lines():
    text = (
        GOOD.replace("title: Social media", "titel: Social media")
        .replace("- Close it", "- Keep it")
        .replace("category: visibility", "category: visability")
    )
    assert error_lines(text) == [
        "deck.yaml:2:1: unknown key `titel` in the deck: did you mean `title`?",
        "deck.yaml:11:15: `category: visability` is not defined under `categories` "
        "(did you mean `visibility`?)",
        "deck.yaml:19:11: option 2 repeats option 1 (`Keep it`)",
    ]


# Files that are not decks at all


def test_empty_file():
    assert only_line("# nothing yet\n") == (
        "deck.yaml: the file is empty: a deck needs at least `title`, `language` and `cards`"
    )
    assert only_line("") == (
        "deck.yaml: the file is empty: a deck needs at least `title`, `language` and `cards`"
    )


def test_top_level_list():
    assert only_line("- title: x\n") == (
        "deck.yaml:1:1: a deck must be a mapping with `title`, `language` and `cards`, not a list"
    )


def test_top_level_text():
    assert only_line("just some words\n") == (
        "deck.yaml:1:1: a deck must be a mapping with `title`, `language` and `cards`, not text"
    )


def test_two_documents():
    assert only_line(GOOD + "---\ntitle: again\n") == (
        "deck.yaml:23:1: a deck file holds one YAML document; remove the `---` that starts a second"
    )


def test_key_that_is_a_list():
    assert (
        only_line("[a, b]: c\n") == "deck.yaml:1:1: a key must be plain text, not a list or mapping"
    )


def test_control_character():
    assert only_line("title: a\x07b\n") == (
        "deck.yaml:1:9: the file contains the control character U+0007, "
        "which YAML does not allow; remove it"
    )


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    assert caught.value.lines() == [
        f"{path}:1:11: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"
    ]


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    assert caught.value.lines() == [f"{path}: cannot read the file: No such file or directory"]


def test_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert load_deck(path).language == "en"


# Hostile files: refused before any harm is done.


def test_python_tag_is_refused():
    text = "title: !!python/object/apply:os.system ['echo hacked']\n"
    assert only_line(text) == (
        "deck.yaml:1:8: YAML tags such as `!!python/object/apply:os.system` are not allowed in "
        "a deck; remove the tag"
    )


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("title: !foo bar\n", "!foo"),
        ("title: !!int 12\n", "!!int"),
        ("cards: !!seq []\n", "!!seq"),
        ("title: ! bar\n", "!"),
    ],
)
def test_other_tags_are_refused(text, tag):
    assert f"YAML tags such as `{tag}` are not allowed" in only_line(text)


def test_billion_laughs_is_refused_before_any_expansion():
    # Nine aliases per level, nine levels: 9**9 strings if expanded. The reader stops at the first
    # anchor, before a single alias is followed; the message is about anchors and aliases.
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    line = only_line("\n".join(levels) + "\n")
    assert line.startswith("deck.yaml:1:4: anchors and aliases (`&a`) are not allowed in a deck")


def test_alias_without_anchor_is_refused():
    assert "anchors and aliases (`*a`) are not allowed" in only_line("title: *a\n")


def test_deep_flow_nesting_is_refused():
    line = only_line("[" * 10_000 + "]" * 10_000)
    assert line == (
        "deck.yaml:1:21: the file nests deeper than 20 levels; a deck needs no more than 5"
    )


def test_deep_block_nesting_is_refused():
    text = "".join("  " * depth + f"level{depth}:\n" for depth in range(30))
    assert only_line(text) == (
        "deck.yaml:21:41: the file nests deeper than 20 levels; a deck needs no more than 5"
    )


def test_twenty_levels_are_read():
    text = "[" * 20 + "]" * 20
    assert read_yaml(text).data == [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]


def test_file_over_one_megabyte_is_refused_before_parsing(tmp_path):
    # Unclosed brackets make sure the YAML parser was never run on it.
    text = "title: [" + "x" * (2 * MAX_DECK_BYTES)
    assert only_line(text) == "deck.yaml: the file is too large: 2,000,008 bytes, at most 1,000,000"
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    assert caught.value.lines() == [
        f"{path}: the file is too large: 2,000,008 bytes, at most 1,000,000"
    ]


def test_size_counts_bytes_not_characters():
    text = "title: " + "\u00e9" * (MAX_DECK_BYTES // 2)  # two bytes each in UTF-8
    assert "the file is too large" in only_line(text)


# The documentation and the validator agree.

DOCS = Path(__file__).resolve().parent.parent / "docs" / "decks.md"


def test_the_documented_example_is_a_valid_deck():
    example = re.search(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    deck = load_deck_text(example, "docs/decks.md")
    assert [card.response.kind for card in deck.cards] == ["choice", "scale", "open"]


def test_the_documented_rules_name_every_key():
    rules = DOCS.read_text(encoding="utf-8").split("## Rules", 1)[1]
    for key in {*DECK_KEYS, *CARD_KEYS, *CATEGORY_KEYS, *RESPONSE_KEYS}:
        assert f"`{key}`" in rules or f"`response.{key}`" in rules, key
