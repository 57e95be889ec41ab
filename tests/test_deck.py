"""The deck validator on plain data: every rule of docs/decks.md, without YAML or positions."""

import copy

import pytest

from game.decks.deck import (
    ID_PATTERN,
    SCALE_LABELS,
    TITLE_MAX,
    Card,
    Category,
    Deck,
    DeckError,
    DeckProblem,
    Response,
    deck_schema,
    parse_deck,
)
from game.errors import GameError
from tests.ci import TEST_EXTRA, need


def good_deck():
    """A valid deck using every feature, as plain data."""
    return {
        "title": "Social media in our organisation",
        "language": "en",
        "description": "Dilemmas for small groups.",
        "categories": {
            "visibility": {"label": "Visibility", "colour": "#2F6F9F"},
            "discussion": {"label": "Discussion"},
        },
        "cards": [
            {
                "id": "empty-community",
                "title": "The empty community site",
                "category": "visibility",
                "text": "Nobody posts. Do you keep paying for it?",
                "response": {"type": "choice", "options": ["Keep it", "Close it"]},
                "prompts": ["Who would feel responsible for it?"],
                "reflection": "A platform without a host stays empty.",
            },
            {
                "id": "first-in-the-field",
                "title": "First online",
                "text": "Start anyway?",
                "response": {"type": "scale", "statement": "We should be the first."},
            },
            {"id": "your-story", "title": "A failure", "text": "Tell your table."},
        ],
    }


def problems(data):
    """The messages `parse_deck` reports for `data` (which must be invalid)."""
    with pytest.raises(DeckError) as caught:
        parse_deck(data)
    return [problem.message for problem in caught.value.problems]


def one_problem(data):
    """The single message reported for `data`."""
    messages = problems(data)
    assert len(messages) == 1, messages
    return messages[0]


def with_card(**fields):
    """A good deck whose first card is updated with `fields` (None removes a field)."""
    data = good_deck()
    card = data["cards"][0]
    for key, value in fields.items():
        if value is None:
            card.pop(key, None)
        else:
            card[key] = value
    return data


# A good deck


def test_good_deck_parses_into_frozen_objects():
    deck = parse_deck(good_deck())
    assert deck.title == "Social media in our organisation"
    assert deck.language == "en"
    assert deck.categories == (
        Category("visibility", "Visibility", "#2f6f9f"),
        Category("discussion", "Discussion", None),
    )
    first = deck.cards[0]
    assert first == Card(
        id="empty-community",
        title="The empty community site",
        text="Nobody posts. Do you keep paying for it?",
        category="visibility",
        response=Response("choice", ("Keep it", "Close it"), ""),
        prompts=("Who would feel responsible for it?",),
        reflection="A platform without a host stays empty.",
    )
    with pytest.raises(AttributeError):
        first.title = "changed"


def test_round_trip_through_to_data():
    deck = parse_deck(good_deck())
    data = deck.to_data()
    assert parse_deck(data) == deck
    assert data["cards"][2]["response"] == {"type": "open"}


def test_to_data_writes_scale_labels_out_so_snapshots_never_change():
    deck = parse_deck(good_deck())
    assert deck.to_data()["cards"][1]["response"]["labels"] == list(SCALE_LABELS["en"])


def test_card_and_category_lookup():
    deck = parse_deck(good_deck())
    assert deck.card("your-story").title == "A failure"
    assert deck.category("visibility").label == "Visibility"
    assert deck.category(None) is None
    assert deck.card("nope") is None
    assert deck.category("nope") is None


def test_texts_are_trimmed():
    data = with_card(title="  Spaced out \n")
    assert parse_deck(data).cards[0].title == "Spaced out"


def test_optional_parts_default():
    data = {"title": "T", "language": "nl", "cards": [{"id": "a", "title": "A", "text": "X"}]}
    deck = parse_deck(data)
    assert deck == Deck("T", "nl", "", (), (Card("a", "A", "X", None, Response("open")),))


def test_empty_optional_texts_count_as_missing():
    data = with_card(reflection="   ", prompts=[])
    data["description"] = None
    deck = parse_deck(data)
    assert deck.description == ""
    assert deck.cards[0].reflection == ""
    assert deck.cards[0].prompts == ()


# Scale labels


