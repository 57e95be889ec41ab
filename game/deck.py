"""Cards and decks: the one validator, used by the loader, the command line, the editor and tests.

`parse_deck(data)` takes plain data (what YAML or JSON gives) and returns a frozen `Deck`, or
raises `DeckError` listing *every* problem at once, each located in the file when positions are
known. `load_deck_text` and `load_deck` read YAML safely (see `game.yamlsafe`) and then validate.
The format is specified in ``docs/decks.md``; `deck_schema()` publishes the same rules as a JSON
Schema for editors. This module does no I/O apart from `load_deck` reading one file.
"""

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from game.errors import N_, GameError
from game.yamlsafe import KEY, YamlRefused, read_yaml

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
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,59}$"
LANGUAGE_PATTERN = r"^[a-z]{2}$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
RESPONSE_TYPES = ("choice", "scale", "open")

DECK_KEYS = ("title", "language", "description", "categories", "cards")
CATEGORY_KEYS = ("label", "colour")
CARD_KEYS = ("id", "title", "category", "text", "response", "prompts", "reflection")
RESPONSE_KEYS = ("type", "options", "statement", "labels")

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
class Card:
    """One dilemma. `reflection` is shown only after a table's votes are revealed."""

    id: str
    title: str
    text: str
    category: str | None = None
    response: Response = Response("open")
    prompts: tuple[str, ...] = ()
    reflection: str = ""


@dataclass(frozen=True)
class Deck:
    """A validated deck. Immutable, so a session can hold it while the file changes."""

    title: str
    language: str
    description: str = ""
    categories: tuple[Category, ...] = ()
    cards: tuple[Card, ...] = ()

    def card(self, card_id):
        """The card with `card_id`, or None if the deck has none."""
        return next((card for card in self.cards if card.id == card_id), None)

    def category(self, category_id):
        """The category with `category_id`, or None (also for a card without category)."""
        return next((c for c in self.categories if c.id == category_id), None)

    def to_data(self):
        """This deck as plain JSON-able data in the YAML shape: `parse_deck(d.to_data()) == d`."""
        data = {"title": self.title, "language": self.language}
        if self.description:
            data["description"] = self.description
        if self.categories:
            data["categories"] = {c.id: _category_data(c) for c in self.categories}
        data["cards"] = [_card_data(card) for card in self.cards]
        return data


def _category_data(category):
    """A category as plain data."""
    data = {"label": category.label}
    if category.colour:
        data["colour"] = category.colour
    return data


def _card_data(card):
    """A card as plain data; the response is always explicit."""
    data = {"id": card.id, "title": card.title}
    if card.category:
        data["category"] = card.category
    data["text"] = card.text
    response = {"type": card.response.kind}
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
    return data


@dataclass(frozen=True)
class DeckProblem:
    """One thing wrong with a deck: where in the data (`path`), what, and where in the file."""

    path: tuple
    message: str
    line: int | None = None
    column: int | None = None

    def line_for(self, source):
        """``source:line:column: message``, or ``source: message`` when the place is unknown."""
        if self.line is None:
            return f"{source}: {self.message}"
        return f"{source}:{self.line}:{self.column}: {self.message}"


class DeckError(GameError):
    """A deck that the validator refuses; `problems` lists everything wrong with it."""

    code = "invalid_deck"

    def __init__(self, problems, source="<deck>"):
        self.problems = tuple(problems)
        self.source = source
        super().__init__(N_("The deck has problems:\n%(details)s"), details="\n".join(self.lines()))

    def lines(self):
        """One ``source:line:column: message`` line per problem."""
        return [problem.line_for(self.source) for problem in self.problems]

    def __str__(self):
        return "\n".join(self.lines())


def parse_deck(data, *, source="<deck>", positions=None):
    """Validate plain `data` and return a `Deck`, or raise `DeckError` listing every problem.

    `positions` (from `game.yamlsafe.read_yaml`) maps data paths to 1-based (line, column) so that
    problems can point into the file; without it problems carry only their path.
    """
    return _validated(data, source, positions or {}, [])


