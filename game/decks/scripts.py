"""The checks of a deck's guidance: `steps` (the script a table works through a card with) and
`perspectives` (the roles members argue from), on the deck or on one card.

Both are lists an organiser writes by hand and a hostile file could make huge, so the size of a
list is checked before any of its items: a 10,000-step script is one problem, found at once,
not 10,000. Called by `game.decks.deck` after `game.decks.checks.check_deck`, on the same
`Checker`, so every problem of a file is still reported at once and in file order.
"""

import re
from dataclasses import replace
from typing import Literal

from ..errors import N_
from ..jsontypes import JSON
from .checks import Checker, Mapping, _field_text, _kind, _suggestion, _unknown_keys
from .messages import Message, N_plural
from .model import (
    INSTRUCTION_MAX,
    MINUTES_MAX,
    PERSPECTIVE_DESCRIPTION_MAX,
    PERSPECTIVE_KEYS,
    PERSPECTIVES_MAX,
    STEP_KEYS,
    STEP_KINDS,
    STEP_LABEL_MAX,
    STEPS_MAX,
    Deck,
    Perspective,
    Step,
)
from .yamlsafe import DataPath

# What a deck's guidance is, once checked: (steps, perspectives), None where not given.
Guidance = tuple[tuple[Step, ...] | None, tuple[Perspective, ...] | None]
_NUMBER = re.compile(r"^\d{1,3}(\.\d{1,2})?$")  # YAML gives numbers as text: "2", "1.5"
_VOTE_KINDS = ("vote", "round")


def check_guidance(ck: Checker, data: JSON) -> dict[int | None, Guidance] | None:
    """The steps and perspectives of the deck (key None) and of each card (its index), or None
    after reporting a problem. Data that is not a deck is left to `check_deck` to report."""
    if not isinstance(data, dict):
        return {}
    found: dict[int | None, Guidance] = {}
    deck = _guidance(ck, data, (), vote=True)
    ok = deck is not None
    found[None] = deck or (None, None)
    cards = data.get("cards")
    for index, card in enumerate(cards if isinstance(cards, list) else ()):
        if not isinstance(card, dict):
            continue
        checked = _guidance(ck, card, ("cards", index), vote=_votes(card))
        ok = ok and checked is not None
        found[index] = checked or (None, None)
    return found if ok else None


def with_guidance(deck: Deck, guidance: dict[int | None, Guidance]) -> Deck:
    """`deck` carrying the checked guidance (the deck's, and each card's own)."""
    steps, perspectives = guidance.get(None, (None, None))
    cards = tuple(
        replace(card, steps=guidance[i][0], perspectives=guidance[i][1]) if i in guidance else card
        for i, card in enumerate(deck.cards)
    )
    return replace(deck, steps=steps or (), perspectives=perspectives or (), cards=cards)


def _votes(card: Mapping) -> bool:
    """True when people vote on `card` (a choice or a scale; without `response` it is open)."""
    response = card.get("response")
    kind = response.get("type") if isinstance(response, dict) else None
    return kind in ("choice", "scale")


def _guidance(ck: Checker, mapping: Mapping, path: DataPath, vote: bool) -> Guidance | None:
    steps = _steps(ck, mapping, path, vote)
    perspectives = _perspectives(ck, mapping, path)
    if steps is False or perspectives is False:
        return None
    return steps, perspectives


def _sized_list(
    ck: Checker, mapping: Mapping, path: DataPath, key: str, most: int, forms: tuple[str, str]
) -> list[JSON] | None | Literal[False]:
    """`mapping[key]` as a list of at most `most` entries: None when absent (or empty in YAML:
    the default holds), False after reporting it is no list or too long (before looking inside)."""
    if mapping.get(key) is None:
        return None
    value = mapping[key]
    if not isinstance(value, list):
        message = N_("`%(key)s` must be a list, not %(what)s")
        ck.report((*path, key), Message(message, key=key, what=_kind(value)))
        return False
    if len(value) > most:
        ck.report((*path, key), Message(*forms, hi=most, num=len(value)))
        return False
    return value


def _steps(
    ck: Checker, mapping: Mapping, path: DataPath, vote: bool
) -> tuple[Step, ...] | None | Literal[False]:
    """The script: None when absent, () for ``steps: []`` (no script), False after a problem."""
    forms = N_plural(
        "`steps` may hold at most %(hi)s steps; this has %(num)d step",
        "`steps` may hold at most %(hi)s steps; this has %(num)d steps",
    )
    raw = _sized_list(ck, mapping, path, "steps", STEPS_MAX, forms)
    if raw is None or raw is False:
        return raw
    checked = [_step(ck, entry, (*path, "steps", i), vote) for i, entry in enumerate(raw)]
    steps = [step for step in checked if step is not None]
    return tuple(steps) if len(steps) == len(checked) else False


