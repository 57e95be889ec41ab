"""The checks behind `parse_deck`: every rule of docs/decks.md, every problem reported at once.

Each check returns the checked value, or None after reporting a problem to the `Checker`, which
places it in the file (at the key, the value, or the mapping that lacks a field).
"""

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import TypeGuard, TypeVar

from ..errors import N_
from ..jsontypes import JSON
from .messages import KINDS, Message, N_plural
from .model import (
    CARD_KEYS,
    CARDS_MAX,
    CARDS_MIN,
    CATEGORY_KEYS,
    COLOUR_PATTERN,
    DECK_KEYS,
    DESCRIPTION_MAX,
    ID_PATTERN,
    LABEL_MAX,
    LANGUAGE_PATTERN,
    OPTION_MAX,
    OPTIONS_MAX,
    OPTIONS_MIN,
    PROMPT_MAX,
    PROMPTS_MAX,
    REFLECTION_MAX,
    RESPONSE_KEYS,
    RESPONSE_TYPES,
    ROUNDS_MAX,
    ROUNDS_MIN,
    SCALE_LABEL_MAX,
    SCALE_LABELS,
    SCALE_POINTS,
    STATEMENT_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Card,
    Category,
    Deck,
    DeckProblem,
    Response,
)
from .yamlsafe import KEY, DataPath, Positions

T = TypeVar("T")
Mapping = dict[str, JSON]  # a mapping in deck data, as YAML or JSON gives it


class Checker:
    """Collects problems, locating each in the file when positions are known."""

    def __init__(self, positions: Positions, problems: Iterable[DeckProblem]) -> None:
        self.positions = positions
        self.problems = list(problems)
        # Paths an unknown key was taken for (`titel` -> `title`): that key is not also missing.
        self.suggested: set[DataPath] = set()

    def report(self, path: Iterable[str | int], message: str, *, at_key: bool = False) -> None:
        """Record `message` about `path`, placed at its key, its value, or else its parent."""
        self.problems.append(DeckProblem(tuple(path), message, *self.locate(path, at_key)))

    def locate(
        self, path: Iterable[str | int], at_key: bool = False
    ) -> tuple[int | None, int | None]:
        """Where `path` is in the file as (line, column); (None, None) without positions."""
        path = tuple(path)
        if at_key and (*path, KEY) in self.positions:
            return self.positions[(*path, KEY)]
        # A missing field has no position of its own: the mapping that lacks it is the place.
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, (None, None))


# The checks below return the checked value, or None after reporting a problem.


def _complete(values: Sequence[T | None]) -> TypeGuard[Sequence[T]]:
    """True when every one of `values` passed its check (none is None)."""
    return None not in values


def check_deck(ck: Checker, data: JSON) -> Deck | None:
    """Check a whole deck; return the `Deck` or None."""
    if not isinstance(data, dict):
        message = N_("a deck must be a mapping with `title`, `language` and `cards`, not %(what)s")
        ck.report((), Message(message, what=_kind(data)))
        return None
    _unknown_keys(ck, data, (), DECK_KEYS, Message(N_("the deck")))
    why = Message(N_("every deck needs a title"))
    title = _field_text(ck, data, (), "title", TITLE_MAX, why=why)
    language = _language(ck, data)
    description = _field_text(ck, data, (), "description", DESCRIPTION_MAX)
    categories, defined = _categories(ck, data)
    cards = _cards(ck, data, defined, language or "en")
    rounds = _rounds(ck, data, ())
    if title is None or language is None or description is None:
        return None
    if categories is None or cards is None or rounds is False:
        return None
    return Deck(title, language, description, categories, cards, rounds)


def check_card(ck: Checker, data: JSON, language: str) -> Card | None:
    """Check one card on its own (a dilemma written during a session), as the first card of a
    deck in `language` without categories; return the `Card` or None."""
    return _card(ck, data, ("cards", 0), set(), language)


def _rounds(ck: Checker, mapping: Mapping, path: DataPath) -> int | None | bool:
    """`rounds`: how many vote rounds (ROUNDS_MIN to ROUNDS_MAX); None when absent, False after
    reporting a problem."""
    if "rounds" not in mapping:
        return None
    value = mapping["rounds"]
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 4:
        value = int(value.strip())  # YAML gives every value as text: `rounds: 2` is "2"
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not ROUNDS_MIN <= value <= ROUNDS_MAX
    ):
        message = N_("`rounds` must be a whole number from %(lo)s to %(hi)s, not %(value)s")
        ck.report(
            (*path, "rounds"),
            Message(message, lo=ROUNDS_MIN, hi=ROUNDS_MAX, value=str(value)),
        )
        return False
    return value


