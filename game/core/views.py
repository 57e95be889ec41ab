"""What each viewer may see of a session: one pure function per audience.

This is where secrecy lives. Before a table reveals, nobody sees how anyone voted: the table sees
*who* has voted, the facilitator and projector only *how many*. A participant sees only their own
table (names of the other tables and how full they are, to choose a seat). Hidden notes are shown
to the facilitator only. Tested in ``tests/test_views.py``.
"""

from typing import Any

from ..decks.deck import Deck
from ..decks.model import Card
from .command import Actor, Event
from .features import care, dilemmas, evaluation, perspectives, steps, takeaway
from .features.votes import planned_rounds
from .model import Note, Play, SessionState, Table
from .plenary import board, last_revealed, latest_play, played, shown
from .programme import programme_view
from .shift import play_shift, revealed_rounds, room_shift

# A view is what a client receives: JSON at the edge.
View = dict[str, Any]


def card_view(card: Card, deck: Deck, with_reflection: bool) -> View:
    """A card as phones and screens show it; the reflection only once the votes are revealed."""
    category = deck.category(card.category) if card.category else None
    return {
        "id": card.id,
        "title": card.title,
        "text": card.text,
        "category": (
            {"id": category.id, "label": category.label, "colour": category.colour}
            if category
            else None
        ),
        "response": {
            "type": card.response.kind,
            "options": list(card.response.options),
            "statement": card.response.statement,
        },
        "prompts": list(card.prompts),
        "reflection": card.reflection if with_reflection else None,
    }


def _note_view(state: SessionState, note: Note, with_hidden_flag: bool = False) -> View:
    member = state.members.get(note.pid)
    view = {
        "id": note.id,
        "pid": note.pid,
        "author": member.name if member else "",
        "kind": note.kind,
        "text": note.text,
        "card": note.card,
        "at": note.at,
        "edited": note.edited,
        "option": note.option,
    }
    if with_hidden_flag:
        view["hidden"] = note.hidden
    return view


def conclusion_view(state: SessionState, play: Play) -> View | None:
    """The table's conclusion on a card: the text, who wrote it last and when."""
    if not play.conclusion:
        return None
    member = state.members.get(play.conclusion["pid"])
    return {
        "text": play.conclusion["text"],
        "by": member.name if member else "",
        "at": play.conclusion["at"],
    }


def _rounds_view(play: Play, options: int) -> list[View]:
    """The revealed rounds before the current one: distribution and passes of each."""
    return [
        {
            "round": r.number + 1,
            "distribution": r.distribution(options),
            "passes": r.pass_count(),
            "tally": r.tally is not None,
        }
        for r in revealed_rounds(play)
        if r.number != play.round
    ]


def _play_view(
    state: SessionState, table: Table, play: Play, *, voters: bool, notes_for: str
) -> View:
    """One play of a card. `voters`: show who voted; `notes_for`: 'table' or 'facilitator'."""
    card = state.card(play.card)
    options = len(card.response.options)
    facilitator = notes_for == "facilitator"
    is_shown = shown(play)
    view = {
        "card": card_view(card, state.deck, play.revealed),
        "started_at": play.started_at,
        "round": play.round,
        "rounds_planned": planned_rounds(state, play.card),
        "talk": options == 0,
        "revealed": play.revealed,
        "status": care.status(table, play, talk=options == 0),
        "skipped": play.skipped,
        "tally": play.tally is not None,
        "votes_in": play.responses(),
        "distribution": play.distribution(options) if is_shown and options else None,
        "passes": play.pass_count() if is_shown and options else None,
        "late": len(play.late) if is_shown else None,
        "rounds": _rounds_view(play, options),
        "shift": play_shift(play, options, card.response.kind == "scale"),
        "conclusion": conclusion_view(state, play),
        "choice": play.choice,
        "step": steps.step_view(state, play, card),
        "notes": [
            _note_view(state, n, with_hidden_flag=facilitator)
            for n in play.notes
            if facilitator or not n.hidden
        ],
    }
    if voters:
        # Who answered, never how: a pass is an answer like a vote.
        view["voted"] = sorted(set(play.votes) | play.passes)
    return view