def test_scale_labels_default_to_the_deck_language():
    data = good_deck()
    data["language"] = "nl"
    assert parse_deck(data).cards[1].response.options == SCALE_LABELS["nl"]
    assert SCALE_LABELS["nl"][0] == "Helemaal oneens"


def test_scale_labels_of_other_languages_are_english():
    data = good_deck()
    data["language"] = "de"
    response = parse_deck(data).cards[1].response
    assert response.options == (
        "Strongly disagree",
        "Disagree",
        "Neutral",
        "Agree",
        "Strongly agree",
    )
    assert response.statement == "We should be the first."


def test_scale_labels_given():
    data = good_deck()
    data["cards"][1]["response"]["labels"] = ["No way", "Rather not", "Unsure", "Rather", "Yes"]
    assert parse_deck(data).cards[1].response.options[0] == "No way"


def test_scale_needs_exactly_five_labels():
    data = good_deck()
    data["cards"][1]["response"]["labels"] = ["a", "b", "c"]
    assert (
        one_problem(data)
        == "`labels` needs exactly 5 labels, from disagree to agree; this has 3 labels"
    )


# The deck


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "a deck must be a mapping with `title`, `language` and `cards`, not empty"),
        ([1, 2], "a deck must be a mapping with `title`, `language` and `cards`, not a list"),
        ("text", "a deck must be a mapping with `title`, `language` and `cards`, not text"),
    ],
)
def test_a_deck_is_a_mapping(data, message):
    assert one_problem(data) == message


def test_missing_deck_fields_are_all_reported():
    assert problems({}) == [
        "missing `title`: every deck needs a title",
        "missing `language`: every deck needs a language, a two-letter code such as `en` or `nl`",
        "missing `cards`: every deck needs a list of 1 to 200 cards",
    ]


def test_unknown_deck_key_with_suggestion():
    data = good_deck()
    data["titel"] = "x"
    assert one_problem(data) == "unknown key `titel` in the deck: did you mean `title`?"


def test_a_misspelt_required_key_is_not_also_missing():
    data = good_deck()
    data["titel"] = data.pop("title")
    assert one_problem(data) == "unknown key `titel` in the deck: did you mean `title`?"
    del data["titel"]
    assert one_problem(data) == "missing `title`: every deck needs a title"


def test_unknown_deck_key_lists_the_keys():
    data = good_deck()
    data["zzz"] = 1
    assert one_problem(data) == (
        "unknown key `zzz` in the deck; the keys are `title`, `language`, `description`, "
        "`rounds`, `steps`, `perspectives`, `categories`, `cards`"
    )


@pytest.mark.parametrize("language", ["EN", "eng", "e", "English", "1a"])
def test_language_is_two_lowercase_letters(language):
    data = good_deck()
    data["language"] = language
    assert one_problem(data) == (
        "`language` must be a two-letter code in lowercase, such as `en` or `nl`; "
        f"this is `{language}`"
    )


def test_title_length():
    data = good_deck()
    data["title"] = "x" * 120
    parse_deck(data)
    data["title"] = "x" * 150
    assert one_problem(data) == "`title` is too long: 150 characters, at most 120"


def test_description_length():
    data = good_deck()
    data["description"] = "x" * 2001
    assert one_problem(data) == "`description` is too long: 2001 characters, at most 2000"


@pytest.mark.parametrize(
    ("value", "kind"),
    [(["a"], "a list"), ({"a": 1}, "a mapping"), (12, "a number"), (True, "true/false")],
)
def test_texts_must_be_text(value, kind):
    data = good_deck()
    data["title"] = value
    assert one_problem(data) == f"`title` must be text, not {kind}"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_required_text_that_is_empty(value):
    data = good_deck()
    data["title"] = value
    assert one_problem(data) == "`title` is empty: every deck needs a title"


# Cards


def test_cards_must_be_a_list():
    data = good_deck()
    data["cards"] = {"a": 1}
    assert one_problem(data) == "`cards` must be a list of cards, not a mapping"


def test_cards_count():
    data = good_deck()
    data["cards"] = []
    assert one_problem(data) == "`cards` needs 1 to 200 cards; this has 0 cards"
    data["cards"] = [{"id": f"c{i}", "title": "T", "text": "X"} for i in range(201)]
    assert one_problem(data) == "`cards` needs 1 to 200 cards; this has 201 cards"
    data["cards"].pop()
    assert len(parse_deck(data).cards) == 200