def load_deck_text(text, source="<deck>"):
    """Read a deck from YAML `text`; `source` names it in error lines (usually the file path)."""
    size = len(text.encode("utf-8"))
    if size > MAX_DECK_BYTES:
        raise DeckError([_too_big(size)], source)
    try:
        reading = read_yaml(text)
    except YamlRefused as refused:
        raise DeckError([_from_yaml(refused.problem)], source) from None
    problems = [_from_yaml(problem) for problem in reading.problems]
    if reading.data is None and not problems:
        message = "the file is empty: a deck needs at least `title`, `language` and `cards`"
        raise DeckError([DeckProblem((), message)], source)
    return _validated(reading.data, source, reading.positions, problems)


def load_deck(path):
    """Read and validate the deck file at `path`; unreadable files raise `DeckError` too."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_DECK_BYTES:
            raise DeckError([_too_big(size)], source)  # refused before reading a byte
        with path.open("rb") as f:
            raw = f.read(MAX_DECK_BYTES + 1)  # the file may have grown since stat()
    except OSError as error:
        raise DeckError(
            [DeckProblem((), f"cannot read the file: {error.strerror or error}")], source
        ) from None
    if len(raw) > MAX_DECK_BYTES:
        raise DeckError([_too_big(len(raw))], source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DeckError([_not_utf8(raw, error.start)], source) from None
    return load_deck_text(text, source)


def _too_big(size):
    """The problem for a file over `MAX_DECK_BYTES`."""
    return DeckProblem((), f"the file is too large: {size:,} bytes, at most {MAX_DECK_BYTES:,}")


def _not_utf8(raw, index):
    """The problem for bytes that are not UTF-8, located at the first bad byte."""
    line_start = raw.rfind(b"\n", 0, index) + 1
    line = raw.count(b"\n", 0, index) + 1
    column = len(raw[line_start:index].decode("utf-8", "replace")) + 1
    message = f"the file is not UTF-8 text (byte 0x{raw[index]:02x}); save it as UTF-8"
    return DeckProblem((), message, line, column)


def _from_yaml(problem):
    """A `YamlProblem` as a `DeckProblem`."""
    return DeckProblem(problem.path, problem.message, problem.line, problem.column)


def _validated(data, source, positions, problems):
    """Check `data` on top of `problems` found earlier; return the `Deck` or raise with them all."""
    checker = _Checker(positions, problems)
    deck = _check_deck(checker, data)
    if checker.problems:
        # In file order, as an editor lists them; without positions the order of discovery stays.
        ordered = sorted(checker.problems, key=lambda p: (p.line or 0, p.column or 0))
        raise DeckError(ordered, source)
    return deck


class _Checker:
    """Collects problems, locating each in the file when positions are known."""

    def __init__(self, positions, problems):
        self.positions = positions
        self.problems = list(problems)
        # Paths an unknown key was taken for (`titel` -> `title`): that key is not also missing.
        self.suggested = set()

    def report(self, path, message, *, at_key=False):
        """Record `message` about `path`, placed at its key, its value, or else its parent."""
        self.problems.append(DeckProblem(tuple(path), message, *self.locate(path, at_key)))

    def locate(self, path, at_key=False):
        """Where `path` is in the file as (line, column); (None, None) without positions."""
        path = tuple(path)
        if at_key and (*path, KEY) in self.positions:
            return self.positions[(*path, KEY)]
        # A missing field has no position of its own: the mapping that lacks it is the place.
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, (None, None))


# The checks below return the checked value, or None after reporting a problem.


def _check_deck(ck, data):
    """Check a whole deck; return the `Deck` or None."""
    if not isinstance(data, dict):
        what = _kind(data)
        ck.report((), f"a deck must be a mapping with `title`, `language` and `cards`, not {what}")
        return None
    _unknown_keys(ck, data, (), DECK_KEYS, "the deck")
    title = _field_text(ck, data, (), "title", TITLE_MAX, why="every deck needs a title")
    language = _language(ck, data)
    description = _field_text(ck, data, (), "description", DESCRIPTION_MAX)
    categories, defined = _categories(ck, data)
    cards = _cards(ck, data, defined, language or "en")
    if None in (title, language, description, categories, cards):
        return None
    return Deck(title, language, description, categories, cards)


def _language(ck, data):
    """The deck's two-letter language code."""
    why = "every deck needs a language, a two-letter code such as `en` or `nl`"
    language = _field_text(ck, data, (), "language", None, why=why)
    if language and not re.match(LANGUAGE_PATTERN, language):
        ck.report(
            ("language",),
            "`language` must be a two-letter code in lowercase, such as `en` or `nl`; "
            f"this is `{language}`",
        )
        return None
    return language


