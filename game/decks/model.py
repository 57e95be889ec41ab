"""The deck model: limits, the frozen `Deck`/`Card`/`Category`/`Response`, and `DeckError`.

Shared by the checks (`game.decks.checks`), the schema (`game.decks.schema`) and the loaders
(`game.decks.deck`). No I/O.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import N_, GameError
from ..jsontypes import JSON
from .messages import ENGLISH, Translator, render
from .yamlsafe import ProblemPath

MAX_DECK_BYTES = 1_000_000

# Limits, shared by the validator and the JSON Schema so the two cannot drift apart.
TITLE_MAX = 120
DESCRIPTION_MAX = 2000
LABEL_MAX = 60
TEXT_MAX = 1500
OPTION_MAX = 200
OPTIONS_MIN, OPTIONS_MAX = 2, 6
SCALE_POINTS = 5
SCALE_LABEL_MAX = 60
STATEMENT_MAX = 300
PROMPT_MAX = 300
PROMPTS_MAX = 6
REFLECTION_MAX = 2000
CARDS_MIN, CARDS_MAX = 1, 200
ROUNDS_MIN, ROUNDS_MAX = 1, 10  # vote rounds per card: vote alone, talk, vote again...
# A script: the steps a table works through a card in (game/decks/scripts.py).
STEPS_MAX = 12
STEP_LABEL_MAX = 60
INSTRUCTION_MAX = 500
MINUTES_MAX = 60  # minutes of one step, more than 0
# What a step does beyond its instruction: `vote` (everyone votes alone; leaving it reveals),
# `round` (vote again: entering it opens the next round), `conclusion` (the table's one line).
STEP_KINDS = ("talk", "vote", "round", "conclusion")
# Perspectives: the roles members argue from, one each per card.
PERSPECTIVES_MAX = 12
PERSPECTIVE_DESCRIPTION_MAX = 300
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,59}$"
LANGUAGE_PATTERN = r"^[a-z]{2}$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
RESPONSE_TYPES = ("choice", "scale", "open")

DECK_KEYS = (
    "title",
    "language",
    "description",
    "rounds",
    "steps",
    "perspectives",
    "categories",
    "cards",
)
CATEGORY_KEYS = ("label", "colour")
CARD_KEYS = (
    "id",
    "title",
    "category",
    "text",
    "response",
    "prompts",
    "reflection",
    "rounds",
    "steps",
    "perspectives",
)
RESPONSE_KEYS = ("type", "options", "statement", "labels")
STEP_KEYS = ("label", "instruction", "minutes", "kind")
PERSPECTIVE_KEYS = ("label", "description")

SCALE_LABELS = {
    "en": ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"),
    "nl": ("Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"),
}


@dataclass(frozen=True)
class Category:
    """A group of cards with a label and an optional "#rrggbb" colour."""

    id: str
    label: str
    colour: str | None = None


@dataclass(frozen=True)
class Response:
    """How people answer a card: pick one of `options` (choice, scale) or only talk (open)."""

    kind: str
    options: tuple[str, ...] = ()
    statement: str = ""


@dataclass(frozen=True)
class Step:
    """One phase of a table's script: a label, what to do, a suggested time, and what it does
    (`STEP_KINDS`: talk, vote, round, conclusion)."""

    label: str
    instruction: str = ""
    minutes: float | None = None
    kind: str = "talk"


@dataclass(frozen=True)
class Perspective:
    """A role a member argues from ("Argue as: the director"), with an optional description."""

    label: str
    description: str = ""


@dataclass(frozen=True)
class Card:
    """One dilemma. `reflection` is shown only after a table's votes are revealed."""

    id: str
    title: str
    text: str
    category: str | None = None
    response: Response = Response("open")
    prompts: tuple[str, ...] = ()
    reflection: str = ""
    rounds: int | None = None  # vote rounds this card asks for; None: the deck's
    steps: tuple[Step, ...] | None = None  # None: the deck's script; (): no script
    perspectives: tuple[Perspective, ...] | None = None  # None: the deck's; (): none