def test_empty_cards():
    data = good_deck()
    data["cards"] = None
    assert one_problem(data) == "`cards` is empty: every deck needs a list of 1 to 200 cards"


def test_a_card_is_a_mapping():
    data = good_deck()
    data["cards"][1] = "just text"
    assert one_problem(data) == "card 2 must be a mapping with `id`, `title` and `text`, not text"


def test_missing_card_fields():
    data = good_deck()
    data["cards"][2] = {}
    with pytest.raises(DeckError) as caught:
        parse_deck(data)
    assert caught.value.problems == (
        DeckProblem(("cards", 2, "id"), "missing `id`: every card needs an id, like `my-card`"),
        DeckProblem(("cards", 2, "title"), "missing `title`: every card needs a title"),
        DeckProblem(("cards", 2, "text"), "missing `text`: every card needs the dilemma as `text`"),
    )


@pytest.mark.parametrize(
    ("card_id", "hint"),
    [
        ("Empty Community", "empty-community"),
        ("-dash", "dash"),
        ("x" * 61, "x" * 60),
        ("ünïcode", "n-code"),
    ],
)
def test_card_id_rules(card_id, hint):
    assert one_problem(with_card(id=card_id)) == (
        f"card id `{card_id}` may only hold lowercase letters, digits and dashes, start with a "
        f"letter or digit, and be at most 60 characters; try `{hint}`"
    )


def test_card_id_edge_cases_that_are_fine():
    assert parse_deck(with_card(id="x" * 60)).cards[0].id == "x" * 60
    assert parse_deck(with_card(id="7-wonders")).cards[0].id == "7-wonders"


def test_card_ids_are_unique():
    data = good_deck()
    data["cards"][2]["id"] = "empty-community"
    data["cards"].append({"id": "empty-community", "title": "T", "text": "X"})
    assert problems(data) == [
        "card id `empty-community` is used twice (first at card 1)",
        "card id `empty-community` is used twice (first at card 1)",
    ]


def test_card_text_rules():
    assert one_problem(with_card(text=" ")) == (
        "`text` is empty: every card needs the dilemma as `text`"
    )
    assert one_problem(with_card(text="x" * 1501)) == (
        "`text` is too long: 1501 characters, at most 1500"
    )
    assert parse_deck(with_card(text="x" * 1500))


def test_reflection_length():
    assert one_problem(with_card(reflection="x" * 2001)) == (
        "`reflection` is too long: 2001 characters, at most 2000"
    )


def test_unknown_card_key_with_suggestion():
    assert one_problem(with_card(titel="x")) == "unknown key `titel` in card: did you mean `title`?"


def test_response_key_in_the_card_itself():
    assert one_problem(with_card(options=["a", "b"])) == (
        "`options` belongs under `response`, not directly in the card"
    )
    assert one_problem(with_card(optoins=["a", "b"])) == (
        "unknown key `optoins` in card: did you mean `options` (under `response`)?"
    )


def test_unknown_card_key_without_suggestion_lists_the_keys():
    assert one_problem(with_card(zzz="x")) == (
        "unknown key `zzz` in card; the keys are `id`, `title`, `category`, `text`, `response`, "
        "`prompts`, `reflection`, `rounds`, `steps`, `perspectives`"
    )


# Prompts


def test_prompts_must_be_a_list_of_texts():
    assert one_problem(with_card(prompts={"a": "b"})) == (
        "`prompts` must be a list of texts, not a mapping"
    )
    assert one_problem(with_card(prompts="Why?")) == "`prompts` must be a list of texts, not text"


def test_prompts_count_and_items():
    assert one_problem(with_card(prompts=["Why?"] * 7)) == (
        "`prompts` may hold at most 6 questions; this has 7 questions"
    )
    assert one_problem(with_card(prompts=["Why?", ["nested"]])) == (
        "prompt 2 must be text, not a list"
    )
    assert one_problem(with_card(prompts=["Why?", " "])) == "prompt 2 is empty"
    assert one_problem(with_card(prompts=["x" * 301])) == (
        "prompt 1 is too long: 301 characters, at most 300"
    )


# Categories


def test_unknown_category_with_suggestion():
    assert one_problem(with_card(category="visibilty")) == (
        "`category: visibilty` is not defined under `categories` (did you mean `visibility`?)"
    )


def test_unknown_category_lists_the_defined_ones():
    assert one_problem(with_card(category="zzz")) == (
        "`category: zzz` is not defined under `categories` (defined: `discussion`, `visibility`)"
    )


