"""`flask decks validate` and `flask decks schema`, run through the real app's command line."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
title: A good deck
language: en
cards:
  - id: one
    title: One
    text: The first dilemma.
  - id: two
    title: Two
    text: The second dilemma.
"""

# Three problems: a misspelt key, one option only, and an undefined category.
BAD = """\
title: A bad deck
language: en
cards:
  - id: one
    titel: One
    text: The first dilemma.
    category: nowhere
    response:
      type: choice
      options: [Only one]
"""


@pytest.fixture
def decks(app, tmp_path):
    """An empty decks folder the app validates by default."""
    folder = tmp_path / "my-decks"
    folder.mkdir()
    app.config["DECKS_DIR"] = str(folder)
    return folder


def test_validate_good_decks(runner, decks):
    (decks / "good.yaml").write_text(GOOD, encoding="utf-8")
    (decks / "also-good.yml").write_text(GOOD.replace("  - id: two\n", "  - id: three\n"))
    result = runner.invoke(args=["decks", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"OK {decks / 'also-good.yml'} (2 cards)",
        f"OK {decks / 'good.yaml'} (2 cards)",
    ]


def test_validate_good_and_bad_decks(runner, decks):
    (decks / "good.yaml").write_text(GOOD, encoding="utf-8")
    (decks / "bad.yaml").write_text(BAD, encoding="utf-8")
    result = runner.invoke(args=["decks", "validate"])
    assert result.exit_code == 1
    bad = decks / "bad.yaml"
    assert result.output.splitlines() == [
        f"{bad}:5:5: unknown key `titel` in card: did you mean `title`?",
        f"{bad}:7:15: `category: nowhere` is not defined under `categories` "
        "(the deck has no `categories`)",
        f"{bad}:10:16: `options` needs 2 to 6 choices; this has 1 choice",
        f"OK {decks / 'good.yaml'} (2 cards)",
    ]


def test_validate_skips_hidden_files_and_the_schema(runner, decks):
    (decks / "good.yaml").write_text(GOOD, encoding="utf-8")
    (decks / ".draft.yaml").write_text(BAD, encoding="utf-8")
    (decks / "schema.json").write_text("{}", encoding="utf-8")
    (decks / "notes.txt").write_text(BAD, encoding="utf-8")
    result = runner.invoke(args=["decks", "validate"])
    assert result.exit_code == 0
    assert result.output == f"OK {decks / 'good.yaml'} (2 cards)\n"


def test_validate_named_files(runner, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["decks", "validate", str(good)])
    assert result.exit_code == 0
    assert result.output == f"OK {good} (2 cards)\n"


def test_validate_a_missing_file_is_an_error(runner, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    result = runner.invoke(args=["decks", "validate", str(missing), str(good)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{missing}: cannot read the file: No such file or directory",
        f"OK {good} (2 cards)",
    ]


def test_validate_a_folder(runner, tmp_path):
    (tmp_path / "one.yaml").write_text(GOOD.replace("  - id: two", "  - id: a"), encoding="utf-8")
    result = runner.invoke(args=["decks", "validate", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output == f"OK {tmp_path / 'one.yaml'} (2 cards)\n"


def test_validate_an_empty_folder(runner, decks):
    result = runner.invoke(args=["decks", "validate"])
    assert result.exit_code == 0
    assert "no decks" in result.output


def test_one_card(runner, tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(GOOD.split("  - id: two")[0], encoding="utf-8")
    result = runner.invoke(args=["decks", "validate", str(path)])
    assert result.output == f"OK {path} (1 card)\n"


def test_the_shipped_decks_are_valid(runner):
    result = runner.invoke(args=["decks", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ")


def test_schema_is_the_committed_one(runner):
    result = runner.invoke(args=["decks", "schema"])
    assert result.exit_code == 0
    committed = (ROOT / "decks" / "schema.json").read_text(encoding="utf-8")
    assert result.output == committed, "regenerate with: flask --app app decks schema"
    assert json.loads(result.output)["title"] == "Tafelronde deck"