@dataclass(frozen=True)
class Deck:
    """A validated deck. Immutable, so a session can hold it while the file changes."""

    title: str
    language: str
    description: str = ""
    categories: tuple[Category, ...] = ()
    cards: tuple[Card, ...] = ()
    rounds: int | None = None  # vote rounds each card asks for; None: one
    steps: tuple[Step, ...] = ()  # the script every card follows unless it has its own
    perspectives: tuple[Perspective, ...] = ()
    # The cards by id: every view asks for a card, many times per vote.
    _by_id: dict[str, Card] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {card.id: card for card in reversed(self.cards)})

    def card(self, card_id: str | None) -> Card | None:
        """The card with `card_id`, or None if the deck has none."""
        return self._by_id.get(card_id) if card_id is not None else None

    def category(self, category_id: str | None) -> Category | None:
        """The category with `category_id`, or None (also for a card without category)."""
        return next((c for c in self.categories if c.id == category_id), None)

    def steps_for(self, card: Card) -> tuple[Step, ...]:
        """The script `card` is played with: its own, else the deck's."""
        return self.steps if card.steps is None else card.steps

    def perspectives_for(self, card: Card) -> tuple[Perspective, ...]:
        """The perspectives dealt with `card`: its own, else the deck's."""
        return self.perspectives if card.perspectives is None else card.perspectives

    def minutes_for(self, card: Card) -> float:
        """The suggested time of `card`: the minutes of its script's steps (0 without)."""
        return sum(step.minutes or 0 for step in self.steps_for(card))

    def to_data(self) -> dict[str, JSON]:
        """This deck as plain JSON-able data in the YAML shape: `parse_deck(d.to_data()) == d`."""
        data: dict[str, JSON] = {"title": self.title, "language": self.language}
        if self.description:
            data["description"] = self.description
        if self.rounds:
            data["rounds"] = self.rounds
        if self.steps:
            data["steps"] = [_step_data(step) for step in self.steps]
        if self.perspectives:
            data["perspectives"] = [_perspective_data(p) for p in self.perspectives]
        if self.categories:
            data["categories"] = {c.id: _category_data(c) for c in self.categories}
        data["cards"] = [_card_data(card) for card in self.cards]
        return data


def _category_data(category: Category) -> dict[str, JSON]:
    """A category as plain data."""
    data: dict[str, JSON] = {"label": category.label}
    if category.colour:
        data["colour"] = category.colour
    return data


def _card_data(card: Card) -> dict[str, JSON]:
    """A card as plain data; the response is always explicit."""
    data: dict[str, JSON] = {"id": card.id, "title": card.title}
    if card.category:
        data["category"] = card.category
    data["text"] = card.text
    response: dict[str, JSON] = {"type": card.response.kind}
    if card.response.kind == "choice":
        response["options"] = list(card.response.options)
    elif card.response.kind == "scale":
        # Labels are written out even when they are the defaults: a session snapshot must not
        # change if a later version changes the default labels.
        response["labels"] = list(card.response.options)
        if card.response.statement:
            response["statement"] = card.response.statement
    data["response"] = response
    if card.prompts:
        data["prompts"] = list(card.prompts)
    if card.reflection:
        data["reflection"] = card.reflection
    if card.rounds:
        data["rounds"] = card.rounds
    if card.steps is not None:
        data["steps"] = [_step_data(step) for step in card.steps]
    if card.perspectives is not None:
        data["perspectives"] = [_perspective_data(p) for p in card.perspectives]
    return data


def _step_data(step: Step) -> dict[str, JSON]:
    """A step as plain data (the default kind left out)."""
    data: dict[str, JSON] = {"label": step.label}
    if step.instruction:
        data["instruction"] = step.instruction
    if step.minutes is not None:
        data["minutes"] = int(step.minutes) if step.minutes == int(step.minutes) else step.minutes
    if step.kind != "talk":
        data["kind"] = step.kind
    return data


def _perspective_data(perspective: Perspective) -> dict[str, JSON]:
    """A perspective as plain data."""
    data: dict[str, JSON] = {"label": perspective.label}
    if perspective.description:
        data["description"] = perspective.description
    return data


@dataclass(frozen=True)
class DeckProblem:
    """One thing wrong with a deck: where in the data (`path`), what, and where in the file.

    `message` is a `game.decks.messages.Message` (English as a string, translatable by `text`);
    `place` overrides ``line:column`` in `line_for` for sources that are not text files, such as
    a spreadsheet's ``Cards!C12``.
    """

    path: ProblemPath
    message: str
    line: int | None = None
    column: int | None = None
    place: str | None = None

    def text(self, translator: Translator = ENGLISH) -> str:
        """The message in the language of `translator`."""
        return render(self.message, translator)

    def line_for(self, source: str, translator: Translator = ENGLISH) -> str:
        """``source:line:column: message``, or ``source: message`` when the place is unknown."""
        message = self.text(translator)
        if self.place:
            return f"{self.place}: {message}"
        if self.line is None:
            return f"{source}: {message}"
        return f"{source}:{self.line}:{self.column}: {message}"


class DeckError(GameError):
    """A deck that the validator refuses; `problems` lists everything wrong with it."""

    code = "invalid_deck"

    def __init__(self, problems: Iterable[DeckProblem], source: str = "<deck>") -> None:
        self.problems = tuple(problems)
        self.source = source
        super().__init__(N_("The deck has problems:\n%(details)s"), details="\n".join(self.lines()))

    def lines(self, translator: Translator = ENGLISH) -> list[str]:
        """One ``source:line:column: message`` line per problem, in `translator`'s language."""
        return [problem.line_for(self.source, translator) for problem in self.problems]

    def __str__(self) -> str:

        return "\n".join(self.lines())
