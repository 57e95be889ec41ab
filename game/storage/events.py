"""Durability: every accepted event of every session, group-committed, on one of two backends.

A command is acknowledged only after its events are committed, so a restart — even after
``kill -9`` — replays exactly what people were told was saved. Commits are grouped: while one
transaction is being written, the writes that arrive queue up and go into the next transaction
together ("group commit"), so a room voting at once costs a few fsyncs, not one per vote.

This module holds what both backends share: the queue and its fair lead, what each write does
(events numbered per session, fencing, client ids) and every read; the sign-ins, nodes and
leases are mixed in from their own modules. The backends only say how to run one transaction
with a savepoint per write, and how to read:
`game.storage.sqlite.SQLiteStore` (one file, embedded, the default) and
`game.storage.postgres.PostgresStore` (shared by several processes).

Outages: when the backend cannot be reached or written (PostgreSQL stopped or cut off, the
disk full, SQLite's file locked for longer than its busy timeout), a write or read raises
`StoreUnavailable`: a refusal with its own code (``unavailable``), retryable with the same client
id, never taken for a bug. Nothing of a failed batch is stored, and the next write tries again
(PostgreSQL's connections are opened anew).

Fencing: each session's events are numbered 1, 2, 3, ... (`seq`, unique per session). A writer
may say which number its first event must get (`expect_seq`); if another writer got there first,
its write is refused with `StaleWriter` and nothing of it is stored, while the other writes of the
same batch commit as usual.

The store knows nothing of Flask or sockets. How to run a blocking call without stalling other
connections is passed in (`run_blocking`): under eventlet the server hands the commit to a real
thread (`eventlet.tpool.execute`); in tests it is a plain call.
"""

import json
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import (
    Any,
    Generic,
    NamedTuple,
    NoReturn,
    Protocol,
    TypedDict,
    TypeVar,
    TypeVarTuple,
    cast,
)

from ..errors import N_, Unavailable
from ..jsontypes import JSONDict
from .leases import LeaseRecords
from .nodes import NodeRecords
from .signins import SignInRecords
from .sqltypes import Execute, Params, Row

SESSION_COLUMNS = ("code", "deck_id", "deck_title", "created_at", "ended_at", "people")

T = TypeVar("T")
R_co = TypeVar("R_co", covariant=True)
Ts = TypeVarTuple("Ts")

# An event record as written: a JSON object with a `type` (a `game.core.events` record fits).
StoredEvent = Mapping[str, Any]
# What a client id's command answered, remembered per (pid, cid).
Answers = dict[tuple[str, str], JSONDict]


class SessionRow(TypedDict):
    """A stored session as the facilitator's list shows it (`sessions`), keys `SESSION_COLUMNS`."""

    code: str
    deck_id: str
    deck_title: str
    created_at: float
    ended_at: float | None
    people: int


class RunBlocking(Protocol):
    """Runs ``function(*args)`` without stalling other connections, returning its result."""

    def __call__(self, function: Callable[[*Ts], T], /, *args: *Ts) -> T:
        """``function(*args)``, perhaps in another thread."""
        ...


class StoreOptions(TypedDict, total=False):
    """The options a backend passes on to `GroupCommitStore` besides `run_blocking`."""

    clock: Callable[[], float]


class StaleWriter(Exception):
    """A fenced write was refused: the session's log moved on since this writer's copy.

    `expected` is the sequence number the writer said its first event would get (None for an
    unfenced write that lost a race); `actual` is the number the next event really gets. Nothing
    of the write was stored: reload the session (`load` or `snapshot`) and decide again.
    """

    def __init__(
        self,
        code: str,
        expected: int | None,
        actual: int,
        why: str = "another writer got there first",
    ) -> None:
        super().__init__(
            f"session {code}: the writer expected to write event {expected}, "
            f"the next one is {actual} ({why})"
        )
        self.code, self.expected, self.actual = code, expected, actual


# Seconds after which a client may send a command refused with `StoreUnavailable` again.
RETRY_AFTER = 2.0


