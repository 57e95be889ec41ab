"""The registry: every feature's commands and events, gathered once, and everything that is
derived from them.

A feature module declares its commands and events (`game.core.command`); this module lists the
features and builds from them the one table of commands (`COMMANDS`), of events (`EVENTS`), the
event check (`check_event`), how an event changes the state (`apply_event`, `replay`) and which
tables it touches (`touched_tables`, `history_touched`). Nothing else keeps per-command or
per-event knowledge beside it; `tests/test_registry.py` holds the declarations together (every
event a command makes is declared, every declared event is made or kept for old logs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .command import Command, Event, EventKind, Feature
from .events import EventShapeError, Shape
from .features import (
    cards,
    care,
    conclusions,
    devices,
    dilemmas,
    evaluation,
    notes,
    perspectives,
    seating,
    session,
    spotlight,
    steps,
    takeaway,
    timer,
    votes,
)
from .model import SessionState, state_from_created

FEATURES: tuple[Feature, ...] = (
    session.FEATURE,
    seating.FEATURE,
    cards.FEATURE,
    votes.FEATURE,
    notes.FEATURE,
    conclusions.FEATURE,
    care.FEATURE,
    devices.FEATURE,
    timer.FEATURE,
    spotlight.FEATURE,
    evaluation.FEATURE,
    steps.FEATURE,
    perspectives.FEATURE,
    dilemmas.FEATURE,
    takeaway.FEATURE,
)


def _gather_commands(features: Iterable[Feature]) -> dict[str, Command[Any]]:
    found: dict[str, Command[Any]] = {}
    for feature in features:
        for command in feature.commands:
            if command.name in found:
                raise ValueError(f"command {command.name!r} is declared twice")
            found[command.name] = command
    return found


def _gather_events(features: Iterable[Feature]) -> dict[str, EventKind[Any]]:
    found: dict[str, EventKind[Any]] = {}
    for feature in features:
        for kind in feature.events:
            if kind.name in found:
                raise ValueError(f"event {kind.name!r} is declared twice")
            found[kind.name] = kind
    return found


COMMANDS: dict[str, Command[Any]] = _gather_commands(FEATURES)
EVENTS: dict[str, EventKind[Any]] = _gather_events(FEATURES)

# type name -> its declaration: the one table of every event the game knows.
EVENT_TYPES: dict[str, type] = {name: kind.record for name, kind in EVENTS.items()}
# How each event changes the state (``session_created`` starts a state instead).
APPLY = {name: kind.apply for name, kind in EVENTS.items() if kind.apply is not None}
# Events that describe the moment, not the record: not stored, not replayed.
TRANSIENT_EVENTS = frozenset(name for name, kind in EVENTS.items() if not kind.stored)
PARTICIPANT_COMMANDS = {n: c.decide for n, c in COMMANDS.items() if c.sender == "participant"}
FACILITATOR_COMMANDS = {n: c.decide for n, c in COMMANDS.items() if c.sender == "facilitator"}
# Commands that are accepted only after the session ended (every other command is refused then).
AFTER_END_COMMANDS = frozenset(name for name, c in COMMANDS.items() if c.after_end)

_SHAPES = {name: Shape.of(record) for name, record in EVENT_TYPES.items()}


def check_event(event: Any) -> Event:
    """Raise `EventShapeError` unless `event` matches its declaration exactly; return it."""
    if not isinstance(event, dict):
        raise EventShapeError(f"unknown event: {event!r}")
    shape = _SHAPES.get(str(event.get("type")))
    if shape is None:
        raise EventShapeError(f"unknown event: {event!r}")
    shape.check(event)
    checked: Event = event
    return checked


def apply_event(state: SessionState, event: Event) -> None:
    """Change `state` by one accepted event (the event kind's own `apply`)."""
    APPLY[event["type"]](state, event)
    # Only stored events count: a restarted server replays exactly those, so the version (and the
    # note ids made from it) continue where they were instead of repeating after a kill -9.
    if event["type"] not in TRANSIENT_EVENTS:
        state.version += 1


def replay(events: Iterable[Event]) -> SessionState:
    """Rebuild a session from its stored events, oldest first."""
    log = iter(events)
    state = state_from_created(next(log))
    for event in log:
        apply_event(state, event)
    return state


def touched_tables(state: SessionState, event: Event) -> set[int]:
    """Which tables' views an (already applied) event changes: the event kind says so when it
    knows better; else its ``table``, or the table of its ``pid``; else none."""
    kind = EVENTS[event["type"]]
    if kind.tables is not None:
        return kind.tables(state, event)
    if "table" in event:
        return {event["table"]}
    if "pid" in event:
        member = state.members.get(event["pid"])
        if member is not None and member.table is not None:
            return {member.table}
    return set()


def history_touched(state: SessionState, event: Event) -> set[int]:
    """The tables whose earlier cards an (already applied) event changed (a new card pushes the
    current one into the history; notes change on earlier cards)."""
    kind = EVENTS[event["type"]]
    return kind.history(state, event) if kind.history is not None else set()