def _categories(ck, data):
    """The categories, and the set of ids cards may use (None when that is unknowable)."""
    raw = data.get("categories")
    if raw is None:
        return (), set()
    if not isinstance(raw, dict):
        what = _kind(raw)
        ck.report(
            ("categories",), f"`categories` must be a mapping of ids to a `label`, not {what}"
        )
        return None, None
    checked = [_category(ck, cat_id, entry) for cat_id, entry in raw.items()]
    categories = None if None in checked else tuple(checked)
    return categories, set(raw)


def _category(ck, cat_id, entry):
    """One category under `categories`."""
    path = ("categories", cat_id)
    valid_id = _valid_id(ck, cat_id, path, "category id", at_key=True)
    if not isinstance(entry, dict):
        what = _kind(entry)
        ck.report(path, f"category `{cat_id}` must be a mapping with a `label`, not {what}")
        return None
    _unknown_keys(ck, entry, path, CATEGORY_KEYS, f"category `{cat_id}`")
    label = _field_text(ck, entry, path, "label", LABEL_MAX, why="every category needs a label")
    colour = _colour(ck, entry, path)
    if None in (valid_id, label, colour):
        return None
    return Category(cat_id, label, colour or None)


def _colour(ck, entry, path):
    """An optional "#rrggbb" colour, kept in lowercase."""
    path = (*path, "colour")
    if "colour" in entry and entry["colour"] is None:
        # Almost always `colour: #2f6f9f` without quotes: YAML reads `#...` as a comment.
        ck.report(path, '`colour` is empty; write it in quotes, like `"#2f6f9f"`', at_key=True)
        return None
    colour = _field_text(ck, entry, path[:-1], "colour", None)
    if colour and not re.match(COLOUR_PATTERN, colour):
        message = f'`colour` must be `#` and six hex digits, like `"#2f6f9f"`; this is `{colour}`'
        ck.report(path, message)
        return None
    return colour.lower() if colour else colour


def _cards(ck, data, defined, language):
    """The list of cards, each checked, with ids unique in the deck."""
    why = f"every deck needs a list of {CARDS_MIN} to {CARDS_MAX} cards"
    raw = data.get("cards")
    if raw is None:
        if "cards" in data:
            ck.report(("cards",), f"`cards` is empty: {why}", at_key=True)
        else:
            _report_missing(ck, ("cards",), why)
        return None
    if not isinstance(raw, list):
        ck.report(("cards",), f"`cards` must be a list of cards, not {_kind(raw)}")
        return None
    ok = True
    if not CARDS_MIN <= len(raw) <= CARDS_MAX:
        message = f"`cards` needs {CARDS_MIN} to {CARDS_MAX} cards; this has {len(raw)}"
        ck.report(("cards",), message)
        ok = False
    cards = [_card(ck, entry, ("cards", i), defined, language) for i, entry in enumerate(raw)]
    ok = _unique_ids(ck, raw) and ok
    return tuple(cards) if ok and None not in cards else None


def _unique_ids(ck, raw):
    """Report every card whose id an earlier card already has; True when ids are unique."""
    first = {}
    unique = True
    for index, entry in enumerate(raw):
        card_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(card_id, str) or not card_id.strip():
            continue  # a missing or broken id is reported by the card itself
        card_id = card_id.strip()
        if card_id not in first:
            first[card_id] = index
            continue
        earlier = first[card_id]
        line = ck.locate(("cards", earlier, "id"))[0]
        where = f"line {line}" if line else f"card {earlier + 1}"
        ck.report(("cards", index, "id"), f"card id `{card_id}` is used twice (first at {where})")
        unique = False
    return unique


def _card(ck, raw, path, defined, language):
    """One card."""
    if not isinstance(raw, dict):
        what = _kind(raw)
        ck.report(
            path, f"card {path[-1] + 1} must be a mapping with `id`, `title` and `text`, not {what}"
        )
        return None
    _unknown_keys(ck, raw, path, CARD_KEYS, "card", elsewhere=("response", RESPONSE_KEYS))
    card_id = _field_text(ck, raw, path, "id", None, why="every card needs an id, like `my-card`")
    if card_id:
        card_id = _valid_id(ck, card_id, (*path, "id"), "card id")
    title = _field_text(ck, raw, path, "title", TITLE_MAX, why="every card needs a title")
    category = _category_ref(ck, raw, path, defined)
    text = _field_text(
        ck, raw, path, "text", TEXT_MAX, why="every card needs the dilemma as `text`"
    )
    response = _response(ck, raw, path, language)
    prompts = _text_list(
        ck,
        raw,
        path,
        "prompts",
        item="prompt",
        limit=PROMPT_MAX,
        count=(0, PROMPTS_MAX),
        count_message="`prompts` may hold at most {hi} questions; this has {n}",
    )
    reflection = _field_text(ck, raw, path, "reflection", REFLECTION_MAX)
    parts = (card_id, title, category, text, response, prompts, reflection)
    if None in parts:
        return None
    return Card(card_id, title, text, category or None, response, prompts, reflection)