class StoreUnavailable(Unavailable):
    """The store cannot be reached or written now (a refusal, not a bug: retry later).

    `detail` says why in the operator's terms (the driver's message, first line), for logs and
    the readiness probe; people see the translated message."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            N_(
                "Saving is paused for a moment: the server cannot store anything right now. "
                "What you sent is kept; send it again in a few seconds."
            ),
            retry_after=RETRY_AFTER,
        )
        self.detail = detail


def describe(error: BaseException) -> str:
    """A driver error in one short line (no traceback), for logs and `/readyz`."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{type(error).__name__}: {text}"[:300]


class EventLog(list[JSONDict]):
    """A session's stored events, oldest first (a plain list), plus `last_seq`: the sequence
    number of the last of them (0 when there are none). The next write expects ``last_seq + 1``."""

    def __init__(self, events: Iterable[JSONDict] = (), last_seq: int = 0) -> None:
        super().__init__(events)
        self.last_seq = last_seq


class Snapshot(NamedTuple):
    """A session as stored, read in one transaction: its `events` (an `EventLog`), the answers
    remembered per client id (``{(pid, cid): answer}``) and the `last_seq` of the events."""

    events: EventLog
    applied: Answers
    last_seq: int


class _Write(Generic[R_co]):
    """One caller's writes, whether they are committed, and the signal that wakes their caller
    (when they are committed, or when it is that caller's turn to lead the next commit).

    `apply(tx)` does the writing inside the batch's transaction (within its own savepoint) and
    may leave an answer in `result`."""

    __slots__ = ("apply", "wake", "committed", "error", "result", "fenced", "ticket")

    def __init__(
        self, apply: "Callable[[Batch], R_co]", fenced: tuple[str, int | None] | None = None
    ) -> None:
        self.apply = apply
        self.fenced = fenced  # (code, expect_seq) of an event write: how to report a lost race
        self.ticket = 0  # its place in the order of submission
        self.wake = threading.Event()
        self.committed = False
        self.error: BaseException | None = None
        self.result: R_co | None = None


def _direct(function: Callable[[*Ts], T], *args: *Ts) -> T:
    return function(*args)


class Batch:
    """What the writes of one transaction share: the statement runner of the backend and the next
    sequence number of each session already touched (so a batch asks the database once per
    session). Backends call `forget` when a write rolls back to its savepoint."""

    def __init__(self, execute: Execute) -> None:
        self.execute = execute  # execute(sql, params) -> cursor; SQL with "?" placeholders
        self._next: dict[str, int] = {}
        self._pending: dict[str, int] = {}

    def next_seq(self, code: str) -> int:
        """The number the next event of `code` gets, as this transaction sees it."""
        if code not in self._next:
            # An aggregate without GROUP BY always returns its one row.
            row = cast(
                Row,
                self.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM events WHERE code = ?", (code,)
                ).fetchone(),
            )
            self._next[code] = row[0] + 1
        return self._next[code]

    def advance(self, code: str, count: int) -> None:
        """`count` events of `code` were written by the current write (kept if it succeeds)."""
        self._pending[code] = self.next_seq(code) + count

    def done(self) -> None:
        """The current write succeeded: its numbers are taken."""
        self._next.update(self._pending)
        self._pending.clear()

    def forget(self, code: str | None = None) -> None:
        """The current write rolled back: drop what it took (and, for `code`, what was cached,
        since another writer may have written it meanwhile)."""
        self._pending.clear()
        if code is not None:
            self._next.pop(code, None)


