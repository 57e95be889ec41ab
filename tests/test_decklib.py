"""Listing the deck folder: good and bad decks side by side, hidden files and the schema left out."""

import os

from game.storage.library import DeckEntry, deck_path, scan_decks

GOOD = "title: Good\nlanguage: en\ncards:\n  - id: a\n    title: A\n    text: X\n"


def test_scan_decks(tmp_path):
    (tmp_path / "b-good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "a-bad.yml").write_text("title: Bad\n", encoding="utf-8")
    (tmp_path / ".hidden.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "schema.json").write_text("{}", encoding="utf-8")
    (tmp_path / "folder.yaml").mkdir()
    os.utime(tmp_path / "b-good.yaml", (1_700_000_000, 1_700_000_000))

    bad, good = scan_decks(tmp_path)

    assert isinstance(good, DeckEntry)
    assert (good.slug, good.path, good.errors) == ("b-good", tmp_path / "b-good.yaml", ())
    assert good.deck.title == "Good"
    assert good.modified == 1_700_000_000
    assert bad.slug == "a-bad"
    assert bad.deck is None
    assert bad.errors == (
        f"{tmp_path / 'a-bad.yml'}:1:1: missing `language`: every deck needs a language, "
        "a two-letter code such as `en` or `nl`",
        f"{tmp_path / 'a-bad.yml'}:1:1: missing `cards`: every deck needs a list of 1 to 200 cards",
    )


def test_scan_a_missing_folder(tmp_path):
    assert scan_decks(tmp_path / "nope") == []


def test_deck_path(tmp_path):
    (tmp_path / "social.en.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "other.yml").write_text(GOOD, encoding="utf-8")
    assert deck_path(tmp_path, "social.en") == tmp_path / "social.en.yaml"
    assert deck_path(tmp_path, "other") == tmp_path / "other.yml"
    assert deck_path(tmp_path, "missing") is None


def test_deck_path_refuses_anything_but_a_plain_name(tmp_path):
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "x.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "x.yaml").write_text(GOOD, encoding="utf-8")
    for slug in ["../x", "inner/x", ".x", "x/..", "", None, "..", "a..b", "x\x00"]:
        assert deck_path(tmp_path / "inner", slug) is None, slug
