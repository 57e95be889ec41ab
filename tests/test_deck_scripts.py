"""Scripts and perspectives in the deck format: `steps` and `perspectives` on the deck or a card,
positioned problems in English and Dutch, hostile sizes refused before any item is looked at,
the JSON Schema agreeing, spreadsheets carrying them, and the starter decks' default script."""

import re
from pathlib import Path

import pytest

from game.decks.deck import (
    MINUTES_MAX,
    PERSPECTIVES_MAX,
    STEPS_MAX,
    DeckError,
    Perspective,
    Step,
    deck_schema,
    load_deck,
    load_deck_text,
    parse_deck,
)
from game.decks.sheets import card_rows, deck_rows
from game.i18n import Translator, load_catalogues
from tests.ci import TEST_EXTRA, need
from tests.test_deck import good_deck, one_problem, problems, with_card

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = [
    {"label": "Vote alone", "instruction": "Read and vote.", "minutes": 2, "kind": "vote"},
    {"label": "Each says why", "minutes": 1.5},
    {"label": "Vote again", "minutes": "1", "kind": "round"},
    {"label": "One sentence", "kind": "conclusion"},
]


def scripted():
    data = good_deck()
    data["steps"] = SCRIPT
    data["perspectives"] = ["The director", {"label": "A volunteer", "description": "Unpaid."}]
    return data


def test_steps_and_perspectives_on_the_deck_parse_and_round_trip():
    deck = parse_deck(scripted())
    assert deck.steps == (
        Step("Vote alone", "Read and vote.", 2, "vote"),
        Step("Each says why", "", 1.5, "talk"),
        Step("Vote again", "", 1, "round"),
        Step("One sentence", "", None, "conclusion"),
    )
    assert deck.perspectives == (Perspective("The director"), Perspective("A volunteer", "Unpaid."))
    assert parse_deck(deck.to_data()) == deck
    card = deck.cards[0]
    assert card.steps is None and deck.steps_for(card) == deck.steps
    assert deck.minutes_for(card) == 4.5


def test_a_card_has_its_own_script_or_none_and_its_own_perspectives_or_none():
    data = scripted()
    data["cards"][0]["steps"] = [{"label": "Just talk", "minutes": 5}]
    data["cards"][0]["perspectives"] = [{"label": "The treasurer"}]
    data["cards"][1]["steps"] = []
    data["cards"][1]["perspectives"] = []
    deck = parse_deck(data)
    first, second, third = deck.cards
    assert deck.steps_for(first) == (Step("Just talk", "", 5),)
    assert deck.perspectives_for(first) == (Perspective("The treasurer"),)
    assert deck.steps_for(second) == () and deck.perspectives_for(second) == ()
    assert deck.minutes_for(second) == 0
    assert deck.steps_for(third) == deck.steps
    assert parse_deck(deck.to_data()) == deck


def test_step_problems():
    def step(**fields):
        data = good_deck()
        data["steps"] = [{"label": "Talk", **fields}]
        return data

    assert one_problem(step(label=None)) == (
        "`label` is empty: every step needs a label, such as `Vote alone`"
    )
    assert one_problem(step(minutes=0)).startswith(
        f"`minutes` must be a number more than 0 and at most {MINUTES_MAX}, not 0"
    )
    for wrong in ("ten", MINUTES_MAX + 1, True, "-1"):
        assert one_problem(step(minutes=wrong)).startswith("`minutes` must be a number")
    assert one_problem(step(kind="vot")) == (
        "`kind` must be one of `talk`, `vote`, `round`, `conclusion`, not `vot` "
        "(did you mean `vote`?)"
    )
    assert one_problem(step(minuts=2)) == "unknown key `minuts` in step 1: did you mean `minutes`?"
    assert one_problem(step(label="x" * 61)).startswith("`label` is too long")
    data = good_deck()
    data["steps"] = ["Talk"]
    assert one_problem(data) == "step 1 must be a mapping with a `label`, not text"
    data["steps"] = "Talk"
    assert one_problem(data) == "`steps` must be a list, not text"


def test_a_vote_step_on_an_open_card_is_refused_at_the_card_but_allowed_on_the_deck():
    data = good_deck()
    data["steps"] = [{"label": "Vote", "kind": "vote"}]  # open cards play it as talk
    parse_deck(data)
    data["cards"][2]["steps"] = [{"label": "Vote again", "kind": "round"}]
    assert one_problem(data) == "a `round` step needs a card people vote on; this card is open"


def test_perspective_problems():
    data = good_deck()
    data["perspectives"] = ["The director", "the director"]
    assert one_problem(data) == "perspective 2 repeats perspective 1 (`the director`)"
    data["perspectives"] = [{"description": "no label"}]
    assert one_problem(data) == (
        "missing `label`: every perspective needs a label, such as `The director`"
    )
    data["perspectives"] = [3]
    assert one_problem(data) == "perspective 1 must be a mapping with a `label`, not a number"
    assert one_problem(with_card(perspectives={"a": 1})) == (
        "`perspectives` must be a list, not a mapping"
    )


def test_hostile_sizes_are_one_problem_each_before_any_item_is_read():
    data = good_deck()
    # 10,000 broken steps: were each looked at, there would be 10,000 problems.
    data["steps"] = [{"zzz": i} for i in range(10_000)]
    data["perspectives"] = [None] * 100_000
    data["cards"][0]["steps"] = [[]] * 50_000
    found = problems(data)
    assert found == [
        f"`steps` may hold at most {STEPS_MAX} steps; this has 10000 steps",
        f"`perspectives` may hold at most {PERSPECTIVES_MAX} perspectives; this has 100000 "
        "perspectives",
        f"`steps` may hold at most {STEPS_MAX} steps; this has 50000 steps",
    ]