class GroupCommitStore(SignInRecords, NodeRecords, LeaseRecords):
    """The store's interface and group commit; a backend subclasses it (see the module doc).
    The facilitator's sign-ins are kept here too (`game.storage.signins`), and the processes
    that serve from it (`game.storage.nodes`)."""

    # The driver's errors a single write may fail with (rolled back alone); set by the backend.
    Error: type[Exception] = Exception
    IntegrityError: type[Exception] = Exception

    def __init__(
        self, run_blocking: RunBlocking = _direct, clock: Callable[[], float] = time.time
    ) -> None:
        self._run_blocking = run_blocking
        self.clock = clock  # for leases: seconds since the epoch, the same on every machine
        self._lock = threading.Lock()
        self._queue: list[_Write[object]] = []
        self._tickets = 0  # writes submitted so far
        # code -> fenced writes up to this ticket are stale (inf: until reloaded)
        self._refused: dict[str, float] = {}
        self._committing = False
        self.commits = 0  # transactions written; a benchmark reads it to show grouping
        self.failed_commits = 0  # transactions that failed as a whole (store away, disk full)
        # (time.monotonic(), what) of the latest such failure
        self.last_failure: tuple[float, str] | None = None
        # Called after every transaction with (seconds it took, whether it was written): the
        # shell's metrics. Runs in the leader's thread, outside the store's lock.
        self.on_commit: Callable[[float, bool], None] | None = None

    # --- to be provided by a backend -------------------------------------------------------------

    def _commit(self, batch: list[_Write[object]]) -> None:
        """Run every write of `batch` in one transaction, each in its own savepoint: a write that
        fails sets its `error` and rolls back alone. Runs in `run_blocking`."""
        raise NotImplementedError

    def _query(self, function: Callable[[Execute], T], consistent: bool = False) -> T:
        """Return ``function(execute)`` (`execute(sql, params)` -> cursor); `consistent`: all its
        reads in one transaction, seeing one state of the store."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the connections (tests and shutdown)."""
        raise NotImplementedError

    def _unavailable(self, error: BaseException) -> bool:
        """True for a driver error meaning the store cannot be reached or written now (rather
        than a bug): it is reported as `StoreUnavailable`."""
        return False

    def _after_delete(self) -> None:
        """Called after a session is deleted (SQLite wipes its WAL)."""

    # --- writing ---------------------------------------------------------------------------------

    def append(
        self,
        code: str,
        events: Iterable[StoredEvent],
        applied: tuple[str, str, Mapping[str, Any]] | None = None,
        expect_seq: int | None = None,
    ) -> int:
        """Store `events` of session `code` (and a client id's answer); return when durable.
        Returns the sequence number of the last event written (see `submit`)."""
        return self.wait(self.submit(code, events, applied, expect_seq))

    def submit(
        self,
        code: str,
        events: Iterable[StoredEvent],
        applied: tuple[str, str, Mapping[str, Any]] | None = None,
        expect_seq: int | None = None,
    ) -> _Write[int]:
        """Queue the writes for `events` without waiting; pass the result to `wait`.

        Submitting under a session's lock and waiting outside it keeps the log in the order the
        events were applied while letting the commits of many commands share one transaction.
        `applied` is ``(pid, cid, answer_dict)`` for commands that carried a client id.
        `expect_seq`, when given, is the sequence number the first event must get (the writer's
        last known ``last_seq + 1``, counting its own writes still in flight); if the session's
        log is elsewhere, `wait` raises `StaleWriter` and nothing of this write is stored; so
        are the session's later fenced writes to this store until it is read again (`load`,
        `snapshot`). `wait` returns the sequence number of the write's last event.
        """
        events = list(events)

        def apply(tx: Batch) -> int:
            first = tx.next_seq(code)
            if expect_seq is not None:
                if expect_seq != first:
                    raise StaleWriter(code, expect_seq, first)
                if write.ticket <= self._refused.get(code, 0):
                    raise StaleWriter(code, expect_seq, first, "an earlier write of it was refused")
            for number, event in enumerate(events, start=first):
                for sql, params in _event_ops(code, number, event):
                    tx.execute(sql, params)
            tx.advance(code, len(events))
            if applied is not None:
                pid, cid, answer = applied
                tx.execute(
                    "INSERT INTO applied (code, pid, cid, answer) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (code, pid, cid, json.dumps(answer)),
                )
            return first + len(events) - 1

        write = _Write(apply, (code, expect_seq))
        return self._enqueue(write)

    def wait(self, write: _Write[T]) -> T:
        """Return once `write` is committed (with its result); raise what refused it.

        Whoever finds no commit in progress leads one: it commits everything queued (its own
        write included) in one transaction, then hands the lead to the oldest write still
        queued, so no caller waits for more than the batch after its own.
        """
        while True:
            with self._lock:
                if write.committed:
                    break
                leader = not self._committing
                if leader:
                    self._committing = True
                else:
                    write.wake.clear()
            if leader:
                self._lead_once()
            else:
                write.wake.wait()
        if write.error is not None:
            self._raise(write.error)
        # Committed without an error: `apply` ran and left its answer.
        return cast(T, write.result)

    def _raise(self, error: BaseException) -> NoReturn:
        """Raise a driver's `error`, as `StoreUnavailable` when it means the store is away."""
        if self._unavailable(error):
            raise StoreUnavailable(describe(error)) from error
        raise error

    def delete(self, code: str) -> None:
        """Remove a session and everything recorded about it, leaving no copy in the files."""

        def apply(tx: Batch) -> None:
            tx.execute("DELETE FROM sessions WHERE code = ?", (code,))
            tx.execute("DELETE FROM leases WHERE code = ?", (code,))
            tx.execute("DELETE FROM lease_wants WHERE code = ?", (code,))
            tx.forget(code)

        self._write(apply)
        self._after_delete()

    def purge(self, ended_before: float) -> list[str]:
        """Delete every session that ended before the timestamp `ended_before`; return their codes."""
        codes: list[str] = [
            row[0]
            for row in self._read(
                "SELECT code FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?",
                (ended_before,),
            )
        ]
        for code in codes:
            self.delete(code)
        return codes

    def _enqueue(self, write: _Write[T]) -> _Write[T]:
        with self._lock:
            self._tickets += 1
            write.ticket = self._tickets
            self._queue.append(write)
        return write

    def _stale(self, write: _Write[object], error: StaleWriter) -> None:
        """Backends call this when `write` was refused as stale (in the commit's thread).

        The writes of that session this store receives until the session is read again (`load`,
        `snapshot`) come from the same stale copy: queued behind the refused one, each expects
        the numbers after it, and were the other writer to have written exactly as many events,
        their numbers would fit. So they are refused too, until a reload.
        """
        if write.fenced is not None and write.fenced[1] is not None:
            self._refused[error.code] = math.inf  # one dict store: safe without the (green) lock

    def _reloading(self, code: str) -> None:
        """`code` is being read afresh: writes submitted from now on are judged on their numbers."""
        with self._lock:
            if code in self._refused:
                self._refused[code] = self._tickets

    def _write(self, apply: "Callable[[Batch], T]") -> T:
        return self.wait(self._enqueue(_Write(apply)))

    def _lead_once(self) -> None:
        """Commit what is queued now as one transaction, wake its writers, pass the lead on."""
        with self._lock:
            batch, self._queue = self._queue, []
        started, written = time.perf_counter(), False
        try:
            if batch:
                self._run_blocking(self._commit, batch)
                self.commits += 1
                written = True
        except Exception as error:  # disk full, I/O error, lost connection: this batch is told
            self.failed_commits += 1
            self.last_failure = (time.monotonic(), describe(error))
            for write in batch:
                write.error = error
        except BaseException as error:  # the leader itself is stopped: nobody waits forever
            for write in batch:
                write.error = error
            raise
        finally:
            with self._lock:
                for write in batch:
                    write.committed = True
                self._committing = False
                successor = self._queue[0] if self._queue else None
            # Waiters are woken here, in the caller's thread: under eventlet the commit itself
            # ran in a real OS thread, which must not touch green events.
            for write in batch:
                write.wake.set()
            if successor is not None:
                successor.wake.set()  # its caller leads the next batch (or finds it led already)
            if batch and self.on_commit is not None:
                self.on_commit(time.perf_counter() - started, written)

    # --- reading ---------------------------------------------------------------------------------

    def _read(self, sql: str, params: Params = ()) -> list[Row]:
        return self._ask(lambda execute: execute(sql, params).fetchall())

    def _ask(self, function: Callable[[Execute], T], consistent: bool = False) -> T:
        """`_query`, with a driver error meaning the store is away raised as `StoreUnavailable`."""
        try:
            return self._query(function, consistent)
        except Exception as error:
            self._raise(error)

    def load(self, code: str) -> EventLog:
        """The stored events of a session, oldest first, as an `EventLog` (a list with
        `last_seq`); empty, with `last_seq` 0, if there is no such session."""
        self._reloading(code)
        return _events(self._read(_LOAD, (code,)))

    def snapshot(self, code: str) -> Snapshot:
        """Events, client ids' answers and `last_seq` of a session, read in one transaction
        (what a process taking over a session reloads)."""
        self._reloading(code)

        def read(execute: Execute) -> Snapshot:
            log = _events(execute(_LOAD, (code,)).fetchall())
            return Snapshot(log, _answers(execute(_APPLIED, (code,)).fetchall()), log.last_seq)

        return self._ask(read, consistent=True)

    def last_seq(self, code: str) -> int:
        """The sequence number of the last stored event of `code` (0 if none)."""
        seq: int = self._read("SELECT COALESCE(MAX(seq), 0) FROM events WHERE code = ?", (code,))[
            0
        ][0]
        return seq

    def applied(self, code: str) -> Answers:
        """``{(pid, cid): answer}`` for the session: client ids already applied."""
        return _answers(self._read(_APPLIED, (code,)))

    def answer(self, code: str, pid: str, cid: str) -> JSONDict | None:
        """The answer remembered for client id `cid` of `pid` in session `code`, or None."""
        rows = self._read(
            "SELECT answer FROM applied WHERE code = ? AND pid = ? AND cid = ?", (code, pid, cid)
        )
        answer: JSONDict | None = json.loads(rows[0][0]) if rows else None
        return answer

    def exists(self, code: str) -> bool:
        """True if a session with this code is stored."""
        return bool(self._read("SELECT 1 FROM sessions WHERE code = ?", (code,)))

    def sessions(self) -> list[SessionRow]:
        """Every stored session, newest first, as dicts for the facilitator's list."""
        rows = self._read(
            f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions ORDER BY created_at DESC"
        )
        # SESSION_COLUMNS are the keys of SessionRow, and the SELECT reads them in that order.
        return [cast(SessionRow, dict(zip(SESSION_COLUMNS, row, strict=True))) for row in rows]

    def event_count(self, code: str | None = None) -> int:
        """How many events are stored (for one session, or all)."""
        count: int
        if code is None:
            count = self._read("SELECT COUNT(*) FROM events")[0][0]
            return count
        count = self._read("SELECT COUNT(*) FROM events WHERE code = ?", (code,))[0][0]
        return count