def _members_view(state: SessionState, table_id: int) -> list[View]:
    return [
        {"pid": m.pid, "name": m.name, "connected": m.connected}
        for m in state.table_members(table_id)
    ]


def _history_view(state: SessionState, table: Table) -> list[View]:
    """The cards a table finished, newest first: title, revealed distribution, choice, notes."""
    history = []
    for play in reversed(table.plays[:-1]):
        card = state.card(play.card)
        history.append(
            {
                "card": {
                    "id": card.id,
                    "title": card.title,
                    "options": list(card.response.options),
                },
                "distribution": (
                    play.distribution(len(card.response.options))
                    if shown(play) and card.response.options
                    else None
                ),
                "passes": play.pass_count() if shown(play) and card.response.options else None,
                "status": care.status(table, play, talk=not card.response.options),
                "tally": play.tally is not None,
                "rounds": len(revealed_rounds(play)),
                "shift": play_shift(
                    play, len(card.response.options), card.response.kind == "scale"
                ),
                "conclusion": conclusion_view(state, play),
                "choice": play.choice,
                "notes": [_note_view(state, n) for n in play.notes if not n.hidden],
            }
        )
    return history


def table_view(state: SessionState, table_id: int, with_history: bool = True) -> View:
    """What every member of one table shares: members, the current card, history. No one's vote.

    Without `with_history` the earlier cards are left out: live updates send them only when they
    changed, since late in a session they are most of the bytes.
    """
    table = state.tables[table_id]
    view = {
        "id": table.id,
        "name": table.name,
        "members": _members_view(state, table_id),
        "current": (
            _play_view(state, table, table.current, voters=True, notes_for="table")
            if table.current
            else None
        ),
        "cards_left": len(table.pile),
        "devices": state.devices(table_id),
        "flag": _table_flag(table),
        # The dilemmas this table wrote (no other table sees them until they are dealt).
        "proposals": [
            dilemmas.proposal_view(state, p) for p in state.proposals if p.table == table_id
        ],
        "version": state.version,
    }
    if with_history:
        view["history"] = _history_view(state, table)
    return view


def _table_flag(table: Table) -> View | None:
    """The table's call for the facilitator as its phones show it: open, or seen (cleared)."""
    flag = care.current_flag(table) or care.seen_flag(table)
    if flag is None:
        return None
    return {"reason": flag["reason"], "at": flag["at"], "seen": flag["cleared_at"] is not None}


def _host_flag(state: SessionState, table: Table) -> View | None:
    """The open call of a table for the facilitator: why, since when, who called."""
    flag = care.current_flag(table)
    if flag is None or state.ended:  # once ended, nobody waits for a visit any more
        return None
    member = state.members.get(flag["pid"])
    return {"reason": flag["reason"], "at": flag["at"], "by": member.name if member else ""}


def session_info(state: SessionState, now: float) -> View:
    """Session-wide facts every viewer may know (no votes, no notes)."""
    return {
        "code": state.code,
        "name": state.settings.name,
        "deck": {"id": state.deck_id, "title": state.deck.title, "language": state.deck.language},
        "seating": state.settings.seating,
        "flow": state.settings.flow,
        "names_required": state.settings.names_required,
        "max_note_chars": state.settings.max_note_chars,
        "max_name_chars": state.settings.max_name_chars,
        "devices": state.settings.devices,
        "paused": state.paused,
        "ended": state.ended,
        "timer": timer_view(state, now),
        "message": state.message,
        "tables": [
            {"id": t.id, "name": t.name, "size": state.table_size(t.id)} for t in state.tables
        ],
        "people": len(state.members),
        "version": state.version,
    }


