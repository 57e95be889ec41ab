"""Notes at a table: writing one on a card (kinds: `vocabulary.NOTE_KINDS`), editing and
deleting one's own, and the facilitator hiding one."""

from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

from ...errors import N_, Forbidden, InvalidInput, NotFound, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import Note, Play, SessionState, Table
from ..vocabulary import NOTE_KINDS


class NoteAdded(TypedDict):
    type: Literal["note_added"]
    table: int
    pid: str
    card: str
    note: str
    kind: str
    text: str
    option: NotRequired[int]  # a reason for this option of the card ("why I chose B")
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


def _note_added(state: SessionState, e: NoteAdded) -> None:
    note = Note(
        id=e["note"],
        pid=e["pid"],
        kind=e["kind"],
        text=e["text"],
        card=e["card"],
        at=e["at"],
        option=e.get("option"),
    )
    play = next(p for p in reversed(state.tables[e["table"]].plays) if p.card == e["card"])
    play.notes.append(note)
    state.notes[note.id] = (e["table"], note)


def _note_edited(state: SessionState, e: NoteEdited) -> None:
    note = state.notes[e["note"]][1]
    note.text = e["text"]
    note.kind = e["kind"]
    note.edited = True


def _note_deleted(state: SessionState, e: NoteDeleted) -> None:
    table_id, note = state.notes.pop(e["note"])
    for play in state.tables[table_id].plays:
        if note in play.notes:
            play.notes.remove(note)
    if state.spotlight and note.id in state.spotlight["notes"]:
        state.spotlight["notes"].remove(note.id)


def _note_hidden(state: SessionState, e: NoteHidden) -> None:
    state.notes[e["note"]][1].hidden = e["hidden"]


def _added_history(state: SessionState, e: NoteAdded) -> set[int]:
    """A note on an earlier card changes the table's history."""
    current = state.tables[e["table"]].current
    return set() if current is not None and current.card == e["card"] else {e["table"]}


def _note_history(state: SessionState, e: NoteEdited | NoteDeleted | NoteHidden) -> set[int]:
    """Notes can be edited, deleted or hidden on earlier cards too."""
    return {e["table"]}


class AddNotePayload(TypedDict, total=False):
    kind: str
    text: str
    card: str
    option: int


class EditNotePayload(TypedDict, total=False):
    note: str
    text: str
    kind: str


class NoteIdPayload(TypedDict):
    note: str


class HideNotePayload(TypedDict, total=False):
    note: str
    hidden: bool


def _earlier_play(table: Table, card_id: object) -> Play:
    for play in reversed(table.plays):
        if play.card == card_id:
            return play
    raise OutOfTurn(N_("That card was never on your table."))


def _kind(payload: Mapping[str, Any]) -> str:
    kind = payload.get("kind", "experience")
    if kind not in NOTE_KINDS:
        raise InvalidInput(N_("Unknown kind of note."))
    return str(kind)


def _own_note(state: SessionState, actor: Actor, note_id: object) -> tuple[int, Note]:
    if not isinstance(note_id, str) or note_id not in state.notes:
        raise NotFound(N_("That note does not exist (any more)."))
    table_id, note = state.notes[note_id]
    if note.pid != actor.pid:
        raise Forbidden(N_("Only the author can change a note."))
    return table_id, note


def add_note(state: SessionState, actor: Actor, payload: AddNotePayload, now: float) -> list[Event]:
    """Leave a note on the table's card (or, with `card`, on an earlier card of the table);
    with `option`, it is a reason for that option ("why I chose B")."""
    checks.not_paused(state)
    member, table = checks.seated(state, actor)
    play = checks.current(table)
    if checks.card_mismatch(play, payload):
        # A note written offline on an earlier card still belongs to that card.
        play = _earlier_play(table, payload.get("card"))
    kind = _kind(payload)
    text = checks.text(payload, "text", state.settings.max_note_chars)
    note: Event = {
        "type": "note_added",
        "table": table.id,
        "pid": member.pid,
        "card": play.card,
        "note": f"n{state.version}",
        "kind": kind,
        "text": text,
    }
    option = checks.field(payload, "option", int, required=False)
    if option is not None:
        if not 0 <= option < checks.option_count(state, play.card):
            raise InvalidInput(N_("That choice is not on this card."))
        note["option"] = option
    return [note]


def edit_note(
    state: SessionState, actor: Actor, payload: EditNotePayload, now: float
) -> list[Event]:
    """Change one's own note's text or kind."""
    checks.member(state, actor.pid)
    table_id, note = _own_note(state, actor, payload.get("note"))
    text = checks.text(payload, "text", state.settings.max_note_chars)
    kind = _kind({"kind": payload.get("kind", note.kind)})
    if text == note.text and kind == note.kind:
        return []
    return [{"type": "note_edited", "note": note.id, "table": table_id, "text": text, "kind": kind}]


def delete_note(
    state: SessionState, actor: Actor, payload: NoteIdPayload, now: float
) -> list[Event]:
    """Delete one's own note."""
    checks.member(state, actor.pid)
    table_id, note = _own_note(state, actor, payload.get("note"))
    return [{"type": "note_deleted", "note": note.id, "table": table_id}]


def hide_note(
    state: SessionState, actor: Actor, payload: HideNotePayload, now: float
) -> list[Event]:
    """Hide a note from the phones and the projector (or show it again)."""
    note_id = payload.get("note")
    if not isinstance(note_id, str) or note_id not in state.notes:
        raise NotFound(N_("That note does not exist (any more)."))
    hidden = payload.get("hidden", True)
    if not isinstance(hidden, bool):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="hidden")
    table_id, note = state.notes[note_id]
    if note.hidden == hidden:
        return []
    return [{"type": "note_hidden", "note": note_id, "table": table_id, "hidden": hidden}]


def _note_id(events: list[Event]) -> dict[str, Any]:
    """The acknowledgement of `add_note` carries the new note's id."""
    return {"note": events[0]["note"]} if events else {}


FEATURE = Feature(
    "notes",
    commands=(
        Command("add_note", "participant", AddNotePayload, add_note, ("note_added",), _note_id),
        Command("edit_note", "participant", EditNotePayload, edit_note, ("note_edited",)),
        Command("delete_note", "participant", NoteIdPayload, delete_note, ("note_deleted",)),
        Command("hide_note", "facilitator", HideNotePayload, hide_note, ("note_hidden",)),
    ),
    events=(
        EventKind(NoteAdded, _note_added, history=_added_history),
        EventKind(NoteEdited, _note_edited, history=_note_history),
        EventKind(NoteDeleted, _note_deleted, history=_note_history),
        EventKind(NoteHidden, _note_hidden, history=_note_history),
    ),
)
