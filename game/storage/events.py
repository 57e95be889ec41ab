"""Durability: every accepted event of every session, in one SQLite file (WAL).

A command is acknowledged only after its events are committed here, so a restart — even after
``kill -9`` — replays exactly what people were told was saved. Commits are grouped: while one
transaction is being written, the writes that arrive queue up and go into the next transaction
together ("group commit"), so a room voting at once costs a few fsyncs, not one per vote.

The store knows nothing of Flask or sockets. How to run a blocking call without stalling other
connections is passed in (`run_blocking`): under eventlet the server hands the commit to a real
thread (`eventlet.tpool.execute`); in tests it is a plain call.
"""

import json
import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    code TEXT PRIMARY KEY,
    deck_id TEXT NOT NULL,
    deck_title TEXT NOT NULL,
    created_at REAL NOT NULL,
    ended_at REAL,
    people INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_session ON events(code, id);
CREATE TABLE IF NOT EXISTS applied (
    code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
    pid TEXT NOT NULL,
    cid TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (code, pid, cid)
);
"""


class _Write:
    """One caller's writes, whether they are committed, and the signal that wakes their caller
    (when they are committed, or when it is that caller's turn to lead the next commit)."""

    __slots__ = ("ops", "wake", "committed", "error")

    def __init__(self, ops):
        self.ops = ops
        self.wake = threading.Event()
        self.committed = False
        self.error = None


def _direct(function, *args):
    return function(*args)


class Store:
    """The SQLite file: append events (group-committed), load a session, list, delete, purge."""

    def __init__(self, path, run_blocking=_direct):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._run_blocking = run_blocking
        self._db = self._connect()
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._queue = []
        self._committing = False
        self.commits = 0  # transactions written; a benchmark reads it to show grouping

    def _connect(self):
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is synced at every commit, so an acknowledged vote survives a power cut too.
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        # Deleted sessions are overwritten with zeros, not just unlinked: deleting means gone.
        db.execute("PRAGMA secure_delete=ON")
        db.execute("PRAGMA busy_timeout=5000")
        return db

    def close(self):
        """Close the file (tests and shutdown)."""
        self._db.close()

    # --- writing ---------------------------------------------------------------------------------

    def append(self, code, events, applied=None):
        """Store `events` of session `code` (and a client id's answer); return when durable."""
        self.wait(self.submit(code, events, applied))

    def submit(self, code, events, applied=None):
        """Queue the writes for `events` without waiting; pass the result to `wait`.

        Submitting under a session's lock and waiting outside it keeps the log in the order the
        events were applied while letting the commits of many commands share one transaction.
        `applied` is ``(pid, cid, answer_dict)`` for commands that carried a client id.
        """
        ops = []
        for event in events:
            ops.extend(_event_ops(code, event))
        if applied is not None:
            pid, cid, answer = applied
            ops.append(
                (
                    "INSERT OR IGNORE INTO applied (code, pid, cid, answer) VALUES (?, ?, ?, ?)",
                    (code, pid, cid, json.dumps(answer)),
                )
            )
        write = _Write(ops)
        with self._lock:
            self._queue.append(write)
        return write

    def wait(self, write):
        """Return once `write` is committed.

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
            raise write.error

    def delete(self, code):
        """Remove a session and everything recorded about it, leaving no copy in the files."""
        self._write([("DELETE FROM sessions WHERE code = ?", (code,))])
        if self.path != ":memory:":
            self._run_blocking(self._checkpoint)

    def _checkpoint(self):
        """Copy the WAL into the database file and empty it: the old page images in the WAL
        still hold deleted text (best effort; a reader in progress may keep some until later)."""
        db = self._connect()
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()

    def purge(self, ended_before):
        """Delete every session that ended before the timestamp `ended_before`; return their codes."""
        codes = [
            row[0]
            for row in self._read(
                "SELECT code FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?",
                (ended_before,),
            )
        ]
        for code in codes:
            self.delete(code)
        return codes

    def _write(self, ops):
        write = _Write(ops)
        with self._lock:
            self._queue.append(write)
        self.wait(write)

    def _lead_once(self):
        """Commit what is queued now as one transaction, wake its writers, pass the lead on."""
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            if batch:
                self._run_blocking(self._commit, batch)
        except Exception as error:  # disk full, I/O error: this batch's writers are told
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

    def _commit(self, batch):
        """Write a batch in one transaction; a failing write rolls back alone, via a savepoint."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for write in batch:
                db.execute("SAVEPOINT one")
                try:
                    for sql, params in write.ops:
                        db.execute(sql, params)
                except sqlite3.Error as error:
                    db.execute("ROLLBACK TO one")
                    write.error = error
                db.execute("RELEASE one")
            db.execute("COMMIT")
        except BaseException:
            # Never leave the shared connection inside a transaction: the next batch must start.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        self.commits += 1

    # --- reading ---------------------------------------------------------------------------------

    def _read(self, sql, params=()):
        with self._lock:
            # Reads share the connection; the lock keeps them out of a commit in progress.
            if self._committing:
                db = self._connect()
                try:
                    return db.execute(sql, params).fetchall()
                finally:
                    db.close()
            return self._db.execute(sql, params).fetchall()

    def load(self, code):
        """The stored events of a session, oldest first (empty if there is no such session)."""
        rows = self._read("SELECT body FROM events WHERE code = ? ORDER BY id", (code,))
        return [json.loads(body) for (body,) in rows]

    def applied(self, code):
        """``{(pid, cid): answer}`` for the session: client ids already applied."""
        rows = self._read("SELECT pid, cid, answer FROM applied WHERE code = ?", (code,))
        return {(pid, cid): json.loads(answer) for pid, cid, answer in rows}

    def exists(self, code):
        """True if a session with this code is stored."""
        return bool(self._read("SELECT 1 FROM sessions WHERE code = ?", (code,)))

    def sessions(self):
        """Every stored session, newest first, as dicts for the facilitator's list."""
        rows = self._read(
            "SELECT code, deck_id, deck_title, created_at, ended_at, people FROM sessions"
            " ORDER BY created_at DESC"
        )
        keys = ("code", "deck_id", "deck_title", "created_at", "ended_at", "people")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def event_count(self, code=None):
        """How many events are stored (for one session, or all)."""
        if code is None:
            return self._read("SELECT COUNT(*) FROM events")[0][0]
        return self._read("SELECT COUNT(*) FROM events WHERE code = ?", (code,))[0][0]


def _event_ops(code, event):
    """The SQL that records one event, plus the session summary it changes."""
    ops = []
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
            "INSERT INTO events (code, type, body) VALUES (?, ?, ?)",
            (code, kind, json.dumps(event, separators=(",", ":"))),
        )
    )
    if kind == "participant_joined":
        ops.append(("UPDATE sessions SET people = people + 1 WHERE code = ?", (code,)))
    elif kind == "session_ended":
        ops.append(("UPDATE sessions SET ended_at = ? WHERE code = ?", (event["at"], code)))
    return ops
