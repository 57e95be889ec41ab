"""Seating: joining, names, taking a seat, being moved, new tables, and who is connected.

Seating modes (`vocabulary.SEATING_MODES`): people choose a table, are placed to balance the
tables (in "groups of N" a full room opens a new table), or the facilitator places them.
"""

from typing import Literal, NotRequired, TypedDict

from ...errors import N_, Forbidden, InvalidInput, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import Member, SessionState, new_table
from . import perspectives
from .cards import catch_up

MAX_TABLES = 60
MAX_PARTICIPANTS = 10_000  # bounds a session's memory; the MAX_PARTICIPANTS setting is lower
MAX_TABLE_NAME = 40


# --- events ----------------------------------------------------------------------------------


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


def _participant_joined(state: SessionState, e: ParticipantJoined) -> None:
    number = len(state.members)
    state.members[e["pid"]] = Member(e["pid"], e["name"], joined_at=e["at"], number=number)


def _participant_renamed(state: SessionState, e: ParticipantRenamed) -> None:
    state.members[e["pid"]].name = e["name"]


def _table_added(state: SessionState, e: TableAdded) -> None:
    new_table(state, e["table"], e["name"])


def _participant_seated(state: SessionState, e: ParticipantSeated) -> None:
    member = state.members[e["pid"]]
    old = member.table
    if old is not None and old != e["table"]:
        play = state.tables[old].current
        # A vote still secret at the old table goes with its voter; a revealed one is history.
        if play is not None and not play.revealed:
            play.votes.pop(member.pid, None)
            play.passes.discard(member.pid)
    member.table = e["table"]
    if old is not None:
        state.seated.get(old, {}).pop(member.pid, None)
    state.seated.setdefault(member.table, {})[member.pid] = member.number
    perspectives.give(state, state.tables[member.table], member.pid)


def _seated_tables(state: SessionState, e: ParticipantSeated) -> set[int]:
    """The table sat at, and the one left (both tables' views change)."""
    return {e["table"]} | {t for t in e.get("from", ()) if t is not None}


def _presence_changed(state: SessionState, e: PresenceChanged) -> None:
    member = state.members.get(e["pid"])
    if member is not None:
        member.connected = e["connected"]


# --- payloads and deciders ---------------------------------------------------------------------


class JoinPayload(TypedDict, total=False):
    token: str  # checked by the hub: the phone's own secret, which is its seat
    name: str


class RenamePayload(TypedDict, total=False):
    name: str


class TakeSeatPayload(TypedDict):
    table: int


class MovePayload(TypedDict):
    pid: str
    table: int


class AddTablePayload(TypedDict, total=False):
    name: str


def _name(state: SessionState, payload: JoinPayload | RenamePayload) -> str:
    name = checks.text(payload, "name", state.settings.max_name_chars, required=False)
    if state.settings.names_required and not name:
        raise InvalidInput(N_("Please give your name."))
    return name


def join(state: SessionState, actor: Actor, payload: JoinPayload, now: float) -> list[Event]:
    """Join the session (the hub adds the phone's token); seated at once in 'balance' seating."""
    if actor.pid in state.members:
        return []  # joining twice is harmless: the phone simply comes back
    if len(state.members) >= MAX_PARTICIPANTS:
        raise OutOfTurn(N_("This session is full."))
    events: list[Event] = [
        {"type": "participant_joined", "pid": actor.pid, "name": _name(state, payload)}
    ]
    if state.settings.seating == "balance" and actor.pid is not None:
        events += _balanced_seat(state, actor.pid)
    return events


def _balanced_seat(state: SessionState, pid: str) -> list[Event]:
    """Seat `pid` at the emptiest table; in 'groups of N', open a new table when all are full."""
    counts = [(state.table_size(t.id), t.id) for t in state.tables]
    fewest, table_id = min(counts)
    size = state.settings.group_size
    events: list[Event] = []
    if size and fewest >= size and len(state.tables) < MAX_TABLES:
        table_id = len(state.tables)
        name = f"{checks.table_word(state)} {table_id + 1}"
        events.append({"type": "table_added", "table": table_id, "name": name})
    events.append({"type": "participant_seated", "pid": pid, "table": table_id})
    return events + catch_up(state, table_id)


def rename(state: SessionState, actor: Actor, payload: RenamePayload, now: float) -> list[Event]:
    """Change one's name."""
    checks.member(state, actor.pid)
    return [{"type": "participant_renamed", "pid": actor.pid, "name": _name(state, payload)}]


def take_seat(
    state: SessionState, actor: Actor, payload: TakeSeatPayload, now: float
) -> list[Event]:
    """Sit at a table (only when people choose their table)."""
    member = checks.member(state, actor.pid)
    if state.settings.seating != "choose":
        raise Forbidden(N_("The facilitator places people at tables in this session."))
    table = checks.table(state, payload.get("table"))
    if member.table == table.id:
        return []
    seated: Event = {"type": "participant_seated", "pid": actor.pid, "table": table.id}
    return [seated, *catch_up(state, table.id)]


def move_participant(
    state: SessionState, actor: Actor, payload: MovePayload, now: float
) -> list[Event]:
    """Move a participant to another table."""
    pid = payload.get("pid")
    if not isinstance(pid, str):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="pid")
    member = checks.member(state, pid)
    table = checks.table(state, payload.get("table"))
    if member.table == table.id:
        return []
    seated: Event = {"type": "participant_seated", "pid": pid, "table": table.id, "moved": True}
    return [seated, *catch_up(state, table.id)]


def add_table(
    state: SessionState, actor: Actor, payload: AddTablePayload, now: float
) -> list[Event]:
    """Open one more table (named, or numbered in the deck's language)."""
    if len(state.tables) >= MAX_TABLES:
        raise OutOfTurn(N_("A session has at most %(max)d tables."), max=MAX_TABLES)
    default = f"{checks.table_word(state)} {len(state.tables) + 1}"
    name = checks.text(payload, "name", MAX_TABLE_NAME, required=False) or default
    if any(t.name == name for t in state.tables):
        raise InvalidInput(N_("Two tables have the same name."))
    return [{"type": "table_added", "table": len(state.tables), "name": name}]


FEATURE = Feature(
    "seating",
    commands=(
        Command(
            "join",
            "participant",
            JoinPayload,
            join,
            ("participant_joined", "participant_seated", "table_added", "card_drawn"),
        ),
        Command("rename", "participant", RenamePayload, rename, ("participant_renamed",)),
        Command(
            "take_seat",
            "participant",
            TakeSeatPayload,
            take_seat,
            ("participant_seated", "card_drawn"),
        ),
        Command(
            "move_participant",
            "facilitator",
            MovePayload,
            move_participant,
            ("participant_seated", "card_drawn"),
        ),
        Command("add_table", "facilitator", AddTablePayload, add_table, ("table_added",)),
    ),
    events=(
        EventKind(ParticipantJoined, _participant_joined),
        EventKind(ParticipantRenamed, _participant_renamed),
        EventKind(ParticipantSeated, _participant_seated, tables=_seated_tables),
        EventKind(PresenceChanged, _presence_changed, stored=False),
        EventKind(TableAdded, _table_added),
    ),
)