def _valid_id(ck, value, path, name, *, at_key=False):
    """`value` if it is a valid id (lowercase letters, digits, dashes; at most 60)."""
    if isinstance(value, str) and re.match(ID_PATTERN, value):
        return value
    hint = _slugify(value)
    ck.report(
        path,
        f"{name} `{value}` may only hold lowercase letters, digits and dashes, start with a "
        "letter or digit, and be at most 60 characters" + (f"; try `{hint}`" if hint else ""),
        at_key=at_key,
    )
    return None


def _category_ref(ck, raw, path, defined):
    """The card's optional category, which must be defined under `categories`."""
    category = _field_text(ck, raw, path, "category", None)
    if not category or defined is None or category in defined:
        return category  # with broken `categories`, that problem is reported once, there
    if not defined:
        hint = "the deck has no `categories`"
    else:
        close = _suggestion(category, defined)
        hint = f"did you mean `{close}`?" if close else "defined: " + _listing(sorted(defined))
    message = f"`category: {category}` is not defined under `categories` ({hint})"
    ck.report((*path, "category"), message)
    return None


def _response(ck, card, path, language):
    """How people answer the card; a card without `response` is open."""
    path = (*path, "response")
    raw = card.get("response")
    if raw is None:
        return Response("open")
    if not isinstance(raw, dict):
        what = _kind(raw)
        ck.report(
            path, f"`response` must be a mapping with a `type` (choice, scale or open), not {what}"
        )
        return None
    _unknown_keys(ck, raw, path, RESPONSE_KEYS, "response")
    kind = _response_type(ck, raw, path)
    if kind is None:
        return None
    ok = _settings_fit(ck, raw, path, kind)
    if kind == "choice":
        options = _options(ck, raw, path)
        return Response("choice", options) if ok and options is not None else None
    if kind == "scale":
        labels = _text_list(
            ck,
            raw,
            path,
            "labels",
            item="label",
            limit=SCALE_LABEL_MAX,
            count=(SCALE_POINTS, SCALE_POINTS),
            count_message="`labels` needs exactly {lo} labels, from disagree to agree; this has {n}",
        )
        statement = _field_text(ck, raw, path, "statement", STATEMENT_MAX)
        if not ok or labels is None or statement is None:
            return None
        labels = labels or SCALE_LABELS.get(language, SCALE_LABELS["en"])
        return Response("scale", labels, statement)
    return Response("open") if ok else None


def _response_type(ck, raw, path):
    """`choice`, `scale` or `open` (the default)."""
    kind = _field_text(ck, raw, path, "type", None)
    if kind is None or kind == "":
        return None if kind is None else "open"
    if kind in RESPONSE_TYPES:
        return kind
    close = _suggestion(kind, RESPONSE_TYPES)
    message = f"`type` must be `choice`, `scale` or `open`, not `{kind}`"
    ck.report((*path, "type"), message + (f" (did you mean `{close}`?)" if close else ""))
    return None


def _settings_fit(ck, raw, path, kind):
    """Report settings that belong to another response type; True when there are none."""
    owners = {"options": "choice", "labels": "scale", "statement": "scale"}
    ok = True
    for key, owner in owners.items():
        if key in raw and owner != kind:
            given = f"this response is `{kind}`" if "type" in raw else "without `type` it is `open`"
            ck.report((*path, key), f"`{key}` only goes with `type: {owner}`; {given}", at_key=True)
            ok = False
    return ok


