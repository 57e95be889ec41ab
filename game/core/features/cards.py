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
    for table in state.tables:
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
    return [*events, {"type": "card_dealt", "card": card_id}]


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