def timer_view(state: SessionState, now: float) -> View | None:
    """The round timer as seconds left (clients count down locally from this, unless it is
    `paused`: it stands still while the session is paused)."""
    if state.timer_ends_at is None:
        return None
    if state.timer_left is not None:
        return {"seconds": state.timer_seconds, "remaining": state.timer_left, "paused": True}
    return {"seconds": state.timer_seconds, "remaining": max(0.0, state.timer_ends_at - now)}


def me_view(state: SessionState, pid: str | None) -> View | None:
    """One participant about itself: name, seat and its own (secret) vote on the current card.
    What a phone's command is answered with: cheap, whatever the size of the room."""
    member = state.members.get(pid) if pid is not None else None
    if member is None or pid is None:
        return None
    me: View = {
        "pid": member.pid,
        "name": member.name,
        "table": member.table,
        "vote": None,
        "passed": False,
        "late": None,
        "round": None,
        "before": [],
        "evaluation": evaluation.own_answers(state, pid),
        "perspective": None,
        "takeaway": None,
    }
    if member.table is not None:
        if takeaway.offered(state):
            me["takeaway"] = {
                "table": member.table,
                "key": takeaway.takeaway_key(state, member.table),
            }
        play = state.tables[member.table].current
        if play is not None:
            # Only this member's own perspective: the table never sees who argues as whom.
            mine = perspectives.perspective_of(state, play, pid)
            if mine is not None:
                me["perspective"] = {"label": mine.label, "description": mine.description}
            me["vote"] = play.votes.get(pid)
            me["passed"] = pid in play.passes
            me["late"] = play.late.get(pid)
            me["round"] = play.round  # what `vote`, `passed`, `late` and `before` are about
            # One's own answers in the earlier revealed rounds ("pass" or an option index).
            me["before"] = [
                "pass" if pid in r.passes else r.votes.get(pid)
                for r in revealed_rounds(play)
                if r.number != play.round
            ]
    return me


def participant_view(state: SessionState, pid: str | None, now: float) -> View:
    """Everything one phone shows: the session, itself, its table (with its own vote)."""
    me = me_view(state, pid)
    # `now`: the server's clock, so a phone can count a step's time from `step.since` even
    # when its own clock is off.
    view = {"session": session_info(state, now), "me": me, "table": None, "now": now}
    if me is not None and me["table"] is not None:
        view["table"] = table_view(state, me["table"])
    return view


def _earlier_notes(state: SessionState, table: Table) -> list[View]:
    """The notes on the cards a table moved on from, newest card first: the facilitator can
    still hide them, or pick them for the projector when an earlier card is spotlighted."""
    return [
        {
            "card": {"id": play.card, "title": state.card(play.card).title},
            "notes": [_note_view(state, n, with_hidden_flag=True) for n in play.notes],
        }
        for play in reversed(table.plays[:-1])
        if play.notes
    ]


def facilitator_table(
    state: SessionState, table_id: int, now: float, stalled_after: float, with_earlier: bool = True
) -> View:
    """One table on the facilitator's screen: counts and revealed results, never secret votes.

    Without `with_earlier` the notes of earlier cards are left out: live updates send them only
    when they changed (`registry.history_touched`), as late in a session they are most of it.
    """
    table = state.tables[table_id]
    play = table.current
    members = _members_view(state, table_id)
    seconds = (now - play.started_at) if play else None
    view: View = {
        "id": table.id,
        "name": table.name,
        "members": members,
        "present": sum(1 for m in members if m["connected"]),
        "current": (
            _play_view(state, table, play, voters=False, notes_for="facilitator") if play else None
        ),
        "cards_played": len(table.plays),
        "cards_left": len(table.pile),
        "devices": state.devices(table_id),
        "flag": _host_flag(state, table),
        "seconds_on_card": seconds,
        "seconds_on_step": (
            now - (play.step_at if play.step_at is not None else play.started_at) if play else None
        ),
        "stalled": bool(
            seconds is not None
            and play is not None
            and seconds >= stalled_after
            and not play.revealed
            and not play.skipped
            and bool(state.card(play.card).response.options)
        ),
    }
    if with_earlier:
        view["earlier"] = _earlier_notes(state, table)
    return view


