"""The deck format as a JSON Schema, built from the same limits as the validator (`model`)."""

from collections.abc import Sequence

from ..jsontypes import JSON
from . import model

Schema = dict[str, JSON]  # a JSON Schema object


def deck_schema() -> Schema:
    """The deck format as a JSON Schema (draft-07, which editors' YAML extensions understand).

    Built from the same limits as the validator. A schema cannot check that card ids are unique
    or that a card's category is defined; the validator does.
    """
    category = _object(
        "A category: a label, and a colour for its cards.",
        {
            "label": _text_schema(
                f"Shown on the cards, up to {model.LABEL_MAX} characters.", model.LABEL_MAX
            ),
            "colour": {
                "type": "string",
                "description": 'A colour as "#rrggbb"; quote it, because # starts a comment.',
                "pattern": model.COLOUR_PATTERN,
            },
        },
        required=["label"],
    )
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Tafelronde deck",
        **_object(
            "A deck of dilemma cards for Tafelronde; see docs/decks.md.",
            {
                "title": _text_schema(
                    f"The deck's title, up to {model.TITLE_MAX} characters.", model.TITLE_MAX
                ),
                "language": {
                    "type": "string",
                    "description": "The deck's language, a two-letter code such as en or nl.",
                    "pattern": model.LANGUAGE_PATTERN,
                },
                "description": _text_schema(
                    f"What the deck is for, up to {model.DESCRIPTION_MAX} characters.",
                    model.DESCRIPTION_MAX,
                    required=False,
                ),
                "rounds": _rounds_schema(
                    "How many vote rounds each card is played in (vote alone, talk, vote "
                    "again); a card may say otherwise. Without it: one."
                ),
                "steps": _steps_schema(
                    "The script every card is played with: the steps a table works through, "
                    "each with a suggested time. A card may have its own."
                ),
                "perspectives": _perspectives_schema(
                    "Roles members argue from: when a card is played, each member privately "
                    "gets one, spread so a table gets different ones. A card may have its own."
                ),
                "categories": {
                    "type": "object",
                    "description": "Categories cards may refer to, by id.",
                    "propertyNames": {"pattern": model.ID_PATTERN},
                    "additionalProperties": category,
                },
                "cards": {
                    "type": "array",
                    "description": f"The dilemma cards, {model.CARDS_MIN} to {model.CARDS_MAX}.",
                    "minItems": model.CARDS_MIN,
                    "maxItems": model.CARDS_MAX,
                    "items": _card_schema(),
                },
            },
            required=["title", "language", "cards"],
        ),
    }


def _card_schema() -> Schema:
    """The JSON Schema of one card."""
    return _object(
        "One dilemma card.",
        {
            "id": {
                "type": "string",
                "description": "Unique in the deck: lowercase letters, digits and dashes.",
                "pattern": model.ID_PATTERN,
            },
            "title": _text_schema(
                f"The card's title, up to {model.TITLE_MAX} characters.", model.TITLE_MAX
            ),
            "category": {
                "type": "string",
                "description": "The id of one of the deck's categories.",
                "pattern": model.ID_PATTERN,
            },
            "text": _text_schema(
                f"The dilemma, up to {model.TEXT_MAX} characters.", model.TEXT_MAX
            ),
            "response": _response_schema(),
            "prompts": _texts_schema(
                f"Up to {model.PROMPTS_MAX} questions to guide the talk.",
                f"A question, up to {model.PROMPT_MAX} characters.",
                model.PROMPT_MAX,
                0,
                model.PROMPTS_MAX,
            ),
            "reflection": _text_schema(
                f"Commentary or tips shown after the votes are revealed, up to {model.REFLECTION_MAX} "
                "characters.",
                model.REFLECTION_MAX,
                required=False,
            ),
            "rounds": _rounds_schema("How many vote rounds this card is played in."),
            "steps": _steps_schema(
                "This card's own script instead of the deck's; an empty list: no script."
            ),
            "perspectives": _perspectives_schema(
                "This card's own perspectives instead of the deck's; an empty list: none."
            ),
        },
        required=["id", "title", "text"],
    )


def _rounds_schema(description: str) -> Schema:
    """A number of vote rounds."""
    return {
        "type": "integer",
        "description": f"{description} {model.ROUNDS_MIN} to {model.ROUNDS_MAX}.",
        "minimum": model.ROUNDS_MIN,
        "maximum": model.ROUNDS_MAX,
    }


