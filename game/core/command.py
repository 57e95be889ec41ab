"""The shapes every feature of the game declares itself with: who acts (`Actor`), a command
(`Command`), an event kind (`EventKind`) and a feature (`Feature`, a module's commands and events).

A feature module (``game/core/features/``) declares each of its commands once: its name, who may
send it, its payload type, the function that decides it, the events it may make and what its
acknowledgement carries. Each event kind comes with its typed record and how it changes the state.
`game.core.registry` gathers them; everything else (the rules' dispatch, the apply table, which
tables an event touches, the hub's answer, the list of commands) is derived from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, get_args, get_type_hints

if TYPE_CHECKING:
    from .model import SessionState

Number = int | float
# An event as it travels and is stored: a JSON object whose shape its `EventKind.record`
# declares (and `registry.check_event` holds it to). JSON at the edge of the log, so `Any`.
Event = dict[str, Any]
# A command's payload as it arrives: a JSON object, checked field by field by the decider.
Payload = Mapping[str, Any]
Role = Literal["participant", "facilitator", "projector"]
Sender = Literal["participant", "facilitator"]

E = TypeVar("E")
P = TypeVar("P")


@dataclass(frozen=True)
class Actor:
    """Who sends a command: a participant (with its pid), the facilitator, or the projector."""

    role: str
    pid: str | None = None

    @classmethod
    def participant(cls, pid: str | None) -> Actor:
        """A participant known by its public id."""
        return cls("participant", pid)


FACILITATOR = Actor("facilitator")
PROJECTOR = Actor("projector")


def record_name(record: type) -> str:
    """The event type a record declares: the value of its ``type: Literal[...]`` field."""
    name = get_args(get_type_hints(record)["type"])[0]
    assert isinstance(name, str)
    return name


@dataclass(frozen=True)
class EventKind(Generic[E]):
    """One kind of event: its typed record, how it changes the state, and what it touches.

    `tables` is needed only when the tables an event changes are not evident from its fields
    (``table``, ``tables``, or the table of ``pid``): it returns them from the applied state.
    `history` says which tables' earlier cards it changed (their history is sent again).
    `stored` is False for events that describe the moment (presence), never the record.
    `apply` is None only for the event that starts a log (``session_created``).
    """

    record: type[E]
    apply: Callable[[SessionState, E], None] | None
    stored: bool = True
    tables: Callable[[SessionState, E], set[int]] | None = None
    history: Callable[[SessionState, E], set[int]] | None = None

    @property
    def name(self) -> str:
        """The event's ``type``."""
        return record_name(self.record)


Decider = Callable[["SessionState", Actor, Any, float], list[Event]]


@dataclass(frozen=True)
class Command(Generic[P]):
    """One command a client may send.

    `decide(state, actor, payload, now)` checks permission and payload and returns the events
    (without ``at``, added by the rules), or raises a `GameError`; it never changes the state.
    `makes` names every event type it may return (the rules refuse any other). `answer` picks
    what the acknowledgement carries beyond ``ok`` from the events it made (None: just ``ok``).
    `after_end` commands are the only ones accepted once the session ended.
    """

    name: str
    sender: Sender
    payload: type[P]
    decide: Callable[[SessionState, Actor, P, float], list[Event]]
    makes: tuple[str, ...]
    answer: Callable[[list[Event]], dict[str, Any]] | None = None
    after_end: bool = False

    @property
    def summary(self) -> str:
        """The first line of the decider's docstring (for the protocol's tables)."""
        doc = self.decide.__doc__ or ""
        return doc.strip().splitlines()[0] if doc.strip() else ""


@dataclass(frozen=True)
class Feature:
    """A feature of the game: a module's commands and the events they make."""

    name: str
    commands: tuple[Command[Any], ...]
    events: tuple[EventKind[Any], ...]