def _options(ck, raw, path):
    """The 2 to 6 distinct options of a choice."""
    options = _text_list(
        ck,
        raw,
        path,
        "options",
        item="option",
        limit=OPTION_MAX,
        count=(OPTIONS_MIN, OPTIONS_MAX),
        count_message="`options` needs {lo} to {hi} choices; this has {n}",
        why=f"a `choice` response needs {OPTIONS_MIN} to {OPTIONS_MAX} options",
    )
    if not options:
        return options
    first = {}
    distinct = True
    for index, option in enumerate(options):
        if option in first:
            message = f"option {index + 1} repeats option {first[option] + 1} (`{option}`)"
            ck.report((*path, "options", index), message)
            distinct = False
        first.setdefault(option, index)
    return options if distinct else None


def _field_text(ck, mapping, path, key, limit, *, why=None):
    """The trimmed text at `mapping[key]`; "" when absent or empty and optional (`why` is None)."""
    if key not in mapping:
        if why is None:
            return ""
        _report_missing(ck, (*path, key), why)
        return None
    return _text(ck, mapping[key], (*path, key), f"`{key}`", limit, why=why, at_key=True)


def _report_missing(ck, path, why):
    """Report a missing required field, unless a misspelt key was already taken for it."""
    if path not in ck.suggested:
        ck.report(path, f"missing `{path[-1]}`: {why}")


def _text(ck, value, path, name, limit, *, why=None, at_key=False):
    """Trim and check one text; `why` (even "") makes it required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if why is None:
            return ""
        ck.report(path, f"{name} is empty" + (f": {why}" if why else ""), at_key=at_key)
        return None
    if not isinstance(value, str):
        ck.report(path, f"{name} must be text, not {_kind(value)}")
        return None
    value = value.strip()
    if limit is not None and len(value) > limit:
        ck.report(path, f"{name} is too long: {len(value)} characters, at most {limit}")
        return None
    return value


def _text_list(ck, mapping, path, key, *, item, limit, count, count_message, why=None):
    """A tuple of trimmed texts at `mapping[key]`, () when absent and optional."""
    path = (*path, key)
    value = mapping.get(key)
    if value is None:
        if why is None:
            return ()
        if key in mapping:
            ck.report(path, f"`{key}` is empty: {why}", at_key=True)
        else:
            _report_missing(ck, path, why)
        return None
    if not isinstance(value, list):
        ck.report(path, f"`{key}` must be a list of texts, not {_kind(value)}")
        return None
    texts = [
        _text(ck, v, (*path, i), f"{item} {i + 1}", limit, why="") for i, v in enumerate(value)
    ]
    lo, hi = count
    if not lo <= len(value) <= hi:
        ck.report(path, count_message.format(lo=lo, hi=hi, n=len(value)))
        return None
    return None if None in texts else tuple(texts)


def _unknown_keys(ck, mapping, path, allowed, where, elsewhere=None):
    """Report keys not in `allowed`, suggesting the likely intended key.

    `elsewhere` is (parent, keys) for keys that belong one level down, such as a card's
    `options`, which go under `response`.
    """
    parent, nested = elsewhere or ("", ())
    for key in mapping:
        if key in allowed:
            continue
        if key in nested:
            message = f"`{key}` belongs under `{parent}`, not directly in the {where}"
        elif close := _suggestion(key, allowed):
            message = f"unknown key `{key}` in {where}: did you mean `{close}`?"
            ck.suggested.add((*path, close))
        elif close := _suggestion(key, nested):
            message = f"unknown key `{key}` in {where}: did you mean `{close}` (under `{parent}`)?"
        else:
            message = f"unknown key `{key}` in {where}; the keys are {_listing(allowed)}"
        ck.report((*path, key), message, at_key=True)


def _kind(value):
    """What `value` is, in words for a "must be ..., not ..." message."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "empty" if value is None else f"a {type(value).__name__}"


def _listing(words):
    """`a`, `b`, `c` for messages."""
    return ", ".join(f"`{w}`" for w in words)


def _suggestion(word, choices):
    """The one of `choices` that `word` is most likely a typo of, or None."""
    matches = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return matches[0] if matches else None


