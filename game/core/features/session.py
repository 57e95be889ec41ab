"""The session as a whole: how it is created (the first event of its log), pausing every table,
and ending it (which opens the closing evaluation)."""

from typing import Any, Literal, NotRequired, TypedDict

from ...errors import N_, InvalidInput
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import SessionState
from ..programme import programme_settings
from ..vocabulary import FLOW_MODES, SEATING_MODES
from .seating import MAX_TABLE_NAME, MAX_TABLES


class SessionCreated(TypedDict):
    type: Literal["session_created"]
    code: str
    deck_id: str
    deck: dict[str, Any]
    tables: list[str]
    settings: dict[str, Any]
    seed: int
    at: Number
    # Added by the hub: the projector's key, and the secret the tables' takeaway links are
    # made from (never shown; see features/takeaway.py).
    projector_key: NotRequired[str]
    secret: NotRequired[str]


class Paused(TypedDict):
    type: Literal["paused"]
    paused: bool
    at: Number


class SessionEnded(TypedDict):
    type: Literal["session_ended"]
    at: Number


def _paused(state: SessionState, e: Paused) -> None:
    state.paused = e["paused"]
    # The round timer stands still while the room is paused, and goes on from there.
    if e["paused"] and state.timer_ends_at is not None and state.timer_left is None:
        state.timer_left = max(0.0, state.timer_ends_at - e["at"])
    elif not e["paused"] and state.timer_left is not None:
        state.timer_ends_at = e["at"] + state.timer_left
        state.timer_left = None


def _session_ended(state: SessionState, e: SessionEnded) -> None:
    state.ended_at = e["at"]
    state.paused = False
    state.timer_ends_at = None
    state.timer_seconds = None
    state.timer_left = None


def _every_table(state: SessionState, e: SessionEnded) -> set[int]:
    return {t.id for t in state.tables}


def session_created(
    *,
    code: str,
    deck_id: str,
    deck_data: dict[str, Any],
    table_names: list[str],
    seed: int,
    now: float,
    **settings: Any,
) -> Event:
    """The first event of a session, after checking the facilitator's choices.

    `deck_data` is the deck snapshot (``Deck.to_data()``); `table_names` the starting tables.
    `settings` are the fields of `game.core.model.Settings`. The rules check its shape.
    """
    if settings.get("seating", "choose") not in SEATING_MODES:
        raise InvalidInput(N_("Unknown seating mode."))
    if settings.get("flow", "draw") not in FLOW_MODES:
        raise InvalidInput(N_("Unknown card flow."))
    group_size = settings.get("group_size")
    if group_size is not None and not (isinstance(group_size, int) and 2 <= group_size <= 20):
        raise InvalidInput(N_("Groups must have 2 to 20 people."))
    settings.update(programme_settings(deck_data, settings))
    names = [str(name).strip()[:MAX_TABLE_NAME] for name in table_names]
    if not 1 <= len(names) <= MAX_TABLES or not all(names):
        raise InvalidInput(N_("A session needs 1 to %(max)d named tables."), max=MAX_TABLES)
    if len(set(names)) != len(names):
        raise InvalidInput(N_("Two tables have the same name."))
    return {
        "type": "session_created",
        "code": code,
        "deck_id": deck_id,
        "deck": deck_data,
        "tables": names,
        "settings": settings,
        "seed": seed,
        "at": now,
    }


def default_table_names(count: int, language: str) -> list[str]:
    """'Table 1', 'Table 2'... in `language` (the facilitator's, or the deck's; Dutch or English)."""
    word = "Tafel" if language == "nl" else "Table"
    return [f"{word} {n}" for n in range(1, count + 1)]


class PausePayload(TypedDict, total=False):
    paused: bool


class NoPayload(TypedDict):
    pass


def pause(state: SessionState, actor: Actor, payload: PausePayload, now: float) -> list[Event]:
    """Pause every table (or resume): table commands are refused meanwhile."""
    paused = payload.get("paused", True)
    if not isinstance(paused, bool):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="paused")
    return [] if paused == state.paused else [{"type": "paused", "paused": paused}]


def end_session(state: SessionState, actor: Actor, payload: NoPayload, now: float) -> list[Event]:
    """End the session: joining and every command are locked; the evaluation opens."""
    return [{"type": "session_ended"}]


FEATURE = Feature(
    "session",
    commands=(
        Command("pause", "facilitator", PausePayload, pause, ("paused",)),
        Command("end_session", "facilitator", NoPayload, end_session, ("session_ended",)),
    ),
    events=(
        EventKind(SessionCreated, None),
        EventKind(Paused, _paused),
        EventKind(SessionEnded, _session_ended, tables=_every_table),
    ),
)
