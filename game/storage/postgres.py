"""The shared backend: PostgreSQL (psycopg 3), for several processes on one or more machines.

Same tables, same group commit and same fencing as the SQLite file. Each store holds two
connections: one the commit leader writes batches on (one transaction per batch, a savepoint per
write), one for reads (serialised by a lock; a consistent read runs in a REPEATABLE READ
transaction). Both are used only inside `run_blocking`, so under eventlet libpq waits in a real
thread, never in the hub's loop. A lost connection fails the batch it was writing and is opened
again for the next one.

Fencing across processes: a write reads its session's last sequence number in its own
transaction; if another process commits the same number first, the unique constraint on
``(code, seq)`` refuses the second and it is reported as `StaleWriter`, never stored in part.
"""

import threading
from collections.abc import Callable
from typing import TypeGuard, TypeVar, Unpack

import psycopg
from psycopg import errors
from psycopg.rows import TupleRow

from .events import Batch, GroupCommitStore, RunBlocking, StaleWriter, StoreOptions, _Write
from .sqltypes import Execute, Params

T = TypeVar("T")
Connection = psycopg.Connection[TupleRow]

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        code TEXT PRIMARY KEY,
        deck_id TEXT NOT NULL,
        deck_title TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        ended_at DOUBLE PRECISION,
        people INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        CONSTRAINT events_code_seq UNIQUE (code, seq)
    )""",
    """CREATE TABLE IF NOT EXISTS applied (
        code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
        pid TEXT NOT NULL,
        cid TEXT NOT NULL,
        answer TEXT NOT NULL,
        PRIMARY KEY (code, pid, cid)
    )""",
    """CREATE TABLE IF NOT EXISTS leases (
        code TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS lease_wants (
        code TEXT PRIMARY KEY,
        wanted_by TEXT NOT NULL,
        wanted_until DOUBLE PRECISION NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS signins (
        id TEXT PRIMARY KEY,
        started_at DOUBLE PRECISION NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS nodes (
        node TEXT PRIMARY KEY,
        secret_fp TEXT NOT NULL,
        host_fp TEXT NOT NULL,
        seen_at DOUBLE PRECISION NOT NULL
    )""",
)

# Taken while creating the tables, so processes starting together do not race on the catalogue.
SCHEMA_LOCK = 0x7461666C  # "tafl"


class PostgresStore(GroupCommitStore):
    """The store on a PostgreSQL database named by a ``postgresql://`` URL."""

    Error = psycopg.Error
    IntegrityError = psycopg.IntegrityError

    def __init__(
        self,
        url: str,
        run_blocking: RunBlocking | None = None,
        connect_timeout: int = 10,
        **options: Unpack[StoreOptions],
    ) -> None:
        if run_blocking is not None:
            super().__init__(run_blocking, **options)
        else:
            super().__init__(**options)
        self.url = url
        self._connect_timeout = connect_timeout
        self._sql: dict[str, str] = {}
        self._read_lock = threading.Lock()
        self._writer: Connection | None = None
        self._reader: Connection | None = None
        self._run_blocking(self._open)

    def _connect(self) -> Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=self._connect_timeout)

    def _open(self) -> None:
        self._writer = self._connect()
        self._reader = self._connect()
        self._reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with self._writer.transaction():
            self._writer.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in SCHEMA:
                self._writer.execute(statement)

    def close(self) -> None:
        """Close both connections (tests and shutdown)."""
        for connection in (self._writer, self._reader):
            if connection is not None:
                connection.close()

    def _execute_on(self, connection: Connection) -> Execute:
        """An `execute(sql, params)` that takes the store's "?" placeholders."""

        def execute(sql: str, params: Params = ()) -> psycopg.Cursor[TupleRow]:
            converted = self._sql.get(sql)
            if converted is None:
                converted = self._sql[sql] = sql.replace("?", "%s")
            return connection.execute(converted, params)

        return execute

    def _unavailable(self, error: BaseException) -> bool:
        # Connection refused or lost, the server shutting down, its disk full, too many
        # connections: all OperationalError. InterfaceError: a connection already closed.
        return isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError))

    @staticmethod
    def _usable(connection: Connection | None) -> TypeGuard[Connection]:
        return connection is not None and not connection.closed and not connection.broken

    def _commit(self, batch: list[_Write[object]]) -> None:
        """Write a batch in one transaction; a failing write rolls back alone, via a savepoint.

        A connection the server closed while it was idle (PostgreSQL restarted) is noticed only
        when the transaction begins; then nothing was sent, so the batch is tried once more on
        a new connection instead of failing a moment after the store came back."""
        began: list[bool] = []
        try:
            self._commit_on(self._writer_connection(), batch, began)
        except psycopg.OperationalError:
            if began or self._usable(self._writer):
                raise
            self._commit_on(self._writer_connection(), batch, began)

    def _writer_connection(self) -> Connection:
        if not self._usable(self._writer):
            self._writer = self._connect()
        return self._writer

    def _commit_on(
        self, connection: Connection, batch: list[_Write[object]], began: list[bool]
    ) -> None:
        tx = Batch(self._execute_on(connection))
        with connection.transaction():
            began.append(True)
            for write in batch:
                try:
                    with connection.transaction():  # a savepoint
                        write.result = write.apply(tx)
                except errors.UniqueViolation as error:
                    write.error = self._lost_race(tx, write, error)
                except (psycopg.Error, StaleWriter) as error:
                    if self._unavailable(error):
                        raise  # the connection is gone: the whole batch fails, none of it stored
                    tx.forget(write.fenced[0] if write.fenced else None)
                    write.error = error
                else:
                    tx.done()
                if isinstance(write.error, StaleWriter):
                    self._stale(write, write.error)

    @staticmethod
    def _lost_race(
        tx: Batch, write: _Write[object], error: errors.UniqueViolation
    ) -> psycopg.Error | StaleWriter:
        """Another process committed the sequence number this write took: it is stale."""
        code, expected = write.fenced if write.fenced else (None, None)
        tx.forget(code)
        if code is None or error.diag.constraint_name != "events_code_seq":
            return error
        return StaleWriter(code, expected, tx.next_seq(code))

    def _query(self, function: Callable[[Execute], T], consistent: bool = False) -> T:
        with self._read_lock:
            return self._run_blocking(self._read_now, function, consistent)

    def _read_now(self, function: Callable[[Execute], T], consistent: bool) -> T:
        try:
            return self._read_on(self._reader_connection(), function, consistent)
        except psycopg.OperationalError:
            if self._usable(self._reader):
                raise
            # Closed by the server while idle (it restarted): reading again changes nothing.
            return self._read_on(self._reader_connection(), function, consistent)

    def _reader_connection(self) -> Connection:
        if not self._usable(self._reader):
            self._reader = self._connect()
            self._reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        return self._reader

    def _read_on(
        self, connection: Connection, function: Callable[[Execute], T], consistent: bool
    ) -> T:
        execute = self._execute_on(connection)
        if not consistent:
            return function(execute)
        with connection.transaction():
            return function(execute)