def _slugify(value):
    """A valid id close to `value`, suggested when an id breaks the rules."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    return slug[:60].rstrip("-")


def deck_schema():
    """The deck format as a JSON Schema (draft-07, which editors' YAML extensions understand).

    Built from the same limits as the validator. A schema cannot check that card ids are unique
    or that a card's category is defined; the validator does.
    """
    category = _object(
        "A category: a label, and a colour for its cards.",
        {
            "label": _text_schema(f"Shown on the cards, up to {LABEL_MAX} characters.", LABEL_MAX),
            "colour": {
                "type": "string",
                "description": 'A colour as "#rrggbb"; quote it, because # starts a comment.',
                "pattern": COLOUR_PATTERN,
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
                    f"The deck's title, up to {TITLE_MAX} characters.", TITLE_MAX
                ),
                "language": {
                    "type": "string",
                    "description": "The deck's language, a two-letter code such as en or nl.",
                    "pattern": LANGUAGE_PATTERN,
                },
                "description": _text_schema(
                    f"What the deck is for, up to {DESCRIPTION_MAX} characters.",
                    DESCRIPTION_MAX,
                    required=False,
                ),
                "categories": {
                    "type": "object",
                    "description": "Categories cards may refer to, by id.",
                    "propertyNames": {"pattern": ID_PATTERN},
                    "additionalProperties": category,
                },
                "cards": {
                    "type": "array",
                    "description": f"The dilemma cards, {CARDS_MIN} to {CARDS_MAX}.",
                    "minItems": CARDS_MIN,
                    "maxItems": CARDS_MAX,
                    "items": _card_schema(),
                },
            },
            required=["title", "language", "cards"],
        ),
    }


def _card_schema():
    """The JSON Schema of one card."""
    return _object(
        "One dilemma card.",
        {
            "id": {
                "type": "string",
                "description": "Unique in the deck: lowercase letters, digits and dashes.",
                "pattern": ID_PATTERN,
            },
            "title": _text_schema(f"The card's title, up to {TITLE_MAX} characters.", TITLE_MAX),
            "category": {
                "type": "string",
                "description": "The id of one of the deck's categories.",
                "pattern": ID_PATTERN,
            },
            "text": _text_schema(f"The dilemma, up to {TEXT_MAX} characters.", TEXT_MAX),
            "response": _response_schema(),
            "prompts": _texts_schema(
                f"Up to {PROMPTS_MAX} questions to guide the talk.",
                f"A question, up to {PROMPT_MAX} characters.",
                PROMPT_MAX,
                0,
                PROMPTS_MAX,
            ),
            "reflection": _text_schema(
                f"Commentary or tips shown after the votes are revealed, up to {REFLECTION_MAX} "
                "characters.",
                REFLECTION_MAX,
                required=False,
            ),
        },
        required=["id", "title", "text"],
    )


def _response_schema():
    """The JSON Schema of a card's response, with the settings each type allows."""
    schema = _object(
        "How people answer: choose an option, agree on a scale, or talk only (open).",
        {
            "type": {
                "description": "choice: pick one option; scale: 5 points from disagree to agree; "
                "open: notes only (the default).",
                "enum": list(RESPONSE_TYPES),
                "default": "open",
            },
            "options": _texts_schema(
                f"For choice: {OPTIONS_MIN} to {OPTIONS_MAX} different options.",
                f"An option, up to {OPTION_MAX} characters.",
                OPTION_MAX,
                OPTIONS_MIN,
                OPTIONS_MAX,
            ),
            "statement": _text_schema(
                f"For scale: the statement people agree or disagree with, up to {STATEMENT_MAX} "
                "characters.",
                STATEMENT_MAX,
                required=False,
            ),
            "labels": _texts_schema(
                f"For scale: exactly {SCALE_POINTS} labels from disagree to agree; by default "
                "they come from the deck's language.",
                f"A label, up to {SCALE_LABEL_MAX} characters.",
                SCALE_LABEL_MAX,
                SCALE_POINTS,
                SCALE_POINTS,
            ),
        },
    )
    schema["properties"]["options"]["uniqueItems"] = True
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


def _object(description, properties, required=()):
    """A closed JSON Schema object."""
    schema = {"type": "object", "description": description}
    if required:
        schema["required"] = list(required)
    schema["additionalProperties"] = False
    schema["properties"] = properties
    return schema


def _text_schema(description, limit, *, required=True):
    """A text of at most `limit` characters; a required one must hold more than spaces."""
    schema = {"type": "string", "description": description, "maxLength": limit}
    if required:
        schema.update(minLength=1, pattern=r"\S")
    return schema


def _texts_schema(description, item_description, limit, least, most):
    """A list of `least` to `most` required texts."""
    return {
        "type": "array",
        "description": description,
        "minItems": least,
        "maxItems": most,
        "items": _text_schema(item_description, limit),
    }
