"""The live sessions of one server process: the rules, the store and the people, tied together.

`Hub` holds each open session in memory (`LiveSession`), runs commands through the pure rules,
writes the resulting events to the store *before* answering, and keeps what the transport needs
to know: which tables changed (for coalesced updates), who is connected, participant tokens,
client ids already applied, and per-participant rate limits.

It knows nothing of Flask or Socket.IO (`game/web/live/namespace.py` is the transport), so everything here
is tested with plain function calls. Time comes from the `clock` passed in.

Every write is fenced: it names the sequence number its first event must get (`next_seq`), so a
copy of a session that fell behind the store (another process wrote since) is refused, dropped,
and its client told `moved`. With several processes (`ownership`, see `game.ownership`), a
session is served only by the process holding its lease; the others answer `moved`.

A copy dropped after a failed write (the store away, the disk full), a refused one or a hand-over
is loaded again whole by the next command: the events from the store, and presence from the
sockets the transport still holds here (`present`), so automatic reveals and the facilitator's
counts are right again without any phone reconnecting. The transport hears of each load and drop
(`on_load`, `on_drop`) to send fresh views and to reload by itself.
"""

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, Generic, Protocol, TypedDict, TypeVar

from .codes import (
    CID_MAX,
    CODE_ALPHABET,
    CODE_LENGTH,
    TOKEN_MAX,
    TOKEN_MIN,
    normalise_code,
    token_hash,
)
from .core import export
from .core.command import Actor, Event
from .core.features import evaluation
from .core.model import state_from_created
from .core.registry import TRANSIENT_EVENTS, apply_event, check_event, replay
from .core.rules import answer_for, decide, default_table_names, presence, session_created
from .core.throttle import TokenBucket
from .decks.model import Deck
from .errors import N_, InvalidInput, Moved, NotFound, RateLimited
from .live_session import OK, Answer, ClientKey, LiveSession
from .ownership import HAND_OVER, RELEASE, Ownership, let_go
from .storage.events import StaleWriter

# How long a process trusts the store's word that another process serves a session.
ELSEWHERE_SECONDS = 0.5

# The store's handle of a write submitted but not yet committed: the hub only passes it back.
W = TypeVar("W")


class StoredLog(Protocol):
    """A session's stored events, oldest first, and the sequence number of the last of them."""

    @property
    def last_seq(self) -> int:
        """0 when there are none; the next write expects ``last_seq + 1``."""

    def __len__(self) -> int:
        """How many events."""

    def __iter__(self) -> Iterator[Event]:
        """The events, oldest first."""

    def __getitem__(self, index: int, /) -> Event:
        """One event."""


class StoredSession(TypedDict):
    """What the hub reads of a stored session in the store's list (rows have more fields)."""

    code: str
    deck_id: str
    ended_at: float | None


class StoreLike(Protocol[W]):
    """What the hub asks of the event store, and nothing more (`game.storage.events` has the
    backends): fenced writes it can submit under a session's lock and wait for outside it, and
    the reads that bring a session back."""

    def exists(self, code: str) -> bool:
        """True if a session with this code is stored."""

    def append(self, code: str, events: Sequence[Event], *, expect_seq: int | None = None) -> int:
        """Store `events`; return when they are durable."""

    def submit(
        self,
        code: str,
        events: Sequence[Event],
        applied: tuple[str, str, Answer] | None = None,
        expect_seq: int | None = None,
    ) -> W:
        """Queue a write of `events` (and a client id's answer); `wait` for it."""

    def wait(self, write: W) -> object:
        """Return once `write` is committed; raise what refused it (`StaleWriter`)."""

    def load(self, code: str) -> StoredLog:
        """The stored events of a session (empty if there is none)."""

    def answer(self, code: str, pid: str, cid: str) -> Answer | None:
        """The answer remembered for client id `cid` of `pid`, or None."""

    def sessions(self) -> Sequence[StoredSession]:
        """Every stored session, newest first."""

    def delete(self, code: str) -> None:
        """Remove a session and everything recorded about it."""


def _nobody(code: str) -> Mapping[str, int]:
    """No socket anywhere (a hub without a transport: tests, `flask` commands)."""
    return {}


def _ignore(_: object) -> None:
    """Nothing to tell (a hub without a transport)."""