def _language(ck: Checker, data: Mapping) -> str | None:
    """The deck's two-letter language code."""
    why = Message(N_("every deck needs a language, a two-letter code such as `en` or `nl`"))
    language = _field_text(ck, data, (), "language", None, why=why)
    if language and not re.match(LANGUAGE_PATTERN, language):
        message = N_(
            "`language` must be a two-letter code in lowercase, such as `en` or `nl`; "
            "this is `%(value)s`"
        )
        ck.report(("language",), Message(message, value=language))
        return None
    return language


def _categories(ck: Checker, data: Mapping) -> tuple[tuple[Category, ...] | None, set[str] | None]:
    """The categories, and the set of ids cards may use (None when that is unknowable)."""
    raw = data.get("categories")
    if raw is None:
        return (), set()
    if not isinstance(raw, dict):
        message = N_("`categories` must be a mapping of ids to a `label`, not %(what)s")
        ck.report(("categories",), Message(message, what=_kind(raw)))
        return None, None
    checked = [_category(ck, cat_id, entry) for cat_id, entry in raw.items()]
    categories = tuple(checked) if _complete(checked) else None
    return categories, set(raw)


def _category(ck: Checker, cat_id: str, entry: JSON) -> Category | None:
    """One category under `categories`."""
    path = ("categories", cat_id)
    valid_id = _valid_id(ck, cat_id, path, Message(N_("category id")), at_key=True)
    if not isinstance(entry, dict):
        message = N_("category `%(id)s` must be a mapping with a `label`, not %(what)s")
        ck.report(path, Message(message, id=cat_id, what=_kind(entry)))
        return None
    _unknown_keys(ck, entry, path, CATEGORY_KEYS, Message(N_("category `%(id)s`"), id=cat_id))
    why = Message(N_("every category needs a label"))
    label = _field_text(ck, entry, path, "label", LABEL_MAX, why=why)
    colour = _colour(ck, entry, path)
    if valid_id is None or label is None or colour is None:
        return None
    return Category(cat_id, label, colour or None)


def _colour(ck: Checker, entry: Mapping, path: DataPath) -> str | None:
    """An optional "#rrggbb" colour, kept in lowercase."""
    path = (*path, "colour")
    if "colour" in entry and entry["colour"] is None:
        # Almost always `colour: #2f6f9f` without quotes: YAML reads `#...` as a comment.
        message: str = Message(N_('`colour` is empty; write it in quotes, like `"#2f6f9f"`'))
        ck.report(path, message, at_key=True)
        return None
    colour = _field_text(ck, entry, path[:-1], "colour", None)
    if colour and not re.match(COLOUR_PATTERN, colour):
        message = N_(
            '`colour` must be `#` and six hex digits, like `"#2f6f9f"`; this is `%(value)s`'
        )
        ck.report(path, Message(message, value=colour))
        return None
    return colour.lower() if colour else colour


def _cards(
    ck: Checker, data: Mapping, defined: set[str] | None, language: str
) -> tuple[Card, ...] | None:
    """The list of cards, each checked, with ids unique in the deck."""
    why = Message(
        N_("every deck needs a list of %(lo)s to %(hi)s cards"), lo=CARDS_MIN, hi=CARDS_MAX
    )
    raw = data.get("cards")
    if raw is None:
        if "cards" in data:
            ck.report(("cards",), Message(N_("`cards` is empty: %(why)s"), why=why), at_key=True)
        else:
            _report_missing(ck, ("cards",), why)
        return None
    if not isinstance(raw, list):
        message = N_("`cards` must be a list of cards, not %(what)s")
        ck.report(("cards",), Message(message, what=_kind(raw)))
        return None
    ok = True
    if not CARDS_MIN <= len(raw) <= CARDS_MAX:
        forms = N_plural(
            "`cards` needs %(lo)s to %(hi)s cards; this has %(num)d card",
            "`cards` needs %(lo)s to %(hi)s cards; this has %(num)d cards",
        )
        ck.report(("cards",), Message(*forms, lo=CARDS_MIN, hi=CARDS_MAX, num=len(raw)))
        ok = False
    cards = [_card(ck, entry, ("cards", i), defined, language) for i, entry in enumerate(raw)]
    ok = _unique_ids(ck, raw) and ok
    return tuple(cards) if ok and _complete(cards) else None


