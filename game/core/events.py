"""Every event of the game, as a typed record, and the one table that checks them.

Events are what the log stores and a restart replays, so a mistyped or missing field must fail
where the event is made, in a test, not months later on replay. Each event is a `TypedDict`
(plain dicts at run time: they go to JSON and SQLite as they are), and `check_event` holds every
event made by the rules against its declaration: unknown type, missing or unknown field, or a
value of the wrong kind raises `EventShapeError`. Replay does not check (a stored log is what it
is); the rules do, for every event they produce. A type checker reads the same declarations.
"""

from typing import Any, Literal, NotRequired, TypedDict, get_args, get_origin, get_type_hints

Number = int | float


class SessionCreated(TypedDict):
    type: Literal["session_created"]
    code: str
    deck_id: str
    deck: dict[str, Any]
    tables: list[str]
    settings: dict[str, Any]
    seed: int
    at: Number


class ParticipantJoined(TypedDict):
    type: Literal["participant_joined"]
    pid: str
    name: str
    token: NotRequired[str]  # kept in the log so a phone's token finds its seat after a restart
    at: Number


class ParticipantRenamed(TypedDict):
    type: Literal["participant_renamed"]
    pid: str
    name: str
    at: Number


# The functional form, because one field is named "from": the table(s) left, added by the hub
# so the views of both tables are refreshed (and stored with the event).
ParticipantSeated = TypedDict(
    "ParticipantSeated",
    {
        "type": Literal["participant_seated"],
        "pid": str,
        "table": int,
        "moved": NotRequired[bool],  # the facilitator moved them
        "from": NotRequired[list[int | None]],
        "at": Number,
    },
)


class PresenceChanged(TypedDict):
    type: Literal["presence_changed"]
    pid: str
    connected: bool
    at: Number


class TableAdded(TypedDict):
    type: Literal["table_added"]
    table: int
    name: str
    at: Number


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


class VoteCast(TypedDict):
    type: Literal["vote_cast"]
    table: int
    pid: str
    card: str
    round: int
    choice: int
    at: Number


class VoteWithdrawn(TypedDict):
    """No rule makes it any more; logs written by earlier versions may hold it."""

    type: Literal["vote_withdrawn"]
    table: int
    pid: str
    at: Number


class VotesRevealed(TypedDict):
    type: Literal["votes_revealed"]
    tables: list[int]
    auto: bool
    at: Number


class VotesCleared(TypedDict):
    type: Literal["votes_cleared"]
    table: int
    card: str
    at: Number


class ChoiceRecorded(TypedDict):
    type: Literal["choice_recorded"]
    table: int
    card: str
    choice: int | None
    at: Number


class NoteAdded(TypedDict):
    type: Literal["note_added"]
    table: int
    pid: str
    card: str
    note: str
    kind: str
    text: str
    at: Number


class NoteEdited(TypedDict):
    type: Literal["note_edited"]
    note: str
    table: int
    text: str
    kind: str
    at: Number


class NoteDeleted(TypedDict):
    type: Literal["note_deleted"]
    note: str
    table: int
    at: Number


class NoteHidden(TypedDict):
    type: Literal["note_hidden"]
    note: str
    table: int
    hidden: bool
    at: Number


class Paused(TypedDict):
    type: Literal["paused"]
    paused: bool
    at: Number


class TimerStarted(TypedDict):
    type: Literal["timer_started"]
    seconds: int
    at: Number


class TimerStopped(TypedDict):
    type: Literal["timer_stopped"]
    at: Number


class MessageSent(TypedDict):
    type: Literal["message_sent"]
    text: str
    at: Number


class SpotlightSet(TypedDict):
    type: Literal["spotlight_set"]
    card: str
    notes: list[str]
    at: Number


class SpotlightCleared(TypedDict):
    type: Literal["spotlight_cleared"]
    at: Number


class SessionEnded(TypedDict):
    type: Literal["session_ended"]
    at: Number


