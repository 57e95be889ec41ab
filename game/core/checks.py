"""Checks shared by the features' command deciders: the fields of a
payload, and whether the sender may act on its table's current card right now.

Each returns the cleaned value (or what it looked up) or raises a `GameError` with a message
people can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from ..errors import N_, InvalidInput, NotFound, OutOfTurn
from .command import Actor
from .model import Member, Play, SessionState, Table

T = TypeVar("T")

# Bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): typed
# into a name or note they reorder the text around them ("Bea \u202egnp.exe" reads "Bea exe.png").
# Nobody needs them to write Dutch, English, Arabic or Hebrew; the browser orders those itself.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def field(payload: Mapping[str, Any], key: str, kind: type[T], required: bool = True) -> Any:
    """`payload[key]` if it is a `kind` (None when missing and not `required`)."""
    value = payload.get(key)
    if value is None and not required:
        return None
    # bool is an int in Python; a vote of `true` is not a vote for option 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field=key)
    return value


def text(payload: Mapping[str, Any], key: str, limit: int, required: bool = True) -> str:
    """`payload[key]` as stripped text of at most `limit` characters ("" when optional).

    Bidirectional control characters are removed first, so no typed text can reorder the page
    or an export around it.
    """
    raw: str | None = field(payload, key, str, required)
    if raw is None:
        return ""
    value = BIDI_CONTROLS.sub("", raw).strip()
    if required and not value:
        raise InvalidInput(N_("`%(field)s` is empty."), field=key)
    if len(value) > limit:
        raise InvalidInput(N_("That text is too long: at most %(limit)d characters."), limit=limit)
    return value


# --- who may act on which card (the rules' and care's commands) --------------------------------


def not_paused(state: SessionState) -> None:
    """Refuse table commands while the facilitator has paused the session."""
    if state.paused:
        raise OutOfTurn(N_("The session is paused."))


def member(state: SessionState, pid: str | None) -> Member:
    """The session's member `pid`; `NotFound` when that phone is not (or no longer) in it."""
    found = state.members.get(pid) if pid is not None else None
    if found is None:
        raise NotFound(N_("You are not part of this session. Join again."))
    return found


def seated(state: SessionState, actor: Actor) -> tuple[Member, Table]:
    """The actor's member and table; refused until the actor has taken a seat."""
    found = member(state, actor.pid)
    if found.table is None:
        raise OutOfTurn(N_("Take a seat at a table first."))
    return found, state.tables[found.table]


def current(table: Table) -> Play:
    """The play of the card on the table now; refused before the first card is drawn or dealt."""
    play = table.current
    if play is None:
        raise OutOfTurn(N_("No card has been drawn at this table yet."))
    return play


def card_mismatch(play: Play, payload: Mapping[str, Any]) -> bool:
    """True when the phone says which card it acts on and that is not the current card."""
    card = payload.get("card")
    return card is not None and card != play.card


def everyone_present_voted(state: SessionState, table_id: int, voted: Iterable[str]) -> bool:
    """True when every connected member of the table is in `voted` (a pass is an answer)."""
    present = [m.pid for m in state.table_members(table_id) if m.connected]
    answered = set(voted)
    return bool(present) and all(pid in answered for pid in present)


def table(state: SessionState, table_id: object) -> Table:
    """The table a payload names by its number; refused when it is not one of the session's."""
    if not isinstance(table_id, int) or isinstance(table_id, bool):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="table")
    if not 0 <= table_id < len(state.tables):
        raise NotFound(N_("There is no such table."))
    return state.tables[table_id]


def option_count(state: SessionState, card_id: str) -> int:
    """How many options the deck's card `card_id` has (0 for an open card)."""
    card = state.deck.card(card_id)
    return len(card.response.options) if card is not None else 0


def table_word(state: SessionState) -> str:
    """'Tafel' or 'Table': how generated table names start, in the facilitator's language when
    the session recorded it (`Settings.language`), else the deck's."""
    return "Tafel" if (state.settings.language or state.deck.language) == "nl" else "Table"


def refuse_skipped(play: Play) -> None:
    """Votes, reveals and choices are refused on a card the table skipped (`features.care`)."""
    if play.skipped:
        raise OutOfTurn(N_("Your table skipped this card."))