def _unique_ids(ck: Checker, raw: list[JSON]) -> bool:
    """Report every card whose id an earlier card already has; True when ids are unique."""
    first: dict[str, int] = {}
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
        if line:
            where = Message(N_("line %(line)s"), line=line)
        else:
            where = Message(N_("card %(number)s"), number=earlier + 1)
        message = N_("card id `%(id)s` is used twice (first at %(where)s)")
        ck.report(("cards", index, "id"), Message(message, id=card_id, where=where))
        unique = False
    return unique


def _card(
    ck: Checker, raw: JSON, path: tuple[str, int], defined: set[str] | None, language: str
) -> Card | None:
    """One card."""
    if not isinstance(raw, dict):
        message = N_(
            "card %(number)s must be a mapping with `id`, `title` and `text`, not %(what)s"
        )
        ck.report(path, Message(message, number=path[-1] + 1, what=_kind(raw)))
        return None
    _unknown_keys(
        ck, raw, path, CARD_KEYS, Message(N_("card")), elsewhere=("response", RESPONSE_KEYS)
    )
    why = Message(N_("every card needs an id, like `my-card`"))
    card_id = _field_text(ck, raw, path, "id", None, why=why)
    if card_id:
        card_id = _valid_id(ck, card_id, (*path, "id"), Message(N_("card id")))
    why = Message(N_("every card needs a title"))
    title = _field_text(ck, raw, path, "title", TITLE_MAX, why=why)
    category = _category_ref(ck, raw, path, defined)
    why = Message(N_("every card needs the dilemma as `text`"))
    text = _field_text(ck, raw, path, "text", TEXT_MAX, why=why)
    response = _response(ck, raw, path, language)
    prompts = _text_list(
        ck,
        raw,
        path,
        "prompts",
        item=N_("prompt %(number)s"),
        limit=PROMPT_MAX,
        count=(0, PROMPTS_MAX),
        count_message=N_plural(
            "`prompts` may hold at most %(hi)s questions; this has %(num)d question",
            "`prompts` may hold at most %(hi)s questions; this has %(num)d questions",
        ),
    )
    reflection = _field_text(ck, raw, path, "reflection", REFLECTION_MAX)
    rounds = _rounds(ck, raw, path)
    if card_id is None or title is None or category is None or text is None:
        return None
    if response is None or prompts is None or reflection is None or rounds is False:
        return None
    return Card(card_id, title, text, category or None, response, prompts, reflection, rounds)


def _valid_id(
    ck: Checker, value: object, path: DataPath, name: str, *, at_key: bool = False
) -> str | None:
    """`value` if it is a valid id (lowercase letters, digits, dashes; at most 60)."""
    if isinstance(value, str) and re.match(ID_PATTERN, value):
        return value
    hint = _slugify(value)
    if hint:
        message = N_(
            "%(name)s `%(value)s` may only hold lowercase letters, digits and dashes, start with "
            "a letter or digit, and be at most 60 characters; try `%(hint)s`"
        )
    else:
        message = N_(
            "%(name)s `%(value)s` may only hold lowercase letters, digits and dashes, start with "
            "a letter or digit, and be at most 60 characters"
        )
    ck.report(path, Message(message, name=name, value=value, hint=hint), at_key=at_key)
    return None


def _category_ref(
    ck: Checker, raw: Mapping, path: DataPath, defined: set[str] | None
) -> str | None:
    """The card's optional category, which must be defined under `categories`."""
    category = _field_text(ck, raw, path, "category", None)
    if not category or defined is None or category in defined:
        return category  # with broken `categories`, that problem is reported once, there
    if not defined:
        hint = Message(N_("the deck has no `categories`"))
    elif close := _suggestion(category, defined):
        hint = Message(N_("did you mean `%(key)s`?"), key=close)
    else:
        hint = Message(N_("defined: %(keys)s"), keys=_listing(sorted(defined)))
    message = N_("`category: %(value)s` is not defined under `categories` (%(hint)s)")
    ck.report((*path, "category"), Message(message, value=category, hint=hint))
    return None


