"""The takeaway: once the session ended (before and after the evaluation), each phone may open
its table's page to keep: the cards played, the reflections, the table's notes and conclusions
(`game.core.takeaway.takeaway_view`). The facilitator decides whether it is offered
(`offer_takeaway`; on unless switched off when creating the session).

The page's address carries a key made from the session's secret and the table, so it opens
that one table's page and no other (`takeaway_key`); a phone learns it from its own view.
"""

import hashlib
import hmac
from typing import Literal, TypedDict

from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import SessionState


class TakeawaySet(TypedDict):
    type: Literal["takeaway_set"]
    offered: bool
    at: Number


def _takeaway_set(state: SessionState, e: TakeawaySet) -> None:
    state.settings.takeaway = e["offered"]


def _every_table(state: SessionState, e: TakeawaySet) -> set[int]:
    return {t.id for t in state.tables}


def takeaway_key(state: SessionState, table_id: int) -> str | None:
    """The key of table `table_id`'s takeaway page (None for sessions made before there were
    takeaways, which have no secret)."""
    if not state.secret:
        return None
    message = f"takeaway:{state.code}:{table_id}".encode()
    return hmac.new(state.secret.encode(), message, hashlib.sha256).hexdigest()[:24]


def key_matches(state: SessionState, table_id: int, key: str) -> bool:
    """True when `key` opens table `table_id`'s takeaway (compared in constant time)."""
    expected = takeaway_key(state, table_id)
    return expected is not None and hmac.compare_digest(expected.encode(), key.encode())


def offered(state: SessionState) -> bool:
    """True when phones may open their table's takeaway now: after the end, if offered."""
    return state.ended and state.settings.takeaway and bool(state.secret)


class OfferPayload(TypedDict):
    offered: bool


def offer_takeaway(
    state: SessionState, actor: Actor, payload: OfferPayload, now: float
) -> list[Event]:
    """Offer the phones their table's takeaway page once the session ended, or not."""
    value = checks.field(payload, "offered", bool)
    if value == state.settings.takeaway:
        return []
    return [{"type": "takeaway_set", "offered": value}]


FEATURE = Feature(
    "takeaway",
    commands=(
        Command(
            "offer_takeaway",
            "facilitator",
            OfferPayload,
            offer_takeaway,
            ("takeaway_set",),
            after_end=True,
        ),
    ),
    events=(EventKind(TakeawaySet, _takeaway_set, tables=_every_table),),
)