def _step(ck: Checker, entry: JSON, path: DataPath, vote: bool) -> Step | None:
    """One step: a label, an optional instruction, minutes and kind."""
    number = int(path[-1]) + 1
    if not isinstance(entry, dict):
        message = N_("step %(number)s must be a mapping with a `label`, not %(what)s")
        ck.report(path, Message(message, number=number, what=_kind(entry)))
        return None
    where = Message(N_("step %(number)s"), number=number)
    _unknown_keys(ck, entry, path, STEP_KEYS, where)
    why = Message(N_("every step needs a label, such as `Vote alone`"))
    label = _field_text(ck, entry, path, "label", STEP_LABEL_MAX, why=why)
    instruction = _field_text(ck, entry, path, "instruction", INSTRUCTION_MAX)
    minutes = _minutes(ck, entry, path)
    kind = _step_kind(ck, entry, path, vote)
    if label is None or instruction is None or minutes is False or kind is None:
        return None
    return Step(label, instruction, minutes, kind)


def _minutes(ck: Checker, entry: Mapping, path: DataPath) -> float | None | Literal[False]:
    """A step's suggested minutes (more than 0, at most MINUTES_MAX), None when absent."""
    value = entry.get("minutes")
    if value is None:
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.match(value.strip()):
        number = float(value.strip())
    if number is None or not 0 < number <= MINUTES_MAX:
        message = N_("`minutes` must be a number more than 0 and at most %(hi)s, not %(value)s")
        ck.report((*path, "minutes"), Message(message, hi=MINUTES_MAX, value=str(value)))
        return False
    return int(number) if number == int(number) else number


def _step_kind(ck: Checker, entry: Mapping, path: DataPath, vote: bool) -> str | None:
    """`talk` (the default), `vote`, `round` or `conclusion`; a vote on an open card is refused."""
    kind = _field_text(ck, entry, path, "kind", None)
    if kind is None:
        return None
    kind = kind or "talk"
    listing = ", ".join(f"`{k}`" for k in STEP_KINDS)
    if kind not in STEP_KINDS:
        close = _suggestion(kind, STEP_KINDS)
        if close:
            message = N_(
                "`kind` must be one of %(kinds)s, not `%(value)s` (did you mean `%(key)s`?)"
            )
        else:
            message = N_("`kind` must be one of %(kinds)s, not `%(value)s`")
        ck.report((*path, "kind"), Message(message, kinds=listing, value=kind, key=close))
        return None
    if kind in _VOTE_KINDS and not vote and "cards" in path:
        message = N_("a `%(kind)s` step needs a card people vote on; this card is open")
        ck.report((*path, "kind"), Message(message, kind=kind))
        return None
    return kind


def _perspectives(
    ck: Checker, mapping: Mapping, path: DataPath
) -> tuple[Perspective, ...] | None | Literal[False]:
    """The perspectives: None when absent, () for ``perspectives: []``, False after a problem."""
    forms = N_plural(
        "`perspectives` may hold at most %(hi)s perspectives; this has %(num)d perspective",
        "`perspectives` may hold at most %(hi)s perspectives; this has %(num)d perspectives",
    )
    raw = _sized_list(ck, mapping, path, "perspectives", PERSPECTIVES_MAX, forms)
    if raw is None or raw is False:
        return raw
    checked = [_perspective(ck, entry, (*path, "perspectives", i)) for i, entry in enumerate(raw)]
    found = [p for p in checked if p is not None]
    if len(found) != len(checked):
        return False
    first: dict[str, int] = {}
    distinct = True
    for index, perspective in enumerate(found):
        key = perspective.label.casefold()
        if key in first:
            message = N_("perspective %(number)s repeats perspective %(first)s (`%(value)s`)")
            ck.report(
                (*path, "perspectives", index),
                Message(message, number=index + 1, first=first[key] + 1, value=perspective.label),
            )
            distinct = False
        first.setdefault(key, index)
    return tuple(found) if distinct else False


def _perspective(ck: Checker, entry: JSON, path: DataPath) -> Perspective | None:
    """One perspective: a label (text alone is a label too) and an optional description."""
    number = int(path[-1]) + 1
    if isinstance(entry, str):
        entry = {"label": entry}
    if not isinstance(entry, dict):
        message = N_("perspective %(number)s must be a mapping with a `label`, not %(what)s")
        ck.report(path, Message(message, number=number, what=_kind(entry)))
        return None
    where = Message(N_("perspective %(number)s"), number=number)
    _unknown_keys(ck, entry, path, PERSPECTIVE_KEYS, where)
    why = Message(N_("every perspective needs a label, such as `The director`"))
    label = _field_text(ck, entry, path, "label", STEP_LABEL_MAX, why=why)
    description = _field_text(ck, entry, path, "description", PERSPECTIVE_DESCRIPTION_MAX)
    if label is None or description is None:
        return None
    return Perspective(label, description)
