"""The Socket.IO shell's state: who each socket is, the rooms, the updates sent to them.

`LiveShell` holds, for one app, the hub and what the transport must remember: each socket's
`Viewer` (from its `hello`), the sockets of each participant, when each session's last update
went out. It sends what changed: table views to the phones at once, the facilitator's and
projector's views coalesced (`flush_session`, at most VIEW_UPDATES_PER_SECOND per session, the
first change after a quiet interval at once; only what changed, `game.web.live.updates`), votes
and notes to facilitators at once (`table_progress`), and with several processes it keeps the session
leases and sends the sockets of a session given up elsewhere (`moved`). The handlers that call
it are in `game.web.live.namespace`. Rooms: ``s:CODE`` every phone of a session, ``l:CODE`` its
phones without a table (the lobby: they choose a seat by the tables' sizes), ``t:CODE:N`` one
table, ``p:CODE:PID`` one person's phones, ``h:CODE`` facilitators, ``w:CODE`` projectors.
Nothing is built for a room nobody of this process is in.
"""

import logging
import time
from dataclasses import dataclass

from flask_socketio import join_room, leave_room

from ...core.command import Actor
from ...core.registry import history_touched, touched_tables
from ...core.throttle import TokenBucket
from ...core.views import (
    me_view,
    perspectives_info,
    progress_only,
    session_info,
    table_view,
    view_for,
)
from ...errors import GameError, Moved, Unavailable
from .updates import ScreenUpdates, progress_notes, progress_update

log = logging.getLogger("tafelronde.live")

# Seconds between tries to load again a session dropped while its sockets are here.
RECOVER_EVERY = 1.0

# Events after which every phone of the session needs fresh session facts. The facilitator's
# actions are sent at once; joins and seats (hundreds in the first minute, each changing only a
# count) are coalesced like the facilitator's updates, so a room of N phones joining costs about
# N * rate messages per second instead of N * N messages.
URGENT_SESSION_EVENTS = frozenset(
    {
        "table_added",
        "paused",
        "timer_started",
        "timer_stopped",
        "message_sent",
        "session_ended",
        "default_devices_set",
    }
)
SESSION_EVENTS = URGENT_SESSION_EVENTS | {"participant_joined", "participant_seated"}
# Events that change what each phone alone sees of itself (`me`): its perspective on a new card,
# its takeaway link once the session ended. Each phone of the tables they touch gets its own.
ME_EVENTS = frozenset(
    {"card_drawn", "card_dealt", "perspectives_set", "session_ended", "takeaway_set"}
)
# Phones get the coalesced session facts (people, table sizes) once a second, and one second
# apart per this many people in larger sessions (2,000 people: every 4 s).
PHONES_PER_SECOND_OF_FACTS = 500


@dataclass(slots=True)  # one per socket: no __dict__ each
class Viewer:
    """What one socket has shown us about itself."""

    code: str
    role: str
    pid: str | None = None


