"""Deck problems in the reader's language: every validator message is translated, plurals follow
the catalogue's plural rule, and the editor API and `decks validate` speak Dutch when asked."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from game.decks.deck import DeckError, load_deck_text
from game.i18n import Translator, load_catalogues, locale_from_environment
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"N_": None, "N_plural": (1, 2)}

BROKEN = """\
title: Kapot
language: nl
cards:
  - id: een
    titel: Een
    text: Het eerste dilemma.
    response:
      type: choice
      options: [Alleen deze]
"""


def validator_messages():
    """(message, where) for every message marked in game/decks/*.py; plurals as (one, other)."""
    found = []
    for path in sorted((ROOT / "game" / "decks").glob("*.py")):
        for line, message, _c, _x in extract_from_file("python", str(path), keywords=KEYWORDS):
            found.append((message, f"{path.relative_to(ROOT)}:{line}"))
    return found


def test_validator_messages_are_found():
    messages = [m for m, _where in validator_messages()]
    assert len(messages) > 60
    assert any(isinstance(m, tuple) for m in messages), "plural messages are extracted too"


def test_every_validator_message_has_a_dutch_translation():
    dutch = load_catalogues()["nl"]
    missing = []
    for message, where in validator_messages():
        if isinstance(message, tuple):
            # Both of Dutch's plural forms must be there, not only the first.
            if (message[0], 0) not in dutch or (message[0], 1) not in dutch:
                missing.append(f"{where}: {message[0]!r} (plural)")
        elif message not in dutch:
            missing.append(f"{where}: {message!r}")
    assert not missing, "Untranslated (add to translations/nl/decks.po):\n" + "\n".join(missing)


def dutch():
    return Translator(load_catalogues()["nl"])


def problems_of(text):
    with pytest.raises(DeckError) as caught:
        load_deck_text(text, "kapot.yaml")
    return caught.value


def test_problems_render_in_dutch_with_their_places_and_english_stays_the_default():
    error = problems_of(BROKEN)
    assert error.lines() == [
        "kapot.yaml:5:5: unknown key `titel` in card: did you mean `title`?",
        "kapot.yaml:9:16: `options` needs 2 to 6 choices; this has 1 choice",
    ]
    assert error.lines(dutch()) == [
        "kapot.yaml:5:5: onbekende sleutel `titel` in de kaart: bedoel je `title`?",
        "kapot.yaml:9:16: `options` heeft 2 tot 6 keuzes nodig; hier staat 1 keuze",
    ]


def test_arguments_that_are_messages_are_translated_too():
    error = problems_of("title: x\nlanguage: nl\ncards: yes please\n")
    assert error.lines(dutch()) == [
        "kapot.yaml:3:8: `cards` moet een lijst van kaarten zijn, niet tekst"
    ]


@pytest.mark.parametrize(
    ("labels", "english", "nederlands"),
    [
        (1, "this has 1 label", "hier staat 1 label"),
        (2, "this has 2 labels", "hier staan 2 labels"),
        (7, "this has 7 labels", "hier staan 7 labels"),
    ],
)
def test_plural_forms_follow_the_count(labels, english, nederlands):
    items = "".join(f"\n        - L{i}" for i in range(labels))
    text = (
        "title: x\nlanguage: nl\ncards:\n  - id: a\n    title: A\n    text: T\n"
        f"    response:\n      type: scale\n      labels:{items}\n"
    )
    (problem,) = problems_of(text).problems
    assert problem.text().endswith(english)
    assert problem.text(dutch()).endswith(nederlands)


def test_the_plural_rule_is_the_catalogues():
    # The header's Plural-Forms, read by Babel, decides the form; here Dutch's (n != 1).
    table = load_catalogues()["nl"]
    assert [table.plural(n) for n in (0, 1, 2, 21)] == [1, 0, 1, 1]


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "nl_BE"}, "nl"),
        ({"LANG": "nl_NL.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_command_lines_language_comes_from_the_locale(environ, lang):
    assert locale_from_environment(environ, ["en", "nl"]) == lang


def test_the_dutch_editor_api_answers_in_dutch_with_positions(client):
    client.environ_base["HTTP_X_CSRF_TOKEN"] = sign_in(client)
    answer = client.post(
        "/api/check",
        json={"slug": "kapot", "text": BROKEN},
        headers={"Accept-Language": "nl-NL,nl;q=0.9"},
    )
    problems = answer.json["problems"]
    assert [(p["line"], p["column"]) for p in problems] == [(5, 5), (9, 16)]
    assert problems[0]["message"] == "onbekende sleutel `titel` in de kaart: bedoel je `title`?"
    assert problems[0]["where"] == "kapot:5:5"
    english = client.post("/api/check?lang=en", json={"slug": "kapot", "text": BROKEN})
    assert english.json["problems"][1]["message"].endswith("this has 1 choice")


def run_validate(runner, tmp_path, env, *args):
    (tmp_path / "kapot.yaml").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "goed.yaml").write_text(
        "title: Goed\nlanguage: nl\ncards:\n  - id: a\n    title: A\n    text: T\n",
        encoding="utf-8",
    )
    clean = {"LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None, "LANG": None}
    return runner.invoke(args=["decks", "validate", *args, str(tmp_path)], env={**clean, **env})


def test_decks_validate_speaks_dutch_under_a_dutch_locale(runner, tmp_path):
    result = run_validate(runner, tmp_path, {"LANG": "nl_NL.UTF-8"})
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"OK {tmp_path / 'goed.yaml'} (1 kaart)"
    assert lines[1] == (
        f"{tmp_path / 'kapot.yaml'}:5:5: onbekende sleutel `titel` in de kaart: bedoel je `title`?"
    )


def test_decks_validate_lang_option_wins_over_the_locale(runner, tmp_path):
    result = run_validate(runner, tmp_path, {"LANG": "nl_NL.UTF-8"}, "--lang", "en")
    assert "(1 card)" in result.output and "did you mean `title`?" in result.output
    wrong = run_validate(runner, tmp_path, {}, "--lang", "xx")
    assert wrong.exit_code == 2