_LOAD = "SELECT seq, body FROM events WHERE code = ? ORDER BY seq"
_APPLIED = "SELECT pid, cid, answer FROM applied WHERE code = ?"


def _events(rows: Sequence[Row]) -> EventLog:
    return EventLog([json.loads(body) for _, body in rows], rows[-1][0] if rows else 0)


def _answers(rows: Iterable[Row]) -> Answers:
    return {(pid, cid): json.loads(answer) for pid, cid, answer in rows}


def _event_ops(code: str, seq: int, event: StoredEvent) -> list[tuple[str, Params]]:
    """The SQL that records one event as number `seq`, plus the session summary it changes."""
    ops: list[tuple[str, Params]] = []

    kind = event["type"]
    if kind == "session_created":
        ops.append(
            (
                "INSERT INTO sessions (code, deck_id, deck_title, created_at) VALUES (?, ?, ?, ?)",
                (code, event["deck_id"], event["deck"]["title"], event["at"]),
            )
        )
    ops.append(
        (
            "INSERT INTO events (code, seq, type, body) VALUES (?, ?, ?, ?)",
            (code, seq, kind, json.dumps(event, separators=(",", ":"))),
        )
    )
    if kind == "participant_joined":
        ops.append(("UPDATE sessions SET people = people + 1 WHERE code = ?", (code,)))
    elif kind == "session_ended":
        ops.append(("UPDATE sessions SET ended_at = ? WHERE code = ?", (event["at"], code)))
    return ops
