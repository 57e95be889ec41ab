"""The embedded backend: one SQLite file (WAL), the default when no `STORE_URL` is set.

Writers are serialised by SQLite itself (``BEGIN IMMEDIATE``), so several processes may even share
one file on one machine and fencing still holds. A file written by an earlier version (events
without sequence numbers, no leases) is migrated in place when it is opened: each session's events
are numbered in the order they were stored.
"""

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, Unpack

from .events import Batch, GroupCommitStore, RunBlocking, StaleWriter, StoreOptions, _Write
from .sqltypes import Execute

T = TypeVar("T")

SCHEMA_VERSION = 4  # PRAGMA user_version; 0 is the first version (no seq, no leases)

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
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applied (
    code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
    pid TEXT NOT NULL,
    cid TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (code, pid, cid)
);
"""

# Shared by a fresh file and a migrated one: what version 2 adds.
VERSION_2 = """
CREATE UNIQUE INDEX IF NOT EXISTS events_code_seq ON events(code, seq);
DROP INDEX IF EXISTS events_by_session;
CREATE TABLE IF NOT EXISTS leases (
    code TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL
);
"""

# Version 3: a process the router sends a session's people to, while another holds its lease;
# the facilitator sign-ins in force (game.storage.signins).
VERSION_3 = """
CREATE TABLE IF NOT EXISTS lease_wants (
    code TEXT PRIMARY KEY,
    wanted_by TEXT NOT NULL,
    wanted_until REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS signins (
    id TEXT PRIMARY KEY,
    started_at REAL NOT NULL
);
"""

# Version 4: the processes serving from the store, with their keys' fingerprints
# (game.storage.nodes).
VERSION_4 = """
CREATE TABLE IF NOT EXISTS nodes (
    node TEXT PRIMARY KEY,
    secret_fp TEXT NOT NULL,
    host_fp TEXT NOT NULL,
    seen_at REAL NOT NULL
);
"""

# What SQLite says (the primary result code) when the file cannot be written now rather than
# because of a bug: busy or locked beyond the busy timeout, read-only, an I/O error, the disk
# full, the file cannot be opened.
UNAVAILABLE_CODES = frozenset({5, 6, 8, 10, 13, 14})

# Number the events of a version-0 file per session in the order they were stored (by id).
NUMBER_EVENTS = """
UPDATE events SET seq = numbered.n
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY code ORDER BY id) AS n FROM events) AS numbered
WHERE events.id = numbered.id
"""


class SQLiteStore(GroupCommitStore):
    """The SQLite file: append events (group-committed), load a session, list, delete, purge."""

    Error = sqlite3.Error
    IntegrityError = sqlite3.IntegrityError

    def __init__(
        self,
        path: str | os.PathLike[str],
        run_blocking: RunBlocking | None = None,
        **options: Unpack[StoreOptions],
    ) -> None:
        if run_blocking is not None:
            super().__init__(run_blocking, **options)
        else:
            super().__init__(**options)

        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = self._connect()
        # a second connection for reads while a commit holds the first
        self._spare: sqlite3.Connection | None = None
        self._spare_lock = threading.Lock()
        self._prepare_schema()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is synced at every commit, so an acknowledged vote survives a power cut too.
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        # Deleted sessions are overwritten with zeros, not just unlinked: deleting means gone.
        db.execute("PRAGMA secure_delete=ON")
        db.execute("PRAGMA busy_timeout=5000")
        return db

    def _prepare_schema(self) -> None:
        """Create the tables, or bring a file of an earlier version up to date, in one
        transaction (so two processes opening an old file do not both migrate it)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
            if columns and "seq" not in columns:
                db.execute("ALTER TABLE events ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
                db.execute(NUMBER_EVENTS)
            for statement in (SCHEMA + VERSION_2 + VERSION_3 + VERSION_4).split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the file (tests and shutdown)."""
        self._db.close()
        if self._spare is not None:
            self._spare.close()

    def _unavailable(self, error: BaseException) -> bool:
        code = getattr(error, "sqlite_errorcode", None)
        return (
            isinstance(error, sqlite3.OperationalError)
            and isinstance(code, int)
            and code & 0xFF in UNAVAILABLE_CODES
        )

    def _commit(self, batch: list[_Write[object]]) -> None:
        """Write a batch in one transaction; a failing write rolls back alone, via a savepoint.
        When the file cannot be written (disk full, I/O error), the whole batch fails: SQLite
        may have rolled the transaction back already, and nothing of it is stored."""
        db = self._db
        tx = Batch(db.execute)
        db.execute("BEGIN IMMEDIATE")
        try:
            for write in batch:
                db.execute("SAVEPOINT one")
                try:
                    write.result = write.apply(tx)
                except (sqlite3.Error, StaleWriter) as error:
                    if self._unavailable(error):
                        raise
                    db.execute("ROLLBACK TO one")
                    tx.forget()
                    write.error = error
                    if isinstance(error, StaleWriter):
                        self._stale(write, error)
                else:
                    tx.done()
                db.execute("RELEASE one")
            db.execute("COMMIT")
        except BaseException:
            # Never leave the shared connection inside a transaction: the next batch must start.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _query(self, function: Callable[[Execute], T], consistent: bool = False) -> T:
        read = _in_read_transaction if consistent else _as_is
        with self._lock:
            # Reads share the connection; the lock keeps them out of a commit in progress.
            if not self._committing:
                return read(self._db, function)
        # A commit is being written (during a vote, nearly always): read on the spare connection,
        # opened once (WAL lets it read while the other writes).
        with self._spare_lock:
            if self._spare is None:
                self._spare = self._connect()
            return read(self._spare, function)

    def _after_delete(self) -> None:
        if self.path != ":memory:":
            self._run_blocking(self._checkpoint)

    def _checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it: the old page images in the WAL
        still hold deleted text (best effort; a reader in progress may keep some until later)."""
        db = self._connect()
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()


def _as_is(db: sqlite3.Connection, function: Callable[[Execute], T]) -> T:
    return function(db.execute)


def _in_read_transaction(db: sqlite3.Connection, function: Callable[[Execute], T]) -> T:
    """`function(db.execute)` in one read transaction: its reads see one state of the file."""
    db.execute("BEGIN")
    try:
        return function(db.execute)
    finally:
        db.execute("END")