class EvaluationSubmitted(TypedDict):
    type: Literal["evaluation_submitted"]
    pid: str
    useful: int
    keep: str
    add: str
    at: Number


class CardSkipped(TypedDict):
    type: Literal["card_skipped"]
    table: int
    pid: str
    card: str
    at: Number


class VotePassed(TypedDict):
    type: Literal["vote_passed"]
    table: int
    pid: str
    card: str
    round: int
    at: Number


class TableFlagged(TypedDict):
    type: Literal["table_flagged"]
    table: int
    pid: str
    reason: str
    at: Number


class FlagWithdrawn(TypedDict):
    type: Literal["flag_withdrawn"]
    table: int
    pid: str
    at: Number


class FlagCleared(TypedDict):
    type: Literal["flag_cleared"]
    table: int
    at: Number


class TallyRecorded(TypedDict):
    type: Literal["tally_recorded"]
    table: int
    card: str
    round: int
    counts: list[int]
    passes: int
    at: Number


class DevicesSet(TypedDict):
    type: Literal["devices_set"]
    table: int
    devices: str
    at: Number


class DefaultDevicesSet(TypedDict):
    type: Literal["default_devices_set"]
    devices: str
    at: Number


Event = (
    SessionCreated
    | ParticipantJoined
    | ParticipantRenamed
    | ParticipantSeated
    | PresenceChanged
    | TableAdded
    | CardDrawn
    | CardDealt
    | VoteCast
    | VoteWithdrawn
    | VotesRevealed
    | VotesCleared
    | ChoiceRecorded
    | NoteAdded
    | NoteEdited
    | NoteDeleted
    | NoteHidden
    | Paused
    | TimerStarted
    | TimerStopped
    | MessageSent
    | SpotlightSet
    | SpotlightCleared
    | SessionEnded
    | EvaluationSubmitted
    | CardSkipped
    | VotePassed
    | TableFlagged
    | FlagCleared
    | FlagWithdrawn
    | TallyRecorded
    | DevicesSet
    | DefaultDevicesSet
)

# type name -> its declaration: the one table of every event the game knows.
EVENT_TYPES: dict[str, type] = {
    get_args(get_type_hints(record)["type"])[0]: record for record in get_args(Event)
}


class EventShapeError(TypeError):
    """An event that does not match its declaration (a bug in the rules, never user input)."""


def _kinds(hint):
    """The run-time classes a field's declared type allows."""
    origin = get_origin(hint)
    if origin is None:
        return (hint,) if isinstance(hint, type) else (object,)
    if origin in (list, dict):
        return (origin,)
    if origin is Literal:
        return tuple({type(value) for value in get_args(hint)})
    kinds = ()
    for arg in get_args(hint):  # a union: int | None, int | float
        kinds += (type(None),) if arg is type(None) else _kinds(arg)
    return kinds


def _fields(record):
    """{field: allowed classes} of one declaration, and its required field names."""
    hints = get_type_hints(record)
    return {name: _kinds(hint) for name, hint in hints.items()}, record.__required_keys__


_SHAPES = {name: _fields(record) for name, record in EVENT_TYPES.items()}


def check_event(event):
    """Raise `EventShapeError` unless `event` matches its declaration exactly; return it."""
    shape = _SHAPES.get(event.get("type")) if isinstance(event, dict) else None
    if shape is None:
        raise EventShapeError(f"unknown event: {event!r}")
    kinds, required = shape
    missing = sorted(required - event.keys())
    unknown = sorted(event.keys() - kinds.keys())
    if missing or unknown:
        raise EventShapeError(f"{event['type']}: missing {missing}, unknown {unknown}")
    for name, value in event.items():
        allowed = kinds[name]
        # bool is an int in Python; a count must not silently be True.
        if isinstance(value, bool) and bool not in allowed and object not in allowed:
            raise EventShapeError(f"{event['type']}.{name}: {value!r} is not {allowed}")
        if not isinstance(value, allowed):
            raise EventShapeError(f"{event['type']}.{name}: {value!r} is not {allowed}")
    return event
