"""Perspectives: when a card is played, each member of the table privately gets a role to argue
from ("Argue as: the director"), spread so a table gets different ones; the facilitator can
switch them off and on for the session (`set_perspectives`).

Who gets which is decided as events are applied, from the session's seed, so a session replays
to the same perspectives: `deal` when a card comes to a table (everyone seated there), `give`
when someone sits down at a table that has a card. A perspective is kept on the play
(`Play.perspectives`, pid -> index) with the votes and notes it goes with; only that member's
own view shows it (`views.me_view`), and the results count votes by perspective, never by name.
"""

import random
from typing import Literal, TypedDict

from ...decks.deck import Perspective
from ...errors import N_, InvalidInput
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import Play, SessionState, Table


class PerspectivesSet(TypedDict):
    type: Literal["perspectives_set"]
    on: bool
    at: Number


def options(state: SessionState, play: Play) -> tuple[Perspective, ...]:
    """The perspectives dealt with the card of `play` (none when switched off)."""
    card = state.deck.card(play.card)
    if card is None or not state.settings.perspectives:
        return ()
    return state.deck.perspectives_for(card)


def _order(state: SessionState, table: Table, count: int) -> list[int]:
    """The order this table's card hands out perspectives in: fixed by the seed, different per
    table and per card, so the same person does not argue as the director every time."""
    return random.Random(f"{state.seed}:{table.id}:{len(table.plays)}:perspectives").sample(
        range(count), count
    )


def give(state: SessionState, table: Table, pid: str) -> None:
    """Give member `pid` a perspective on the table's card, if it has perspectives and `pid`
    has none yet: the next one not yet taken at this table, or (all taken) the next in turn."""
    play = table.current
    if play is None or pid in play.perspectives:
        return
    count = len(options(state, play))
    if not count:
        return
    order = _order(state, table, count)
    taken = set(play.perspectives.values())
    free = [index for index in order if index not in taken]
    play.perspectives[pid] = free[0] if free else order[len(play.perspectives) % count]


def deal(state: SessionState, table: Table) -> None:
    """A card came to `table`: everyone seated there gets a perspective, in order of joining."""
    for member in state.table_members(table.id):
        give(state, table, member.pid)


def _perspectives_set(state: SessionState, e: PerspectivesSet) -> None:
    """Switched on: the cards on the tables now get perspectives; off: they lose them."""
    state.settings.perspectives = e["on"]
    for table in state.tables:
        if table.current is None:
            continue
        if e["on"]:
            deal(state, table)
        else:
            table.current.perspectives.clear()


def _every_table(state: SessionState, e: PerspectivesSet) -> set[int]:
    return {t.id for t in state.tables}


def perspective_of(state: SessionState, play: Play, pid: str) -> Perspective | None:
    """The perspective `pid` argues from on `play`, or None."""
    index = play.perspectives.get(pid)
    if index is None:  # every acknowledgement asks: most people have none
        return None
    found = options(state, play)
    return found[index] if index < len(found) else None


def label_of(state: SessionState, play: Play, pid: str) -> str | None:
    """The label of `pid`'s perspective on `play` as it was dealt (also after a switch-off, for
    the results), or None."""
    index = play.perspectives.get(pid)
    card = state.deck.card(play.card)
    if index is None or card is None:
        return None
    found = state.deck.perspectives_for(card)
    return found[index].label if index < len(found) else None


class SetPerspectivesPayload(TypedDict):
    on: bool


def set_perspectives(
    state: SessionState, actor: Actor, payload: SetPerspectivesPayload, now: float
) -> list[Event]:
    """Deal the deck's perspectives with the cards, or not, for the session (from the cards on
    the tables now)."""
    on = checks.field(payload, "on", bool)
    if not state.deck.perspectives and not any(c.perspectives for c in state.deck.cards):
        raise InvalidInput(N_("This deck has no perspectives."))
    if on == state.settings.perspectives:
        return []
    return [{"type": "perspectives_set", "on": on}]


FEATURE = Feature(
    "perspectives",
    commands=(
        Command(
            "set_perspectives",
            "facilitator",
            SetPerspectivesPayload,
            set_perspectives,
            ("perspectives_set",),
        ),
    ),
    events=(EventKind(PerspectivesSet, _perspectives_set, tables=_every_table),),
)
