"""The rules of a session: commands in, events out.

`handle(state, actor, command, payload, now)` checks that `actor` may do `command` with `payload`
right now, turns it into events, applies them to `state` and returns them. Refusals raise a
`GameError` and leave the state untouched: every check happens before the first event is applied.
Handlers in the shell only authenticate the actor; everything about *permission* lives in the
features' deciders, found through the registry, so it is tested without a server.
"""

from __future__ import annotations

from typing import Any

from ..errors import N_, Forbidden, InvalidInput, OutOfTurn
from .command import FACILITATOR, PROJECTOR, Actor, Event
from .events import EventShapeError
from .features.seating import MAX_PARTICIPANTS, MAX_TABLES
from .features.session import default_table_names, session_created
from .features.spotlight import MAX_SPOTLIGHT_NOTES
from .features.timer import MAX_MESSAGE_CHARS, MAX_TIMER_SECONDS
from .features.votes import reveal_if_all_answered
from .model import SessionState
from .registry import (
    AFTER_END_COMMANDS,
    COMMANDS,
    FACILITATOR_COMMANDS,
    PARTICIPANT_COMMANDS,
    apply_event,
    check_event,
    replay,
)

__all__ = [
    "AFTER_END_COMMANDS",
    "COMMANDS",
    "FACILITATOR",
    "FACILITATOR_COMMANDS",
    "MAX_MESSAGE_CHARS",
    "MAX_PARTICIPANTS",
    "MAX_SPOTLIGHT_NOTES",
    "MAX_TABLES",
    "MAX_TIMER_SECONDS",
    "PARTICIPANT_COMMANDS",
    "PROJECTOR",
    "Actor",
    "decide",
    "default_table_names",
    "handle",
    "presence",
    "replay",
    "session_created",
]


def decide(
    state: SessionState, actor: Actor, command: str, payload: dict[str, Any], now: float
) -> list[Event]:
    """The events `command` would cause, or a `GameError`; does not change `state`."""
    if not isinstance(payload, dict):
        raise InvalidInput(N_("The message must be an object."))
    declared = COMMANDS.get(command)
    if declared is None:
        raise InvalidInput(N_("Unknown command."))
    if actor.role != declared.sender:
        raise Forbidden(N_("You are not allowed to do that."))
    if state.ended and not declared.after_end:
        raise OutOfTurn(N_("This session has ended."))
    events = declared.decide(state, actor, payload, now)
    for event in events:
        if event["type"] not in declared.makes:
            raise EventShapeError(f"{command} made {event['type']}, not one of {declared.makes}")
        event["at"] = now
        check_event(event)
    return events


def handle(
    state: SessionState, actor: Actor, command: str, payload: dict[str, Any], now: float
) -> list[Event]:
    """Decide and apply: the accepted events, already applied to `state`."""
    events = decide(state, actor, command, payload, now)
    for event in events:
        apply_event(state, event)
    return events


def answer_for(command: str, events: list[Event]) -> dict[str, Any] | None:
    """What the acknowledgement of `command` carries beyond ``ok`` (None: nothing more)."""
    declared = COMMANDS.get(command)
    if declared is None or declared.answer is None:
        return None
    return declared.answer(events) or None


def presence(state: SessionState, pid: str, connected: bool, now: float) -> list[Event]:
    """A phone (dis)connected: the transient event, plus an automatic reveal if that completes a vote."""
    member = state.members.get(pid)
    if member is None or member.connected == connected or state.ended:
        return []
    events = [
        check_event({"type": "presence_changed", "pid": pid, "connected": connected, "at": now})
    ]
    apply_event(state, events[0])
    if not connected and member.table is not None:
        play = state.tables[member.table].current
        if play and play.votes and not play.revealed and not play.skipped:
            for reveal in reveal_if_all_answered(
                state, member.table, set(play.votes) | play.passes
            ):
                reveal["at"] = now
                apply_event(state, check_event(reveal))
                events.append(reveal)
    return events
