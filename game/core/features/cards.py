"""Cards on the tables: a table draws from its own shuffled pile, or the facilitator deals one
card to every table at once (card flows, `vocabulary.FLOW_MODES`)."""

from typing import Literal, NotRequired, TypedDict

from ...errors import N_, Forbidden, NotFound, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import Play, SessionState, programme
from . import dilemmas, perspectives


class CardDrawn(TypedDict):
    type: Literal["card_drawn"]
    table: int
    card: str
    dealt: NotRequired[bool]
    at: Number


class CardDealt(TypedDict):
    type: Literal["card_dealt"]
    card: str
    tables: NotRequired[list[int]]  # the tables where someone sat; absent: every table
    at: Number


def _put_on_table(state: SessionState, table_id: int, card: str, at: float, dealt: bool) -> None:
    table = state.tables[table_id]
    if card in table.pile:
        table.pile.remove(card)
    table.plays.append(Play(card=card, started_at=at, dealt=dealt))
    perspectives.deal(state, table)


def _card_drawn(state: SessionState, e: CardDrawn) -> None:
    _put_on_table(state, e["table"], e["card"], e["at"], e.get("dealt", False))


def _card_dealt(state: SessionState, e: CardDealt) -> None:
    tables = e.get("tables")  # None: every table (and every log written before it was kept)
    for table in state.tables:
        if tables is None or table.id in tables:
            _put_on_table(state, table.id, e["card"], e["at"], True)


def _every_table(state: SessionState, e: object) -> set[int]:
    return {t.id for t in state.tables}


def _drawn_history(state: SessionState, e: CardDrawn) -> set[int]:
    """A new card pushes the current one into the table's history."""
    return {e["table"]}


class DrawPayload(TypedDict):
    pass


class DealPayload(TypedDict, total=False):
    card: str
    table: int


def draw_card(state: SessionState, actor: Actor, payload: DrawPayload, now: float) -> list[Event]:
    """Draw the next card of the table's own pile (only when tables draw)."""
    checks.not_paused(state)
    _, table = checks.seated(state, actor)
    if state.settings.flow != "draw":
        raise Forbidden(N_("The facilitator deals the cards in this session."))
    if not table.pile:
        raise OutOfTurn(N_("Your table has played every card."))
    return [{"type": "card_drawn", "table": table.id, "card": table.pile[0]}]


def deal_card(state: SessionState, actor: Actor, payload: DealPayload, now: float) -> list[Event]:
    """Deal a card to every table, or with `table` to that one: the card named (a dilemma a
    table proposed too), or the next undealt card of the programme."""
    card_id = payload.get("card")
    if card_id is None:
        dealt = {p.card for t in state.tables for p in t.plays if p.dealt}
        remaining = [c for c in programme(state) if c not in dealt]
        if not remaining:
            raise OutOfTurn(N_("Every card of the deck has been dealt."))
        card_id = remaining[0]
    events = dilemmas.accept(state, card_id)  # a proposal joins the session's deck first
    if not events and (not isinstance(card_id, str) or state.deck.card(card_id) is None):
        raise NotFound(N_("There is no such card in this deck."))
    if payload.get("table") is not None:
        table = checks.table(state, payload.get("table"))
        return [*events, {"type": "card_drawn", "table": table.id, "card": card_id, "dealt": True}]
    event: Event = {"type": "card_dealt", "card": card_id}
    seated = [t.id for t in state.tables if state.table_size(t.id)]
    # Only to the tables where someone sits (a table nobody plays at has no votes to count);
    # while nobody sits anywhere yet, to every table, so a room can be set before people come.
    if seated and len(seated) < len(state.tables):
        event["tables"] = seated
    return [*events, event]


def catch_up(state: SessionState, table_id: int) -> list[Event]:
    """The card dealt last, for the first person to sit at a table that was empty when it was
    dealt (so a late table plays along with the room); for `seating`."""
    if state.settings.flow != "deal" or state.table_size(table_id):
        return []
    plays = [t.current for t in state.tables if t.current is not None and t.current.dealt]
    latest = max(plays, key=lambda play: play.started_at, default=None)
    current = state.tables[table_id].current if table_id < len(state.tables) else None  # new
    if latest is None or current is latest:
        return []
    if current is not None and (
        current.card == latest.card or current.started_at > latest.started_at
    ):
        return []  # already has that card, or a newer one
    return [{"type": "card_drawn", "table": table_id, "card": latest.card, "dealt": True}]


FEATURE = Feature(
    "cards",
    commands=(
        Command("draw_card", "participant", DrawPayload, draw_card, ("card_drawn",)),
        Command(
            "deal_card",
            "facilitator",
            DealPayload,
            deal_card,
            ("dilemma_accepted", "card_dealt", "card_drawn"),
        ),
    ),
    events=(
        EventKind(CardDrawn, _card_drawn, history=_drawn_history),
        EventKind(CardDealt, _card_dealt, tables=_every_table, history=_every_table),
    ),
)