def _response(ck: Checker, card: Mapping, path: DataPath, language: str) -> Response | None:
    """How people answer the card; a card without `response` is open."""
    path = (*path, "response")
    raw = card.get("response")
    if raw is None:
        return Response("open")
    if not isinstance(raw, dict):
        message = N_(
            "`response` must be a mapping with a `type` (choice, scale or open), not %(what)s"
        )
        ck.report(path, Message(message, what=_kind(raw)))
        return None
    _unknown_keys(ck, raw, path, RESPONSE_KEYS, Message(N_("response")))
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
            item=N_("label %(number)s"),
            limit=SCALE_LABEL_MAX,
            count=(SCALE_POINTS, SCALE_POINTS),
            count_message=N_plural(
                "`labels` needs exactly %(lo)s labels, from disagree to agree; this has %(num)d label",
                "`labels` needs exactly %(lo)s labels, from disagree to agree; this has %(num)d labels",
            ),
        )
        statement = _field_text(ck, raw, path, "statement", STATEMENT_MAX)
        if not ok or labels is None or statement is None:
            return None
        labels = labels or SCALE_LABELS.get(language, SCALE_LABELS["en"])
        return Response("scale", labels, statement)
    return Response("open") if ok else None


def _response_type(ck: Checker, raw: Mapping, path: DataPath) -> str | None:
    """`choice`, `scale` or `open` (the default)."""
    kind = _field_text(ck, raw, path, "type", None)
    if kind is None or kind == "":
        return None if kind is None else "open"
    if kind in RESPONSE_TYPES:
        return kind
    close = _suggestion(kind, RESPONSE_TYPES)
    if close:
        message = N_(
            "`type` must be `choice`, `scale` or `open`, not `%(value)s` (did you mean `%(key)s`?)"
        )
    else:
        message = N_("`type` must be `choice`, `scale` or `open`, not `%(value)s`")
    ck.report((*path, "type"), Message(message, value=kind, key=close))
    return None


def _settings_fit(ck: Checker, raw: Mapping, path: DataPath, kind: str) -> bool:
    """Report settings that belong to another response type; True when there are none."""
    owners = {"options": "choice", "labels": "scale", "statement": "scale"}
    ok = True
    for key, owner in owners.items():
        if key in raw and owner != kind:
            if "type" in raw:
                given = Message(N_("this response is `%(type)s`"), type=kind)
            else:
                given = Message(N_("without `type` it is `open`"))
            message = Message(
                N_("`%(key)s` only goes with `type: %(owner)s`; %(given)s"),
                key=key,
                owner=owner,
                given=given,
            )
            ck.report((*path, key), message, at_key=True)
            ok = False
    return ok


def _options(ck: Checker, raw: Mapping, path: DataPath) -> tuple[str, ...] | None:
    """The 2 to 6 distinct options of a choice."""
    options = _text_list(
        ck,
        raw,
        path,
        "options",
        item=N_("option %(number)s"),
        limit=OPTION_MAX,
        count=(OPTIONS_MIN, OPTIONS_MAX),
        count_message=N_plural(
            "`options` needs %(lo)s to %(hi)s choices; this has %(num)d choice",
            "`options` needs %(lo)s to %(hi)s choices; this has %(num)d choices",
        ),
        why=Message(
            N_("a `choice` response needs %(lo)s to %(hi)s options"), lo=OPTIONS_MIN, hi=OPTIONS_MAX
        ),
    )
    if not options:
        return options
    first: dict[str, int] = {}
    distinct = True
    for index, option in enumerate(options):
        if option in first:
            message = N_("option %(number)s repeats option %(first)s (`%(value)s`)")
            message = Message(message, number=index + 1, first=first[option] + 1, value=option)
            ck.report((*path, "options", index), message)
            distinct = False
        first.setdefault(option, index)
    return options if distinct else None


def _field_text(
    ck: Checker,
    mapping: Mapping,
    path: DataPath,
    key: str,
    limit: int | None,
    *,
    why: str | None = None,
) -> str | None:
    """The trimmed text at `mapping[key]`; "" when absent or empty and optional (`why` is None)."""
    if key not in mapping:
        if why is None:
            return ""
        _report_missing(ck, (*path, key), why)
        return None
    return _text(ck, mapping[key], (*path, key), f"`{key}`", limit, why=why, at_key=True)


def _report_missing(ck: Checker, path: DataPath, why: str) -> None:
    """Report a missing required field, unless a misspelt key was already taken for it."""
    if path not in ck.suggested:
        ck.report(path, Message(N_("missing `%(key)s`: %(why)s"), key=path[-1], why=why))


