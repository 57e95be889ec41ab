"""The table's conclusion: one line per card for the plenary ("our table thinks..."), written by
any member; the last edit wins and is shown with who wrote it and when. An empty text clears it.
"""

from typing import Literal, NotRequired, TypedDict

from ...errors import N_, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import Play, SessionState, Table

MAX_CONCLUSION_CHARS = 280


class ConclusionSet(TypedDict):
    type: Literal["conclusion_set"]
    table: int
    pid: str
    card: str
    text: str
    at: Number


def _play_of(table: Table, card_id: str) -> Play | None:
    return next((p for p in reversed(table.plays) if p.card == card_id), None)


def _conclusion_set(state: SessionState, e: ConclusionSet) -> None:
    play = _play_of(state.tables[e["table"]], e["card"])
    if play is not None:
        play.conclusion = {"text": e["text"], "pid": e["pid"], "at": e["at"]} if e["text"] else None


def _earlier_card(state: SessionState, e: ConclusionSet) -> set[int]:
    """A conclusion on an earlier card changes the table's history."""
    current = state.tables[e["table"]].current
    return set() if current is not None and current.card == e["card"] else {e["table"]}


class ConclusionPayload(TypedDict):
    text: str
    card: NotRequired[str]


def set_conclusion(
    state: SessionState, actor: Actor, payload: ConclusionPayload, now: float
) -> list[Event]:
    """Write (or replace, or with empty text clear) the table's conclusion on its card, or with
    `card` on an earlier card of the table."""
    checks.not_paused(state)
    member, table = checks.seated(state, actor)
    play = checks.current(table)
    card = payload.get("card")
    if card is not None and card != play.card:
        found = _play_of(table, str(card))
        if found is None:
            raise OutOfTurn(N_("That card was never on your table."))
        play = found
    text = checks.text(payload, "text", MAX_CONCLUSION_CHARS, required=False)
    if (play.conclusion["text"] if play.conclusion else "") == text:
        return []
    return [
        {
            "type": "conclusion_set",
            "table": table.id,
            "pid": member.pid,
            "card": play.card,
            "text": text,
        }
    ]


FEATURE = Feature(
    "conclusions",
    commands=(
        Command(
            "set_conclusion", "participant", ConclusionPayload, set_conclusion, ("conclusion_set",)
        ),
    ),
    events=(EventKind(ConclusionSet, _conclusion_set, history=_earlier_card),),
)
