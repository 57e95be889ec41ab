"""The spotlight: the facilitator puts one card on the projector, with every table's votes on it
and the notes chosen for the plenary."""

from typing import Literal, TypedDict

from ...errors import N_, InvalidInput, NotFound
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import SessionState

MAX_SPOTLIGHT_NOTES = 12


class SpotlightSet(TypedDict):
    type: Literal["spotlight_set"]
    card: str
    notes: list[str]
    at: Number


class SpotlightCleared(TypedDict):
    type: Literal["spotlight_cleared"]
    at: Number


def _spotlight_set(state: SessionState, e: SpotlightSet) -> None:
    state.spotlight = {"card": e["card"], "notes": list(e["notes"]), "at": e["at"]}


def _spotlight_cleared(state: SessionState, e: SpotlightCleared) -> None:
    state.spotlight = None


class SpotlightPayload(TypedDict, total=False):
    card: str | None
    notes: list[str]


def spotlight(
    state: SessionState, actor: Actor, payload: SpotlightPayload, now: float
) -> list[Event]:
    """Put a card (with chosen notes of it) on the projector; `card: null` clears it."""
    card_id = payload.get("card")
    if card_id is None:
        return [{"type": "spotlight_cleared"}] if state.spotlight else []
    if not isinstance(card_id, str) or state.deck.card(card_id) is None:
        raise NotFound(N_("There is no such card in this deck."))
    notes = payload.get("notes", [])
    if not isinstance(notes, list) or len(notes) > MAX_SPOTLIGHT_NOTES:
        raise InvalidInput(N_("Choose at most %(max)d notes."), max=MAX_SPOTLIGHT_NOTES)
    for note_id in notes:
        if not isinstance(note_id, str) or note_id not in state.notes:
            raise NotFound(N_("That note does not exist (any more)."))
        if state.notes[note_id][1].card != card_id:
            raise InvalidInput(N_("That note belongs to another card."))
    return [{"type": "spotlight_set", "card": card_id, "notes": list(dict.fromkeys(notes))}]


FEATURE = Feature(
    "spotlight",
    commands=(
        Command(
            "spotlight",
            "facilitator",
            SpotlightPayload,
            spotlight,
            ("spotlight_set", "spotlight_cleared"),
        ),
    ),
    events=(
        EventKind(SpotlightSet, _spotlight_set),
        EventKind(SpotlightCleared, _spotlight_cleared),
    ),
)
