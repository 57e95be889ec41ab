"""The checks behind `parse_deck`: every rule of docs/decks.md, every problem reported at once.

Each check returns the checked value, or None after reporting a problem to the `Checker`, which
places it in the file (at the key, the value, or the mapping that lacks a field).
"""

import difflib
import re

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
from .yamlsafe import KEY


class Checker:
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


def check_deck(ck, data):
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