def _text(
    ck: Checker,
    value: JSON,
    path: DataPath,
    name: str,
    limit: int | None,
    *,
    why: str | None = None,
    at_key: bool = False,
) -> str | None:
    """Trim and check one text; `why` (even "") makes it required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if why is None:
            return ""
        message: str
        if why:
            message = Message(N_("%(name)s is empty: %(why)s"), name=name, why=why)
        else:
            message = Message(N_("%(name)s is empty"), name=name)
        ck.report(path, message, at_key=at_key)
        return None
    if not isinstance(value, str):
        message = N_("%(name)s must be text, not %(what)s")
        ck.report(path, Message(message, name=name, what=_kind(value)))
        return None
    value = value.strip()
    if limit is not None and len(value) > limit:
        forms = N_plural(
            "%(name)s is too long: %(num)d character, at most %(limit)s",
            "%(name)s is too long: %(num)d characters, at most %(limit)s",
        )
        ck.report(path, Message(*forms, name=name, num=len(value), limit=limit))

        return None
    return value


def _text_list(
    ck: Checker,
    mapping: Mapping,
    path: DataPath,
    key: str,
    *,
    item: str,
    limit: int,
    count: tuple[int, int],
    count_message: tuple[str, str],
    why: str | None = None,
) -> tuple[str, ...] | None:
    """A tuple of trimmed texts at `mapping[key]`, () when absent and optional."""
    path = (*path, key)
    value = mapping.get(key)
    if value is None:
        if why is None:
            return ()
        if key in mapping:
            ck.report(
                path, Message(N_("`%(key)s` is empty: %(why)s"), key=key, why=why), at_key=True
            )
        else:
            _report_missing(ck, path, why)
        return None
    if not isinstance(value, list):
        message = N_("`%(key)s` must be a list of texts, not %(what)s")
        ck.report(path, Message(message, key=key, what=_kind(value)))
        return None
    texts = [
        _text(ck, v, (*path, i), Message(item, number=i + 1), limit, why="")
        for i, v in enumerate(value)
    ]
    lo, hi = count
    if not lo <= len(value) <= hi:
        ck.report(path, Message(*count_message, lo=lo, hi=hi, num=len(value)))
        return None
    return tuple(texts) if _complete(texts) else None


def _unknown_keys(
    ck: Checker,
    mapping: Mapping,
    path: DataPath,
    allowed: Sequence[str],
    where: str,
    elsewhere: tuple[str, Sequence[str]] | None = None,
) -> None:
    """Report keys not in `allowed`, suggesting the likely intended key.

    `elsewhere` is (parent, keys) for keys that belong one level down, such as a card's
    `options`, which go under `response`.
    """
    parent, nested = elsewhere or ("", ())
    for key in mapping:
        if key in allowed:
            continue
        args = {"key": key, "where": where, "parent": parent}
        close = None
        if key in nested:
            message = N_("`%(key)s` belongs under `%(parent)s`, not directly in the %(where)s")
        elif close := _suggestion(key, allowed):
            message = N_("unknown key `%(key)s` in %(where)s: did you mean `%(close)s`?")
            ck.suggested.add((*path, close))
        elif close := _suggestion(key, nested):
            message = N_(
                "unknown key `%(key)s` in %(where)s: did you mean `%(close)s` (under `%(parent)s`)?"
            )
        else:
            message = N_("unknown key `%(key)s` in %(where)s; the keys are %(keys)s")
        message = Message(message, **args, close=close, keys=_listing(allowed))
        ck.report((*path, key), message, at_key=True)


def _kind(value: object) -> str:
    """What `value` is, in words for a "must be ..., not ..." message."""
    if isinstance(value, dict):
        kind = "mapping"
    elif isinstance(value, list | tuple):
        kind = "list"
    elif isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, int | float):
        kind = "number"
    elif isinstance(value, str):
        kind = "text"
    elif value is None:
        kind = "empty"
    else:
        return f"a {type(value).__name__}"  # not from YAML or JSON: a programmer reads this
    return Message(KINDS[kind])


def _listing(words: Iterable[str]) -> str:
    """`a`, `b`, `c` for messages."""
    return ", ".join(f"`{w}`" for w in words)


def _suggestion(word: object, choices: Iterable[object]) -> str | None:
    """The one of `choices` that `word` is most likely a typo of, or None."""
    matches = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return matches[0] if matches else None


def _slugify(value: object) -> str:
    """A valid id close to `value`, suggested when an id breaks the rules."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    return slug[:60].rstrip("-")