def _steps_schema(description: str) -> Schema:
    """A script: up to STEPS_MAX steps."""
    step = _object(
        "One step: what the table does now, and for how long.",
        {
            "label": _text_schema(
                f"The step's name on the phones, up to {model.STEP_LABEL_MAX} characters.",
                model.STEP_LABEL_MAX,
            ),
            "instruction": _text_schema(
                f"What to do in this step, up to {model.INSTRUCTION_MAX} characters.",
                model.INSTRUCTION_MAX,
                required=False,
            ),
            "minutes": {
                "description": f"The suggested time, more than 0 and at most {model.MINUTES_MAX} "
                "minutes.",
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": model.MINUTES_MAX,
            },
            "kind": {
                "description": "talk (the default); vote: everyone votes alone, and moving on "
                "reveals; round: vote again (a new round); conclusion: the table writes its "
                "one line.",
                "enum": list(model.STEP_KINDS),
                "default": "talk",
            },
        },
        required=["label"],
    )
    return {
        "type": "array",
        "description": f"{description} Up to {model.STEPS_MAX} steps.",
        "maxItems": model.STEPS_MAX,
        "items": step,
    }


def _perspectives_schema(description: str) -> Schema:
    """Up to PERSPECTIVES_MAX perspectives, each a label or a label with a description."""
    label = _text_schema(
        f"Who to argue as, up to {model.STEP_LABEL_MAX} characters.", model.STEP_LABEL_MAX
    )
    perspective = _object(
        "A perspective with a description.",
        {
            "label": label,
            "description": _text_schema(
                f"More about this role, up to {model.PERSPECTIVE_DESCRIPTION_MAX} characters.",
                model.PERSPECTIVE_DESCRIPTION_MAX,
                required=False,
            ),
        },
        required=["label"],
    )
    return {
        "type": "array",
        "description": f"{description} Up to {model.PERSPECTIVES_MAX}, different labels.",
        "maxItems": model.PERSPECTIVES_MAX,
        "items": {
            "description": "A label, or a label with a description.",
            "anyOf": [label, perspective],
        },
    }


def _response_schema() -> Schema:
    """The JSON Schema of a card's response, with the settings each type allows."""
    options = _texts_schema(
        f"For choice: {model.OPTIONS_MIN} to {model.OPTIONS_MAX} different options.",
        f"An option, up to {model.OPTION_MAX} characters.",
        model.OPTION_MAX,
        model.OPTIONS_MIN,
        model.OPTIONS_MAX,
    )
    options["uniqueItems"] = True
    schema = _object(
        "How people answer: choose an option, agree on a scale, or talk only (open).",
        {
            "type": {
                "description": "choice: pick one option; scale: 5 points from disagree to agree; "
                "open: notes only (the default).",
                "enum": list(model.RESPONSE_TYPES),
                "default": "open",
            },
            "options": options,
            "statement": _text_schema(
                f"For scale: the statement people agree or disagree with, up to {model.STATEMENT_MAX} "
                "characters.",
                model.STATEMENT_MAX,
                required=False,
            ),
            "labels": _texts_schema(
                f"For scale: exactly {model.SCALE_POINTS} labels from disagree to agree; by default "
                "they come from the deck's language.",
                f"A label, up to {model.SCALE_LABEL_MAX} characters.",
                model.SCALE_LABEL_MAX,
                model.SCALE_POINTS,
                model.SCALE_POINTS,
            ),
        },
    )
    only = {"choice": {"statement", "labels"}, "scale": {"options"}}
    schema["allOf"] = [
        {
            "if": {"properties": {"type": {"const": "choice"}}, "required": ["type"]},
            "then": {
                "required": ["options"],
                "properties": dict.fromkeys(sorted(only["choice"]), False),
            },
        },
        {
            "if": {"properties": {"type": {"const": "scale"}}, "required": ["type"]},
            "then": {"properties": dict.fromkeys(sorted(only["scale"]), False)},
        },
        {
            # Also true without `type`, which means open.
            "if": {"properties": {"type": {"const": "open"}}},
            "then": {"properties": dict.fromkeys(["labels", "options", "statement"], False)},
        },
    ]
    return schema


def _object(description: str, properties: Schema, required: Sequence[str] = ()) -> Schema:
    """A closed JSON Schema object."""
    schema: Schema = {"type": "object", "description": description}
    if required:
        schema["required"] = list(required)
    schema["additionalProperties"] = False
    schema["properties"] = properties
    return schema


def _text_schema(description: str, limit: int, *, required: bool = True) -> Schema:
    """A text of at most `limit` characters; a required one must hold more than spaces."""
    schema: Schema = {"type": "string", "description": description, "maxLength": limit}
    if required:
        schema.update(minLength=1, pattern=r"\S")
    return schema


def _texts_schema(
    description: str, item_description: str, limit: int, least: int, most: int
) -> Schema:
    """A list of `least` to `most` required texts."""
    return {
        "type": "array",
        "description": description,
        "minItems": least,
        "maxItems": most,
        "items": _text_schema(item_description, limit),
    }