class LiveShell:
    """The transport's state for one app: the hub, who each socket is, the update loop."""

    def __init__(self, app, socketio, hub):
        self.app = app
        self.socketio = socketio
        self.hub = hub
        self.viewers = {}  # sid -> Viewer
        self.sids = {}  # (code, pid) -> set of sids
        rate = app.config["VIEW_UPDATES_PER_SECOND"]
        self.interval = 1.0 / rate if rate else 0
        # Leading edge and trailing flush: a change after a quiet interval goes out at once; the
        # ones that follow within the interval wait for the loop, which looks `tick` apart.
        self.clock = time.monotonic  # for the rate only; tests hold it still
        self.sent_at = {}  # code -> clock() of the session's last update sent
        self.phones_sent_at = {}  # code -> clock() of the phones' last coalesced session facts
        self.tick = self.interval / 5
        self.stalled_after = app.config["STALLED_AFTER_SECONDS"]
        self.screens = ScreenUpdates(self.stalled_after)  # what facilitators/projectors were sent
        self._loop_started = False
        self._stopping = False
        self.asks = {}  # sid -> TokenBucket for `hello` and `sync` (each builds a whole view)
        self.failures = FailureLog()
        self.heartbeat = None  # called every lease round with several processes (game.web.nodes)
        self._dropped = set()  # codes whose copy the hub dropped while their sockets are here
        self._recovering = False
        self._store_away = False  # the lease loop's last round found the store away (logged once)
        hub.present = self.present
        hub.on_load = self.refresh
        hub.on_drop = self.dropped

    # --- updates ---------------------------------------------------------------------------------

    def _emit(self, event, data, to, namespace="/"):
        """Send to this process's sockets in room (or sid) `to`, never through the message queue.

        Only the process serving a session seats sockets in its rooms (a `hello` anywhere else is
        answered `moved`), so every recipient is here. Publishing through Redis would make every
        process decode every update of every session: measured with three processes, that cost
        about three times the CPU per vote of one process.
        """
        self.socketio.emit(event, data, to=to, namespace=namespace, ignore_queue=True)

    def _listening(self, room):
        """Whether a socket of this process is in `room`: python-socketio encodes a message
        before it looks for recipients, and a view for nobody is work for nothing."""
        rooms = self.socketio.server.manager.rooms.get("/")
        return bool(rooms and rooms.get(room))

    def fanout(self, live, events):
        """Tell the phones what these events changed, at once; facilitator/projector via `flush`."""
        if not events:
            return
        state, code = live.state, live.code
        tables, histories, full = set(), set(), set()
        # A phone that joins with these events is placed in its rooms by the caller and gets its
        # view in the acknowledgement: no `view_replaced` for it.
        joined = {e["pid"] for e in events if e["type"] == "participant_joined"}
        for event in events:
            touched = touched_tables(state, event)
            tables |= touched
            histories |= history_touched(state, event)
            if not progress_only(state, event):
                full |= touched
            if event["type"] == "participant_seated" and event["pid"] not in joined:
                self._reseat(live, event["pid"])
        notes = progress_notes(events)
        for table_id in sorted(tables):
            room = f"t:{code}:{table_id}"
            if not self._listening(room):
                continue
            if table_id in full or table_id not in notes:
                view = table_view(state, table_id, with_history=table_id in histories)
                self._emit("table_updated", view, to=room)
            else:  # a vote, a pass or a note: who answered and the new note, not the table again
                update = progress_update(state, {table_id: notes[table_id]}, voters=True)
                if update is not None:
                    self._emit("table_progress", update, to=room)
        if self._listening(f"h:{code}"):  # votes and notes reach the facilitator at once
            progress = progress_update(state, notes)
            if progress is not None:
                self._emit("table_progress", progress, to=f"h:{code}")
        if any(e["type"] in ME_EVENTS for e in events) and self._personal(state):
            for table_id in sorted(tables):
                for member in state.table_members(table_id):
                    self._emit(
                        "me_updated", me_view(state, member.pid), to=f"p:{code}:{member.pid}"
                    )
        kinds = {e["type"] for e in events}
        if kinds & URGENT_SESSION_EVENTS:
            with live.lock:
                live.phones_behind = False
                info = session_info(state, self.hub.clock())
            self._emit("session_updated", info, to=f"s:{code}")
        elif kinds & SESSION_EVENTS:
            live.phones_behind = True  # sent by the next `flush`
        if not self.interval:
            self.flush()
        else:
            self._ensure_loop()
            self.flush_session(live, due_only=True)  # the leading edge

    @staticmethod
    def _personal(state):
        """Whether phones see something of their own beyond votes: perspectives, a takeaway."""
        info = perspectives_info(state)
        return bool((info["on"] and info["available"]) or state.ended)

    def _reseat(self, live, pid):
        """Move a person's sockets into their new table's room and send them their new view."""
        member = live.state.members[pid]
        sids = self.sids.get((live.code, pid))
        if not sids:
            return  # no phone of theirs here: their next hello brings the view
        for sid in sids:
            for table in live.state.tables:
                leave_room(f"t:{live.code}:{table.id}", sid=sid, namespace="/")
            self._place(live, member.table, sid)
        view = view_for(live.state, Actor.participant(pid), self.hub.clock())
        self._emit("view_replaced", view, to=f"p:{live.code}:{pid}")

    def flush(self):
        """Send every session's pending updates now, due or not (tests, shutdown)."""
        for live in list(self.hub.sessions.values()):
            self.flush_session(live)

    def flush_due(self):
        """The trailing flush: send the pending updates of sessions quiet for an interval."""
        for live in list(self.hub.sessions.values()):
            self.flush_session(live, due_only=True)
        if len(self.sent_at) > 2 * len(self.hub.sessions) + 16:  # sessions closed since
            for code in set(self.sent_at) - set(self.hub.sessions):
                self.sent_at.pop(code, None)
                self.phones_sent_at.pop(code, None)
                self.screens.forget(code)

    def flush_session(self, live, due_only=False):
        """Send facilitators and projectors what changed in `live` since its last update, and
        phones the session facts that joins and seats changed (coalesced). With `due_only`,
        only when its last update is at least an interval old: at most VIEW_UPDATES_PER_SECOND
        updates per session."""
        now = self.hub.clock()
        with live.lock:
            if not live.phones_behind and not live.dirty():
                return
            stamp = self.clock()
            if due_only and stamp - self.sent_at.get(live.code, float("-inf")) < self.interval:
                return
            phones_now = live.phones_behind and (not due_only or self._phones_due(live, stamp))
            if not phones_now and not live.dirty():
                return  # only the phones' facts wait, and not for long enough yet
            self.sent_at[live.code] = stamp
            phones = None
            if phones_now:
                if self._listening(f"l:{live.code}"):
                    phones = session_info(live.state, now)
                live.phones_behind = False
                self.phones_sent_at[live.code] = stamp
            tables, room_changed, notes = live.take_dirty()
            earlier = live.take_earlier()
            host = wall = None
            if self._listening(f"h:{live.code}"):
                host, wall, board_waits = self.screens.host(
                    live.state, tables, room_changed, now, notes, earlier, stamp
                )
                live.dirty_notes = live.dirty_notes or board_waits  # the next flush sends it
            if room_changed and self._listening(f"w:{live.code}"):
                wall = self.screens.wall(live.state, now, wall)
            else:
                wall = None
        if phones is not None:  # what joins and seats change: only the lobby chooses by it
            self._emit("session_updated", phones, to=f"l:{live.code}")
        if host is not None:
            self._emit("host_updated", host, to=f"h:{live.code}")
        if wall is not None:
            self._emit("wall_updated", wall, to=f"w:{live.code}")

    def _phones_due(self, live, stamp):
        """Whether the phones of `live` may get the session facts that joins and seats changed:
        once a second, and once per `PHONES_PER_SECOND_OF_FACTS` people more slowly, since
        each update goes to every phone. While a hall of 5,000 joined at 4 updates a second,
        these facts were a million messages of 2.6 KB (bench/, 2026-12-02)."""
        every = max(1.0, len(live.state.members) / PHONES_PER_SECOND_OF_FACTS)
        return stamp - self.phones_sent_at.get(live.code, float("-inf")) >= every

    # --- a copy loaded again --------------------------------------------------------------------

    def present(self, code):
        """``{pid: sockets open here}`` for session `code` (the hub restores presence from it)."""
        return {pid: len(sids) for (c, pid), sids in list(self.sids.items()) if c == code and sids}

    def refresh(self, live):
        """`live` was just loaded from the store: whatever its sockets here were shown from the
        dropped copy (an update sent before its write failed) is replaced by what is stored.
        Every table's view to its phones, the session facts to every phone, and a whole
        facilitator's and projector's view."""
        self._dropped.discard(live.code)
        with live.lock:
            state, now = live.state, self.hub.clock()
            tables = [table_view(state, t.id, with_history=True) for t in state.tables]
            info = session_info(state, now)
            live.dirty_tables.update(t.id for t in state.tables)
            live.dirty_session = True
            live.phones_behind = False
        for view in tables:
            self._emit("table_updated", view, to=f"t:{live.code}:{view['id']}")
        self._emit("session_updated", info, to=f"s:{live.code}")
        self.flush_session(live)

    def dropped(self, code):
        """The hub dropped the copy of `code` (its write failed or was refused): if sockets here
        still watch it, load it again by itself as soon as the store answers."""
        if not any(viewer.code == code for viewer in list(self.viewers.values())):
            return
        self._dropped.add(code)
        if not self._recovering:
            self._recovering = True
            self.socketio.start_background_task(self._recover_loop)

    def _recover_loop(self):
        try:
            while self._dropped and not self._stopping:
                self.socketio.sleep(RECOVER_EVERY)
                with self.app.app_context():
                    self.recover()
        finally:
            self._recovering = False

    def recover(self):
        """One try at loading every dropped session again (the hub's load restores presence and
        `refresh` sends the views); a session another process serves now has its sockets sent
        there. Returns the codes still waiting for the store."""
        for code in list(self._dropped):
            if code in self.hub.sessions:
                self._dropped.discard(code)
                continue
            try:
                live = self.hub.get(code)
            except Moved:
                self._dropped.discard(code)
                self.move_sockets(code)
                continue
            except Unavailable:
                continue  # still away: the next round tries again
            except Exception:  # a bug must not end the loop for the other sessions
                self._dropped.discard(code)
                log.exception("loading session %s again failed", code)
                continue
            if live is None:  # deleted meanwhile
                self._dropped.discard(code)
        return set(self._dropped)

    def _ensure_loop(self):
        if not self._loop_started:
            self._loop_started = True
            self.socketio.start_background_task(self._loop)

    def _loop(self):
        while not self._stopping:
            self.socketio.sleep(self.tick)
            try:
                with self.app.app_context():
                    self.flush_due()
            except Exception:  # a bug in one round must not stop later updates; it is logged
                log.exception("sending coalesced updates failed")

    def stop(self):
        """End the update loop (tests, shutdown)."""
        self._stopping = True

    @property
    def stopping(self):
        """True once this process is stopping (SIGTERM) or the shell was stopped."""
        return self._stopping

    # --- who is who ------------------------------------------------------------------------------

    def forget(self, sid, closed=True):
        """A socket closed: drop it from its rooms' bookkeeping and update presence. A socket
        saying `hello` again (``closed=False``) keeps its `hello`/`sync` allowance: a new hello
        must not refill it, or repeated hellos would never be limited."""
        if closed:
            self.asks.pop(sid, None)
        viewer = self.viewers.pop(sid, None)
        if viewer is None or viewer.pid is None:
            return
        sids = self.sids.get((viewer.code, viewer.pid))
        if sids is not None:
            sids.discard(sid)
        live = self.hub.sessions.get(viewer.code)
        if live is not None:
            try:
                events = self.hub.connected(live, viewer.pid, False)
            except GameError:  # moved meanwhile: the new owner keeps presence
                return
            self.fanout(live, events)

    # --- several processes -----------------------------------------------------------------------

    def start_leases(self):
        """With several processes: keep the leases of the sessions served here (every third of a
        lease) and send the sockets of sessions given up to reconnect. Call once the Socket.IO
        server exists (the factory does); nothing to do for a single process."""
        if self.hub.ownership is not None:
            self.socketio.start_background_task(self._lease_loop)

    def _lease_loop(self):
        pause = self.hub.ownership.ttl / 3
        while not self._stopping:
            self.socketio.sleep(pause)
            if self._stopping:  # stopped while asleep: no lease or heartbeat after leaving
                break
            try:
                with self.app.app_context():
                    self.keep_leases()
                    if self.heartbeat is not None:
                        self.heartbeat()
            except Unavailable as error:  # the store is away; the next round tries again
                if not self._store_away:
                    log.warning(
                        "the store is away, leases are not renewed: %s",
                        getattr(error, "detail", error),
                    )
                self._store_away = True
                continue
            except Exception:  # a bug in one round must not end the loop; it is logged
                log.exception("renewing session leases failed")
            if self._store_away:
                log.warning("the store is back, leases renewed")
            self._store_away = False

    def keep_leases(self):
        """One round of `Hub.keep_leases`; returns the codes given up."""
        sockets = {}
        for viewer in list(self.viewers.values()):
            sockets[viewer.code] = sockets.get(viewer.code, 0) + 1
        gone = self.hub.keep_leases(sockets)
        for code in gone:
            self.move_sockets(code)
        return gone

    def leave(self):
        """Stopping (SIGTERM): give every session up and send its sockets elsewhere."""
        self._stopping = True
        for code in self.hub.leave():
            self.move_sockets(code)

    def move_sockets(self, code):
        """Tell this process's sockets of session `code` to connect again (another process
        serves it now); they are forgotten here, so their next command finds the new owner."""
        retry = {"retry_after": 0.5}
        for sid, viewer in list(self.viewers.items()):
            if viewer.code == code:
                self.viewers.pop(sid, None)
                self._emit("moved", retry, to=sid, namespace="/")
        for key in [key for key in self.sids if key[0] == code]:
            self.sids.pop(key, None)

    def attach(self, sid, live, pid):
        """Put a participant's socket in its rooms and mark it present; returns the events of
        its presence, for the caller to fan out (with its own, when it has some)."""
        viewer = self.viewers[sid]
        viewer.pid = pid
        self.sids.setdefault((live.code, pid), set()).add(sid)
        join_room(f"p:{live.code}:{pid}", sid=sid, namespace="/")
        self._place(live, live.state.members[pid].table, sid)
        return self.hub.connected(live, pid, True)

    def _place(self, live, table, sid):
        """Put socket `sid` in the room of `table`, or in the lobby when it has none."""
        lobby = f"l:{live.code}"
        if table is None:
            join_room(lobby, sid=sid, namespace="/")
        else:
            leave_room(lobby, sid=sid, namespace="/")
            join_room(f"t:{live.code}:{table}", sid=sid, namespace="/")


class FailureLog:
    """Logs handler failures with their traceback, at most `burst` and then one per `every`
    seconds; the ones left out are counted in the next line, so a client that finds a bug and
    repeats it a thousand times cannot fill the disk."""

    def __init__(self, burst=10, every=6.0, clock=time.monotonic):
        self.bucket = TokenBucket(burst, 1.0 / every, clock())
        self.clock, self.skipped = clock, 0

    def log(self, name):
        """Log the exception being handled (call inside `except`)."""
        if not self.bucket.take(self.clock()):
            self.skipped += 1
            return
        skipped, self.skipped = self.skipped, 0
        more = f" ({skipped} more failures not logged)" if skipped else ""
        log.exception("handler %s failed%s", name, more)