class Hub(Generic[W]):
    """Every live session of this process, and the one path by which they change."""

    def __init__(
        self,
        store: StoreLike[W],
        clock: Callable[[], float] = time.time,
        limits: Mapping[str, float] | None = None,
        ownership: Ownership | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.sessions: dict[str, LiveSession[W]] = {}
        self.limits: dict[str, float] = {"burst": 20, "per_second": 5.0, **(limits or {})}
        self.ownership = ownership  # when several processes serve
        # code -> (until, retry_after): served by another process
        self._elsewhere: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        # The transport's part (game.web.live_shell): `present(code)` -> {pid: open sockets
        # here}; `on_load(live)` after a served copy was loaded from the store; `on_drop(code)`
        # after a copy was dropped while still served here (its sockets stay: reload it).
        self.present: Callable[[str], Mapping[str, int]] = _nobody
        self.on_load: Callable[[LiveSession[W]], None] = _ignore
        self.on_drop: Callable[[str], None] = _ignore
        # How sessions came and went here, for the metrics: loaded, dropped_store (a write
        # failed), dropped_stale (another writer), taken_over (lease lost), handed_over,
        # released.
        self.counts: Counter[str] = Counter()

    # --- sessions --------------------------------------------------------------------------------

    def create(
        self,
        *,
        deck_id: str,
        deck: Deck,
        tables: int | Sequence[str],
        seating: str,
        flow: str,
        names_required: bool,
        group_size: int | None = None,
        max_note_chars: int = 500,
        max_name_chars: int = 40,
        same_order: bool = False,
        rounds: int | None = None,
        language: str | None = None,
        **programme: Any,
    ) -> LiveSession[W]:
        """Start a session from a deck snapshot; return its `LiveSession`.

        `tables` is a count or a list of names. Tables the session names itself are named in
        `language` (the facilitator's; the deck's when not given). `same_order`: every table
        draws the deck in its order; `rounds`: rounds per card (None: as the deck says).
        `programme`: the session's name, its cards in order, openers and closers, whether
        perspectives and the takeaway are on (`game.core.programme.programme_settings`).
        """
        names = (
            default_table_names(tables, language or deck.language)
            if isinstance(tables, int)
            else list(tables)
        )
        with self._lock:
            code = self._fresh_code()
            event = session_created(
                code=code,
                deck_id=deck_id,
                deck_data=deck.to_data(),
                table_names=names,
                seed=secrets.randbits(32),
                now=self.clock(),
                seating=seating,
                flow=flow,
                names_required=names_required,
                group_size=group_size,
                max_note_chars=max_note_chars,
                max_name_chars=max_name_chars,
                same_order=same_order,
                rounds=rounds,
                language=language,
                **programme,
            )
            event["projector_key"] = secrets.token_urlsafe(12)
            event["secret"] = secrets.token_urlsafe(16)  # the tables' takeaway links
            if self.ownership is not None and not self.ownership.take(code)[0]:
                raise Moved()  # a fresh code someone else took meanwhile: nothing was stored
            self.store.append(code, [event], expect_seq=1)
            live: LiveSession[W] = LiveSession(
                state_from_created(event), event["projector_key"], 2, self.clock(), True
            )
            self.sessions[code] = live
        return live

    def done_creating(self, live: LiveSession[W]) -> None:
        """The request that created `live` is done with it. With several processes, the session
        is served where the router sends its people, so this process lets go of it at once
        (the first arrival anywhere takes it); alone, it stays here."""
        if self.ownership is not None:
            self._give_up(live, self.ownership.release)

    def _fresh_code(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.sessions and not self.store.exists(code):
                return code

    def get(self, code: object) -> LiveSession[W] | None:
        """The live session with this code, to apply commands to: loaded from the store if needed
        (with several processes, only after taking its lease); None if unknown.

        Raises `Moved` when another process holds the session's lease.
        """
        code, live = self._served(code)
        if code is None or live is not None:
            return live
        self._refuse_if_elsewhere(code)
        loaded: LiveSession[W] | None = None
        with self._lock:
            live = self.sessions.get(code)
            if live is None:
                if self.ownership is not None:
                    if not self.store.exists(code):
                        return None
                    taken, retry_after = self.ownership.take(code)
                    if not taken:
                        # Asked again within a moment, answer without the store: a room of
                        # phones (or someone flooding hellos) costs the store two writes per
                        # session per ELSEWHERE_SECONDS, not two per hello.
                        if len(self._elsewhere) > 10_000:  # codes no one asks again
                            self._elsewhere.clear()
                        self._elsewhere[code] = (self.clock() + ELSEWHERE_SECONDS, retry_after)
                        raise Moved(retry_after)
                live = self._load(code, served=True)
                if live is not None:
                    self.sessions[code] = loaded = live
                elif self.ownership is not None:
                    self.ownership.release(code)
        if loaded is not None:
            self.counts["loaded"] += 1
            self.on_load(loaded)
        return live

    def _refuse_if_elsewhere(self, code: str) -> None:
        """Raise `Moved` if the store said a moment ago that another process serves `code`."""
        known = self._elsewhere.get(code)
        if known is None:
            return
        if self.clock() < known[0]:
            raise Moved(known[1])
        self._elsewhere.pop(code, None)

    def peek(self, code: object) -> LiveSession[W] | None:
        """The session with this code to read (pages, results), or None if unknown: the copy
        this process serves, or, when another process serves it, a fresh read of the store
        that is not kept (never apply commands to it)."""
        if self.ownership is None:
            return self.get(code)
        code, live = self._served(code)
        if code is None or live is not None:
            return live
        live = self._load(code)
        if live is not None:
            live.closed = True  # a reader's copy: commands on it are refused with `moved`
        return live

    def _served(self, code: object) -> tuple[str | None, LiveSession[W] | None]:
        """``(code as stored, the copy served here or None)``; ``(None, None)`` for a typed code
        that cannot be one."""
        code = normalise_code(code)
        return (code, self.sessions.get(code)) if code is not None else (None, None)

    def arrived(self, live: LiveSession[W]) -> None:
        """Someone said hello to `live` here (the router sends its people to this process)."""
        live.last_arrival = max(live.last_arrival, self.clock())

    def _load(self, code: str, served: bool = False) -> LiveSession[W] | None:
        """The session as stored, or None. A copy to serve (`served`) also gets what lives
        outside the log: who is connected here now, from the transport's sockets."""
        # Answers of earlier client ids stay in the store (`_repeated` reads them on a miss).
        events = self.store.load(code)
        if not events:
            return None
        key = events[0].get("projector_key", "")
        live: LiveSession[W] = LiveSession(replay(events), key, events.last_seq + 1, self.clock())
        for event in events:
            if event["type"] == "participant_joined" and event.get("token"):
                live.tokens[event["token"]] = event["pid"]
        if served:
            self._restore_presence(live)
        live.take_dirty()
        return live

    def _restore_presence(self, live: LiveSession[W]) -> None:
        """Mark present everyone whose phone holds a socket of this session here (transient:
        nothing is stored; connecting never reveals, so no write can be needed)."""
        now = self.clock()
        for pid, count in self.present(live.code).items():
            if count > 0 and pid in live.state.members:
                live.connections[pid] = count
                for event in presence(live.state, pid, True, now):
                    live.observe(event)

    def results(self, code: object) -> dict[str, Any] | None:
        """The results of session `code` (`game.core.export.results`), taken under the session's lock
        so they are consistent while tables keep voting; None if there is no such session."""
        live = self.peek(code)
        if live is None:
            return None
        with live.lock:
            data: dict[str, Any] = export.results(live.state, self.clock())
        return data

    def last_evaluation(
        self, deck_id: str, look_back: int = 5
    ) -> tuple[StoredSession, dict[str, Any]] | None:
        """What the last run of a deck asked for: ``(stored row, evaluation summary)`` of the
        newest ended session of `deck_id` that has answers (among its `look_back` latest), or
        None. Read without keeping the old session in memory."""
        rows = [r for r in self.store.sessions() if r["deck_id"] == deck_id and r["ended_at"]]
        for row in rows[:look_back]:
            live = self.sessions.get(row["code"])
            if live is not None:
                with live.lock:
                    summary = evaluation.summary(live.state)
            else:
                summary = evaluation.summary(replay(self.store.load(row["code"])))
            if summary is not None and summary["answers"]:  # None only if it never ended
                return row, summary
        return None

    def delete(self, code: str) -> None:
        """Forget a session everywhere (memory and store)."""
        with self._lock:
            self.sessions.pop(code, None)
            self.store.delete(code)

    # --- people ----------------------------------------------------------------------------------

    def pid_for(self, live: LiveSession[W], token: object) -> str | None:
        """The participant a token belongs to, or None."""
        if not isinstance(token, str) or not TOKEN_MIN <= len(token) <= TOKEN_MAX:
            return None
        return live.tokens.get(token_hash(token))

    def join(self, live: LiveSession[W], token: object, name: object) -> tuple[str, list[Event]]:
        """Seat a new participant whose phone made up `token`; joining again returns the same pid."""
        if not isinstance(token, str) or not TOKEN_MIN <= len(token) <= TOKEN_MAX:
            raise InvalidInput(N_("The phone sent no usable token; reload the page."))
        digest = token_hash(token)
        key = ("join", digest)
        with live.lock:
            self._check_open(live)
            pid = live.tokens.get(digest)
            if pid is not None:
                # Joining again (a retry after a lost answer) waits for the first join's commit.
                write, events = live.pending.get(key), []
            else:
                pid = "p" + secrets.token_hex(5)
                actor = Actor.participant(pid)
                events = decide(live.state, actor, "join", {"name": name}, self.clock())
                events[0]["token"] = digest
                self._apply(live, events)
                write = live.pending[key] = self._submit(live, events)
        if write is not None:
            try:
                self._wait(live, write)
            finally:
                live.pending.pop(key, None)
        return pid, events

    def connected(self, live: LiveSession[W], pid: str, is_connected: bool) -> list[Event]:
        """A phone of `pid` opened or closed its socket; returns the (transient) events."""
        with live.lock:
            if live.closed:  # given up: its presence is the new owner's business
                return []
            count = live.connections.get(pid, 0) + (1 if is_connected else -1)
            live.connections[pid] = max(count, 0)
            online = live.connections[pid] > 0
            events = presence(live.state, pid, online, self.clock())
            for event in events:
                live.observe(event)
            stored = [e for e in events if e["type"] not in TRANSIENT_EVENTS]
            if stored:
                self._wait(live, self._submit(live, stored))
        return events

    # --- commands --------------------------------------------------------------------------------

    def command(
        self,
        live: LiveSession[W],
        actor: Actor,
        command: str,
        payload: dict[str, Any],
        cid: object = None,
    ) -> tuple[Answer, list[Event]]:
        """Run one command: returns ``(answer, events)``; raises `GameError` when refused.

        With a client id, the first answer is remembered (durably, with the events) and any
        repeat of that id gets the same answer without acting again.
        """
        if cid is not None and (not isinstance(cid, str) or not 1 <= len(cid) <= CID_MAX):
            raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="cid")
        # Past the check, a client id is a string or absent.
        key = (actor.pid or actor.role, cid) if isinstance(cid, str) else None
        if key is not None:
            repeated = self._repeated(live, key)
            if repeated is not None:
                return repeated, []
        with live.lock:
            self._check_open(live)
            twin = key is not None and (key in live.applied or key in live.pending)
            if not twin:
                if actor.role == "participant":
                    self._check_rate(live, actor.pid or actor.role)
                events = decide(live.state, actor, command, payload, self.clock())
                self._apply(live, events)
                extra = answer_for(command, events)
                answer = {"ok": True, **extra} if extra else OK
                if key is not None:
                    live.applied[key] = answer
                stored = [e for e in events if e["type"] not in TRANSIENT_EVENTS]
                applied = (key[0], key[1], answer) if key is not None else None
                # Queued while holding the session lock, so the log's order is the order applied;
                # committed outside it, so many commands share one transaction.
                write = self._submit(live, stored, applied) if stored or applied else None
                if write is not None and key is not None:
                    live.pending[key] = write
        # The same id got in meanwhile (sent twice at once): answer as its repeat.
        if twin and key is not None:
            repeated = self._repeated(live, key)
            if repeated is None:  # that first try failed and left nothing: this one goes ahead
                return self.command(live, actor, command, payload, cid)
            return repeated, []
        if write is not None:
            try:
                self._wait(live, write)
            except BaseException:
                if key is not None:  # not stored, so a repeat of this id must not be answered "ok"
                    live.applied.pop(key, None)
                raise
            finally:
                if key is not None:
                    live.pending.pop(key, None)
        return answer, events

    def _repeated(self, live: LiveSession[W], key: ClientKey) -> Answer | None:
        """The answer to a repeat of client id `key` (``(pid, cid)``), marked `repeated`, or
        None if that id is new. Recent answers are in memory; older ones, and ones given by
        another process that served the session before, are read from the store."""
        with live.lock:
            self._check_open(live)
            answer = live.applied.get(key)
            pending = live.pending.get(key)
        if pending is not None:
            self.store.wait(pending)  # the first try is still being written: same promise
        if answer is None:
            if live.applied.complete:  # every answer of the session is here: a new id
                return None
            answer = self.store.answer(live.code, *key)
            if answer is None:
                return None
        return dict(answer, repeated=True)

    def _submit(
        self,
        live: LiveSession[W],
        events: list[Event],
        applied: tuple[str, str, Answer] | None = None,
    ) -> W:
        """Queue a fenced write of `live`'s events (call under its lock, in the order applied)."""
        write = self.store.submit(live.code, events, applied, expect_seq=live.next_seq)
        live.next_seq += len(events)
        return write

    def _wait(self, live: LiveSession[W], write: W) -> None:
        """Wait for `live`'s write; if it failed, memory is ahead of the store: drop this copy
        (`moved` when another writer got there first, else the error itself)."""
        try:
            self.store.wait(write)
        except StaleWriter:
            self._drop(live, "dropped_stale")
            raise Moved() from None
        except BaseException:
            self._drop(live, "dropped_store")
            raise

    @staticmethod
    def _check_open(live: LiveSession[W]) -> None:
        """Refuse commands on a copy this process gave up (or only reads)."""
        if live.closed:
            raise Moved()

    def _drop(self, live: LiveSession[W], why: str | None = None) -> None:
        """Forget this copy of the session: no command may use it any more, and the next one
        loads what is stored (after a failed write, memory was ahead of the file; after a
        refused one, another process wrote; with leases, the next command finds the owner).
        With `why` (counted), its sockets here stay: the transport is told (`on_drop`)."""
        live.closed = True
        with self._lock:
            dropped = self.sessions.get(live.code) is live
            if dropped:
                del self.sessions[live.code]
        if dropped and why is not None:
            self.counts[why] += 1
            self.on_drop(live.code)

    # --- several processes -----------------------------------------------------------------------

    def keep_leases(self, sockets: Mapping[str, int]) -> list[str]:
        """Renew the lease of every session served here, handing over or giving up the ones
        `game.ownership.let_go` says to; `sockets` maps codes to how many sockets of theirs are
        open on this process. Returns the codes this process no longer serves (its sockets for
        them must reconnect). Call every third of a lease; does nothing for a single process."""
        if self.ownership is None:
            return []
        gone = []
        wanted = self.ownership.wanted()
        held = self.ownership.keep_all()  # one write for every lease, however many sessions
        now = self.clock()
        for code, live in list(self.sessions.items()):
            decision = let_go(
                now,
                last_arrival=live.last_arrival,
                sockets=sockets.get(code, 0),
                wanted=code in wanted,
                ttl=self.ownership.ttl,
            )
            if decision == HAND_OVER:
                self._give_up(live, partial(self.ownership.hand_over, to=wanted[code]))
                self.counts["handed_over"] += 1
            elif decision == RELEASE:
                self._give_up(live, self.ownership.release)
                self.counts["released"] += 1
            elif code not in held:
                self._drop(live)  # taken over after this process stalled
                self.counts["taken_over"] += 1
            else:
                continue
            gone.append(code)
        return gone

    def leave(self) -> list[str]:
        """This process is stopping: give up every session it serves, so the next arrival
        anywhere takes it at once instead of waiting for the lease to run out. Returns their
        codes; does nothing for a single process."""
        if self.ownership is None:
            return []
        codes = list(self.sessions)
        for code in codes:
            live = self.sessions.get(code)
            if live is not None:
                self._give_up(live, self.ownership.release)
        return codes

    def _give_up(self, live: LiveSession[W], let_go_of: Callable[[str], object]) -> None:
        """Stop serving `live` here: no command uses this copy from now on; then `let_go_of(code)`
        (queued after every write this copy made, so the next owner reads them all)."""
        with live.lock:
            self._drop(live)
        let_go_of(live.code)

    def _apply(self, live: LiveSession[W], events: list[Event]) -> None:
        # The rules checked their events; checked again here are the ones the hub adds to.
        for event in events:
            if event["type"] == "participant_seated":
                member = live.state.members[event["pid"]]
                event["from"] = [member.table]
                check_event(event)
            elif event["type"] == "participant_joined":
                check_event(event)  # with the token's hash
            apply_event(live.state, event)
            live.observe(event)

    def _check_rate(self, live: LiveSession[W], pid: str) -> None:
        now = self.clock()
        bucket = live.buckets.get(pid)
        if bucket is None:
            bucket = live.buckets[pid] = TokenBucket(
                self.limits["burst"], self.limits["per_second"], now
            )
        if not bucket.take(now):
            raise RateLimited(N_("Slow down a little: too many actions at once."))

    def require_member(self, live: LiveSession[W], pid: str | None) -> None:
        """Raise unless `pid` is a participant of the session."""
        if pid not in live.state.members:
            raise NotFound(N_("You are not part of this session. Join again."))
