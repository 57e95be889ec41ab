"""The programme of a session: its name, the cards chosen from the deck and their order (openers
and closers stay at the ends of every table's pile), and the suggested time in total.

Chosen when the session is created (`programme_settings` checks the facilitator's choices for
`session_created`); the piles follow from it in `game.core.model.table_pile`. Pure.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from ..decks.deck import Deck
from ..errors import N_, InvalidInput
from .checks import BIDI_CONTROLS
from .model import SessionState

MAX_NAME_CHARS = 80


def programme_settings(deck_data: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """The programme's settings of `settings`, checked against the deck (`deck_data`, plain
    deck data): the name, the programme (card ids in order, or None for the whole deck),
    openers, closers, and whether perspectives and the takeaway are on. Raises `InvalidInput`."""
    name = settings.get("name", "")
    if not isinstance(name, str):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="name")
    name = " ".join(BIDI_CONTROLS.sub("", name).split())
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(
            N_("That text is too long: at most %(limit)d characters."), limit=MAX_NAME_CHARS
        )
    ids = [str(card.get("id")) for card in deck_data.get("cards", ()) if isinstance(card, dict)]
    chosen = settings.get("programme")
    if chosen is not None:
        if not isinstance(chosen, list) or not chosen or len(chosen) > len(ids):
            raise InvalidInput(N_("Choose at least one card of the deck."))
        if any(card not in ids for card in chosen) or len(set(chosen)) != len(chosen):
            raise InvalidInput(N_("The programme names a card that is not in the deck."))
        if chosen == ids:
            chosen = None  # the whole deck in its order: no programme to keep
    count = len(chosen) if chosen is not None else len(ids)
    ends = [settings.get("openers", 0), settings.get("closers", 0)]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in ends):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="openers")
    if sum(ends) > count:
        raise InvalidInput(N_("There are more openers and closers than cards."))
    switches = {key: settings.get(key, True) for key in ("perspectives", "takeaway")}
    for key, value in switches.items():
        if not isinstance(value, bool):
            raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field=key)
    return {"name": name, "programme": chosen, "openers": ends[0], "closers": ends[1], **switches}


def suggested_minutes(deck: Deck, card_ids: Iterable[str]) -> float:
    """The suggested time of playing `card_ids` of `deck` one after another: the minutes of
    each card's script, added up (cards without a script count 0)."""
    total = 0.0
    for card_id in card_ids:
        card = deck.card(card_id)
        if card is not None:
            total += deck.minutes_for(card)
    return total


def programme_view(state: SessionState) -> dict[str, Any]:
    """The programme as the facilitator's screen shows it: the name, the cards in order (each
    an opener, a closer or neither, with its minutes) and the suggested time in total."""
    settings = state.settings
    order = (
        list(settings.programme)
        if settings.programme is not None
        else [card.id for card in state.deck.cards]
    )
    cards = []
    for index, card_id in enumerate(order):
        card = state.deck.card(card_id)
        if card is None:
            continue
        place = (
            "opener"
            if index < settings.openers
            else "closer"
            if index >= len(order) - settings.closers
            else None
        )
        cards.append(
            {
                "id": card.id,
                "title": card.title,
                "place": place,
                "minutes": state.deck.minutes_for(card),
            }
        )
    return {
        "name": settings.name,
        "chosen": settings.programme is not None,
        "cards": cards,
        "minutes": suggested_minutes(state.deck, order),
    }