def test_a_10000_step_yaml_file_is_refused_with_one_positioned_problem():
    steps = "".join(f"  - {{label: Step {i}, minutes: 1}}\n" for i in range(10_000))
    text = (
        "title: Long\nlanguage: en\nsteps:\n" + steps + "cards:\n  - {id: a, title: A, text: X}\n"
    )
    assert len(text.encode()) < 1_000_000
    with pytest.raises(DeckError) as caught:
        load_deck_text(text, "long.yaml")
    assert caught.value.lines() == [
        "long.yaml:4:3: `steps` may hold at most 12 steps; this has 10000 steps"
    ]


BROKEN = """\
title: Kapot
language: nl
steps:
  - label: Stemmen
    minutes: tien
    kind: stem
perspectives:
  - De directeur
  - de directeur
cards:
  - id: een
    title: Een
    text: Het eerste dilemma.
    steps:
      - label: Opnieuw
        kind: round
"""


def test_problems_are_placed_in_the_file_and_speak_dutch():
    with pytest.raises(DeckError) as caught:
        load_deck_text(BROKEN, "kapot.yaml")
    assert caught.value.lines() == [
        "kapot.yaml:5:14: `minutes` must be a number more than 0 and at most 60, not tien",
        "kapot.yaml:6:11: `kind` must be one of `talk`, `vote`, `round`, `conclusion`, not `stem`",
        "kapot.yaml:9:5: perspective 2 repeats perspective 1 (`de directeur`)",
        "kapot.yaml:16:15: a `round` step needs a card people vote on; this card is open",
    ]
    dutch = Translator(load_catalogues()["nl"])
    assert caught.value.lines(dutch) == [
        "kapot.yaml:5:14: `minutes` moet een getal groter dan 0 en hoogstens 60 zijn, niet tien",
        "kapot.yaml:6:11: `kind` moet een van `talk`, `vote`, `round`, `conclusion` zijn, niet "
        "`stem`",
        "kapot.yaml:9:5: perspectief 2 herhaalt perspectief 1 (`de directeur`)",
        "kapot.yaml:16:15: een `round`-stap heeft een kaart nodig waarop gestemd wordt; deze "
        "kaart is open",
    ]


def test_the_schema_agrees_with_the_validator_on_scripts():
    jsonschema = need("jsonschema", TEST_EXTRA)
    validator = jsonschema.Draft7Validator(deck_schema())
    good = scripted()
    good["steps"][2]["minutes"] = 1  # the schema wants a number where YAML editors see one
    assert not list(validator.iter_errors(good))
    assert not list(validator.iter_errors(parse_deck(good).to_data()))
    schema = deck_schema()["properties"]
    assert schema["steps"]["maxItems"] == STEPS_MAX
    assert schema["perspectives"]["maxItems"] == PERSPECTIVES_MAX
    bad = [
        {**good_deck(), "steps": [{"label": "x"}] * (STEPS_MAX + 1)},
        {**good_deck(), "steps": [{"label": "x", "kind": "dance"}]},
        {**good_deck(), "steps": [{"label": "x", "minutes": 0}]},
        {**good_deck(), "steps": [{"instruction": "no label"}]},
        {**good_deck(), "perspectives": [{"label": "x", "colour": "red"}]},
        {**good_deck(), "perspectives": ["x"] * (PERSPECTIVES_MAX + 1)},
    ]
    for data in bad:
        assert list(validator.iter_errors(data)), data
        with pytest.raises(DeckError):
            parse_deck(data)


def test_the_published_schema_file_is_current():
    import json

    assert json.loads((ROOT / "decks" / "schema.json").read_text()) == deck_schema()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_starter_decks_have_a_default_script_with_a_vote_a_round_and_a_conclusion(language):
    deck = load_deck(ROOT / "decks" / f"social-media-dilemmas.{language}.yaml")
    kinds = [step.kind for step in deck.steps]
    assert kinds == ["vote", "talk", "talk", "round", "conclusion"]
    assert all(step.instruction and step.minutes for step in deck.steps)
    assert deck.minutes_for(deck.cards[0]) == 20
    assert deck.perspectives == ()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_starter_decks_commented_perspectives_are_valid_when_switched_on(language):
    text = (ROOT / "decks" / f"social-media-dilemmas.{language}.yaml").read_text()
    block = re.search(r"^# perspectives:\n(?:#   .*\n)+", text, re.M).group(0)
    switched_on = text.replace(block, re.sub(r"^# ?", "", block, flags=re.M))
    deck = load_deck_text(switched_on)
    assert len(deck.perspectives) == 5 and deck.perspectives[0].description


def test_spreadsheets_carry_the_deck_script_perspectives_and_rounds():
    from game.decks.sheetfiles import deck_from_file, deck_to_csv, deck_to_xlsx

    data = scripted()
    data["rounds"] = 2
    deck = parse_deck(data)
    rows = deck_rows(deck)
    assert ["step", "Each says why", "", "1.5", "talk"] in rows
    assert ["perspective", "A volunteer", "Unpaid."] in rows
    assert card_rows(deck)[0][0] == "id"
    assert deck_from_file(deck_to_xlsx(deck), "x.xlsx") == deck
    assert deck_from_file(deck_to_csv(deck), "x.csv") == deck