def test_category_without_categories():
    data = with_card()
    del data["categories"]
    assert one_problem(data) == (
        "`category: visibility` is not defined under `categories` (the deck has no `categories`)"
    )


def test_categories_must_be_a_mapping():
    data = good_deck()
    data["categories"] = ["visibility"]
    # The card's category is not also reported: the one cause is reported once.
    assert one_problem(data) == "`categories` must be a mapping of ids to a `label`, not a list"


def test_category_rules():
    data = good_deck()
    data["categories"] = {
        "Big Ideas": {"label": "Big"},
        "visibility": "Visibility",
        "discussion": {"colour": "blue", "lable": "x"},
    }
    assert problems(data) == [
        "category id `Big Ideas` may only hold lowercase letters, digits and dashes, start with a "
        "letter or digit, and be at most 60 characters; try `big-ideas`",
        "category `visibility` must be a mapping with a `label`, not text",
        "unknown key `lable` in category `discussion`: did you mean `label`?",
        '`colour` must be `#` and six hex digits, like `"#2f6f9f"`; this is `blue`',
    ]


def test_category_label_length():
    data = good_deck()
    data["categories"]["discussion"]["label"] = "x" * 61
    assert one_problem(data) == "`label` is too long: 61 characters, at most 60"


def test_empty_colour_hints_at_the_comment():
    data = good_deck()
    data["categories"]["discussion"]["colour"] = None
    assert one_problem(data) == '`colour` is empty; write it in quotes, like `"#2f6f9f"`'


# Responses


def test_response_must_be_a_mapping():
    assert one_problem(with_card(response="choice")) == (
        "`response` must be a mapping with a `type` (choice, scale or open), not text"
    )


def test_response_type_with_suggestion():
    assert one_problem(with_card(response={"type": "choise", "options": ["a", "b"]})) == (
        "`type` must be `choice`, `scale` or `open`, not `choise` (did you mean `choice`?)"
    )
    assert one_problem(with_card(response={"type": "vote"})) == (
        "`type` must be `choice`, `scale` or `open`, not `vote`"
    )


def test_response_without_type_is_open():
    assert parse_deck(with_card(response={})).cards[0].response == Response("open", (), "")
    assert parse_deck(with_card(response=None)).cards[0].response == Response("open")


@pytest.mark.parametrize(("count", "fine"), [(1, False), (2, True), (6, True), (7, False)])
def test_choice_needs_two_to_six_options(count, fine):
    data = with_card(response={"type": "choice", "options": [f"o{i}" for i in range(count)]})
    if fine:
        assert len(parse_deck(data).cards[0].response.options) == count
    else:
        noun = "choice" if count == 1 else "choices"
        assert one_problem(data) == f"`options` needs 2 to 6 choices; this has {count} {noun}"


def test_choice_needs_options():
    assert one_problem(with_card(response={"type": "choice"})) == (
        "missing `options`: a `choice` response needs 2 to 6 options"
    )
    assert one_problem(with_card(response={"type": "choice", "options": None})) == (
        "`options` is empty: a `choice` response needs 2 to 6 options"
    )


def test_option_rules():
    response = {"type": "choice", "options": ["Yes", "x" * 201, "", "Yes"]}
    assert problems(with_card(response=response)) == [
        "option 2 is too long: 201 characters, at most 200",
        "option 3 is empty",
    ]
    response = {"type": "choice", "options": ["Yes", "No", " Yes "]}
    assert one_problem(with_card(response=response)) == "option 3 repeats option 1 (`Yes`)"


def test_settings_of_other_response_types_are_refused():
    response = {"type": "scale", "options": ["a", "b"]}
    assert one_problem(with_card(response=response)) == (
        "`options` only goes with `type: choice`; this response is `scale`"
    )
    response = {"type": "choice", "options": ["a", "b"], "labels": list("abcde")}
    assert one_problem(with_card(response=response)) == (
        "`labels` only goes with `type: scale`; this response is `choice`"
    )
    response = {"options": ["a", "b"], "statement": "We agree."}
    assert problems(with_card(response=response)) == [
        "`options` only goes with `type: choice`; without `type` it is `open`",
        "`statement` only goes with `type: scale`; without `type` it is `open`",
    ]