def answers_only(state: SessionState, event: Event) -> bool:
    """Whether `event` is a vote or a pass before its table's reveal: all it changes for the
    facilitator is its table's `votes_in` (what people chose shows once revealed), so it goes
    to them at once as `table_progress` and no full view of the table need follow."""
    if event["type"] not in ("vote_cast", "vote_passed") or event.get("late"):
        return False
    play = state.tables[event["table"]].current
    return play is not None and not play.revealed and play.card == event["card"]


def note_only(state: SessionState, event: Event) -> bool:
    """Whether `event` adds a note to its table's current card: for the facilitator, one more
    note on that table (sent as `table_progress`), and the plenary board's counts."""
    if event["type"] != "note_added":
        return False
    play = state.tables[event["table"]].current
    return play is not None and play.card == event["card"]


def progress_view(
    state: SessionState, table_id: int, note_ids: set[str], voters: bool = False
) -> View | None:
    """A table's answers so far and the notes `note_ids` of its current card: what
    `table_progress` carries. `voters`: who answered (for the table's own phones; the
    facilitator sees how many, as in its table view). None without a card."""
    play = state.tables[table_id].current
    if play is None:
        return None
    view: View = {
        "id": table_id,
        "card": play.card,
        "round": play.round,
        "votes_in": play.responses(),
        "notes": [
            _note_view(state, n, with_hidden_flag=not voters)
            for n in play.notes
            if n.id in note_ids
        ],
    }
    if voters:
        view["voted"] = sorted(set(play.votes) | play.passes)
    return view


def progress_only(state: SessionState, event: Event) -> bool:
    """Whether all `event` changes in the views of its table is what `progress_view` carries."""
    return answers_only(state, event) or note_only(state, event)


def facilitator_view(state: SessionState, now: float, stalled_after: float) -> View:
    """The whole session for the facilitator: every table, unseated people, the deck's cards."""
    return {
        "version": state.version,
        "session": session_info(state, now),
        "tables": [facilitator_table(state, t.id, now, stalled_after) for t in state.tables],
        "unseated": [
            {"pid": m.pid, "name": m.name, "connected": m.connected}
            for m in state.members.values()
            if m.table is None
        ],
        "cards": [{"id": c.id, "title": c.title} for c in state.deck.cards],
        "spotlight": state.spotlight,
        "comparison": comparison(state),
        "board": board(state),
        "rounds": state.settings.rounds,
        "stalled_after": stalled_after,
        "evaluation": evaluation.summary(state),
        "programme": programme_view(state),
        "proposals": [dilemmas.proposal_view(state, p) for p in state.proposals],
        "perspectives": perspectives_info(state),
        "takeaway": state.settings.takeaway,
    }


def perspectives_info(state: SessionState) -> View:
    """Whether the deck has perspectives, and whether they are dealt in this session."""
    available = bool(state.deck.perspectives or any(c.perspectives for c in state.deck.cards))
    return {"on": state.settings.perspectives, "available": available}


