"""What the facilitator's and the projector's screens are sent after their `hello`: what changed.

A facilitator's screen holds the whole session from its `hello`. After that:

- `table_progress`, at once, for every vote, pass or note: per table its `votes_in` and the new
  notes of its current card (a few hundred bytes; `progress`);
- `host_updated`, coalesced by the shell (`LiveShell.flush_session`): the full views of the tables
  that changed otherwise (a card dealt, a reveal, a new round, members, a call, ...) and, of the
  room-wide parts (session facts, unseated people, spotlight, comparison, evaluation, ...), only
  those that differ from what the room's facilitators were last sent (`host`).

The projector gets its view again only when what it shows changed (`wall`). Comparing a part
with the one last sent costs far less than sending it: at 500 phones the facilitator's update
carried every part and every table touched by a vote, 81 KB four times a second.
"""

from ...core.features import dilemmas, evaluation
from ...core.plenary import board
from ...core.views import (
    facilitator_table,
    perspectives_info,
    progress_view,
    projector_view,
    session_info,
)

MISSING = object()
# While only notes change the plenary board (every table writing after a vote), it is sent at
# most this often; anything else that changes it (a reveal, a conclusion, a hidden note) goes
# with the next update. At 500 phones the board is a few KB, rebuilt from every table's cards.
BOARD_EVERY = 2.0  # seconds


def progress_notes(events):
    """``{table: ids of the notes added}`` for the tables of these events' votes, passes and notes."""
    tables = {}
    for event in events:
        if event["type"] in ("vote_cast", "vote_passed", "note_added"):
            notes = tables.setdefault(event["table"], set())
            if event["type"] == "note_added":
                notes.add(event["note"])
    return tables


def progress_update(state, tables, voters=False):
    """`table_progress` for `tables` (``{table: note ids}``), or None when none has a card."""
    views = [progress_view(state, t, notes, voters) for t, notes in sorted(tables.items())]
    views = [v for v in views if v is not None]
    return {"version": state.version, "tables": views} if views else None


def _facts(session, state):
    """The session facts as compared with those last sent: without `version` (every event
    changes it) and with the timer's end instead of the seconds left (which change with time)."""
    return {**session, "version": 0, "timer": (state.timer_ends_at, state.timer_seconds)}


class ScreenUpdates:
    """The parts last sent to each session's facilitators and projectors, to send only changes."""

    def __init__(self, stalled_after):
        self.stalled_after = stalled_after
        self.host_sent = {}  # code -> {part: what its facilitators were last sent}
        self.wall_sent = {}  # code -> what its projectors were last shown
        self.board_at = {}  # code -> when its board was last built (the shell's clock)

    def host(self, state, tables, room_changed, now, notes=False, earlier=(), stamp=0.0):
        """`host_updated` for the tables in `tables` and, when `room_changed`, the room-wide parts
        that differ from the ones last sent; when only `notes` were added, the plenary board (at
        most every `BOARD_EVERY` seconds of the shell's clock, `stamp`). The notes of a table's
        earlier cards go with it only when they changed (its id in `earlier`).

        Returns ``(update or None, the projector's view if it was built, whether the board waits
        for notes)``: when it waits, the caller asks again later."""
        update = {
            "version": state.version,
            "tables": [
                facilitator_table(state, t, now, self.stalled_after, t in earlier) for t in tables
            ],
        }
        wall, parts, waits = None, {}, False
        if room_changed:
            wall = projector_view(state, now)
            parts = {
                "session": session_info(state, now),
                "table_count": len(state.tables),
                "unseated": [
                    {"pid": m.pid, "name": m.name, "connected": m.connected}
                    for m in state.members.values()
                    if m.table is None
                ],
                "spotlight": state.spotlight,
                "comparison": wall["comparison"],
                "evaluation": evaluation.summary(state),
                "board": board(state),
                "rounds": state.settings.rounds,
                "stalled_after": self.stalled_after,
                "proposals": [dilemmas.proposal_view(state, p) for p in state.proposals],
                "perspectives": perspectives_info(state),
                "takeaway": state.settings.takeaway,
            }
        elif notes:
            if stamp - self.board_at.get(state.code, float("-inf")) >= BOARD_EVERY:
                parts = {"board": board(state)}
            else:
                waits = True
        if "board" in parts:
            self.board_at[state.code] = stamp
        sent = self.host_sent.setdefault(state.code, {})
        for key, value in parts.items():
            mark = _facts(value, state) if key == "session" else value
            if sent.get(key, MISSING) != mark:
                update[key] = value
                sent[key] = mark
        if not update["tables"] and len(update) == 2:
            return None, wall, waits
        return update, wall, waits

    def wall(self, state, now, view=None):
        """`wall_updated` when what the projector shows changed since it was last sent, else None."""
        view = view if view is not None else projector_view(state, now)
        mark = (_facts(view["session"], state), view["spotlight"], view["comparison"])
        if self.wall_sent.get(state.code, MISSING) == mark:
            return None
        self.wall_sent[state.code] = mark
        return view

    def forget(self, code):
        """A session closed here: drop what was sent for it."""
        self.host_sent.pop(code, None)
        self.wall_sent.pop(code, None)
        self.board_at.pop(code, None)