def test_unknown_response_key_with_suggestion():
    response = {"type": "choice", "optoins": ["a", "b"], "options": ["a", "b"]}
    assert one_problem(with_card(response=response)) == (
        "unknown key `optoins` in response: did you mean `options`?"
    )


def test_statement_length():
    data = good_deck()
    data["cards"][1]["response"]["statement"] = "x" * 301
    assert one_problem(data) == "`statement` is too long: 301 characters, at most 300"


# Errors


def test_all_problems_are_reported_at_once():
    data = copy.deepcopy(good_deck())
    data["title"] = ""
    data["cards"][0]["response"]["options"] = ["only one"]
    data["cards"][1]["category"] = "nope"
    data["cards"][2]["colour"] = "#fff"
    assert len(problems(data)) == 4


def test_deck_error_lines_without_positions():
    with pytest.raises(DeckError) as caught:
        parse_deck({"title": "T", "language": "en"}, source="my.yaml")
    error = caught.value
    assert isinstance(error, GameError)
    assert error.code == "invalid_deck"
    assert error.source == "my.yaml"
    assert error.lines() == ["my.yaml: missing `cards`: every deck needs a list of 1 to 200 cards"]
    assert str(error) == error.lines()[0]
    assert error.problems[0].path == ("cards",)


def test_problem_paths_point_into_the_data():
    data = with_card(prompts=["ok", 5])
    with pytest.raises(DeckError) as caught:
        parse_deck(data)
    assert caught.value.problems[0].path == ("cards", 0, "prompts", 1)
    assert caught.value.problems[0].line is None


# The JSON Schema published for editors


def schemas_in(schema):
    """Every sub-schema that describes a field (the values of `properties`, array items...)."""
    for key, value in schema.get("properties", {}).items():
        if isinstance(value, dict):
            yield key, value
            yield from schemas_in(value)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield key, schema[key]
            yield from schemas_in(schema[key])


def test_schema_describes_every_field_and_closes_every_object():
    schema = deck_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    for name, sub in schemas_in(schema):
        assert sub.get("description"), f"{name} has no description"
        if sub.get("type") == "object" and "properties" in sub:
            assert sub["additionalProperties"] is False, name


def test_schema_uses_the_validator_limits():
    card = deck_schema()["properties"]["cards"]["items"]
    assert card["properties"]["title"]["maxLength"] == TITLE_MAX
    assert card["properties"]["id"]["pattern"] == ID_PATTERN
    response = card["properties"]["response"]
    assert response["properties"]["type"]["enum"] == ["choice", "scale", "open"]
    assert response["properties"]["options"]["minItems"] == 2
    assert response["properties"]["options"]["maxItems"] == 6


def test_schema_agrees_with_the_validator():
    jsonschema = need("jsonschema", TEST_EXTRA)
    jsonschema.Draft7Validator.check_schema(deck_schema())
    validator = jsonschema.Draft7Validator(deck_schema())
    assert not list(validator.iter_errors(good_deck()))
    assert not list(validator.iter_errors(parse_deck(good_deck()).to_data()))
    bad = [
        with_card(optoins=["a", "b"]),
        with_card(title=None),
        with_card(response={"type": "choice", "options": ["only"]}),
        with_card(response={"type": "choice", "options": ["a", "a"]}),
        with_card(response={"type": "scale", "options": ["a", "b"]}),
        with_card(response={"options": ["a", "b"]}),
        with_card(response={"type": "choise", "options": ["a", "b"]}),
        with_card(response={"type": "choice"}),
        with_card(id="Not An Id"),
        with_card(text="   "),
    ]
    for data in bad:
        assert list(validator.iter_errors(data)), data
        with pytest.raises(DeckError):
            parse_deck(data)


def test_rounds_are_a_whole_number_from_1_to_10_on_the_deck_or_a_card():
    data = good_deck()
    data["rounds"] = 2
    data["cards"][0]["rounds"] = 3
    deck = parse_deck(data)
    assert deck.rounds == 2 and deck.cards[0].rounds == 3 and deck.cards[1].rounds is None
    assert parse_deck(deck.to_data()) == deck
    # YAML gives every value as text: "2" is what `rounds: 2` reads as.
    assert parse_deck({**good_deck(), "rounds": "2"}).rounds == 2
    for wrong in (0, 11, "two", "2.5", True, 2.5):
        assert one_problem({**good_deck(), "rounds": wrong}).startswith(
            "`rounds` must be a whole number from 1 to 10"
        )