def spotlight_view(state: SessionState) -> View | None:
    """The spotlighted card with each table's last revealed votes (and how they moved between
    rounds), the room's total and shift, the tables' conclusions, and the chosen notes, grouped
    by the option they argue for.

    Tables where nobody sits that did not play the card are left out: on the wall they would
    only take room.
    """
    if not state.spotlight:
        return None
    card = state.card(state.spotlight["card"])
    options = len(card.response.options)
    scale = card.response.kind == "scale"
    rows, total, shifts, conclusions = [], [0] * options, [], []
    for table in state.tables:
        found = latest_play(table, card.id)
        play = found if found is not None and played(state, table, found) else None
        if play is None and not state.table_size(table.id):
            continue  # an empty table that did not play the card would only take room
        result = last_revealed(play, options) if play else None
        counts = result[0] if result else None
        if counts:
            total = [a + b for a, b in zip(total, counts, strict=True)]
        shift = play_shift(play, options, scale) if play else None
        if shift:
            shifts.append(shift)
        conclusion = conclusion_view(state, play) if play else None
        if conclusion:
            conclusions.append({**conclusion, "table": table.name})
        rows.append(
            {
                "table": table.name,
                "played": play is not None,
                "status": care.status(table, play, talk=not options) if play else None,
                "tally": bool(play and play.tally is not None),
                "distribution": counts,
                "passes": result[1] if result else None,
                "rounds": len(revealed_rounds(play)) if play else 0,
                "shift": shift,
                "choice": found.choice if found else None,
            }
        )
    notes = []
    for note_id in state.spotlight["notes"]:
        if note_id not in state.notes:
            continue
        table_id, note = state.notes[note_id]
        if not note.hidden:
            view = _note_view(state, note)
            view["table"] = state.tables[table_id].name
            notes.append(view)
    return {
        "card": card_view(card, state.deck, True),
        "tables": rows,
        "total": total,
        "shift": room_shift(shifts, options, scale),
        "conclusions": conclusions,
        "notes": notes,
        # The chosen notes that are reasons, by option; the others stay in `notes` only.
        "reasons": [
            {"option": i, "notes": [n for n in notes if n["option"] == i]} for i in range(options)
        ],
    }


def comparison(state: SessionState) -> View:
    """For every card played anywhere: each table's last revealed distribution, in deck order.

    ``tables`` holds counts, or ``None`` when a table has no revealed votes on the card;
    ``played`` (same order) tells "not revealed yet" (played) from "did not play this card";
    ``status`` says how a played card stands (see `care.status`: a card a table skipped or left
    before a reveal is not "still talking"), ``tally`` whether the counts are a show of hands,
    ``passes`` how many passed. Screens draw every table on one scale: shares of that table's
    answers, with the counts.
    """
    played_cards = {p.card for t in state.tables for p in t.plays}
    rows = []
    for card in state.deck.cards:
        if card.id not in played_cards:
            continue
        options = len(card.response.options)
        per_table, played_by, statuses, tallies, passes = [], [], [], [], []
        for table in state.tables:
            found = latest_play(table, card.id)
            play = found if found is not None and played(state, table, found) else None
            result = last_revealed(play, options) if play else None
            per_table.append(result[0] if result else None)
            passes.append(result[1] if result else None)
            played_by.append(play is not None)
            statuses.append(care.status(table, play, talk=not options) if play else None)
            tallies.append(bool(play and play.tally is not None))
        rows.append(
            {
                "card": {
                    "id": card.id,
                    "title": card.title,
                    "options": list(card.response.options),
                },
                "tables": per_table,
                "played": played_by,
                "status": statuses,
                "tally": tallies,
                "passes": passes,
            }
        )
    return {"tables": [t.name for t in state.tables], "cards": rows}


def projector_view(state: SessionState, now: float) -> View:
    """The wall: join details, the spotlight, the comparison. No names of voters, no hidden notes."""
    return {
        "session": session_info(state, now),
        "spotlight": spotlight_view(state),
        "comparison": comparison(state),
    }


def view_for(
    state: SessionState, viewer: Actor, now: float, stalled_after: float = 480
) -> dict[str, Any]:
    """The view of `state` for `viewer` (an `Actor`): the one entry point the shells call."""
    if viewer.role == "participant":
        return participant_view(state, viewer.pid, now)
    if viewer.role == "facilitator":
        return facilitator_view(state, now, stalled_after)
    if viewer.role == "projector":
        return projector_view(state, now)
    raise ValueError(f"unknown viewer role {viewer.role!r}")


__all__ = ["Actor", "view_for", "table_view", "facilitator_table", "session_info"]
