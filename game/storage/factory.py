"""Which event store a configuration asks for: the SQLite file, or a shared PostgreSQL database."""

import sqlite3
from collections.abc import Mapping
from typing import Any, Unpack

from .events import GroupCommitStore, RunBlocking, StoreOptions, StoreUnavailable, describe
from .sqlite import SQLiteStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(
    config: Mapping[str, Any],  # a Flask config or a dict: settings of any type
    run_blocking: RunBlocking | None = None,
    **options: Unpack[StoreOptions],
) -> GroupCommitStore:
    """Open the store the settings name: `STORE_URL` empty means the SQLite file at `DATABASE`;
    a ``postgresql://`` URL means that database (psycopg 3 must be installed: the `scale` extra).

    `config` is any mapping (a Flask config, a dict); `run_blocking` and `options` (`clock`) go to
    the store. Raises ValueError for a URL it does not understand, and `StoreUnavailable` when
    the store cannot be opened now (PostgreSQL away, the SQLite file's folder not writable).
    """
    url = (config.get("STORE_URL") or "").strip()
    if not url:
        try:
            return SQLiteStore(config["DATABASE"], run_blocking, **options)
        except (sqlite3.OperationalError, OSError) as error:
            raise StoreUnavailable(describe(error)) from error
    if url.startswith(POSTGRES_SCHEMES):
        try:
            from .postgres import PostgresStore
        except ImportError as error:
            raise ValueError(
                "STORE_URL names PostgreSQL, but psycopg is not installed:"
                ' pip install "tafelronde[scale]" (or "psycopg[binary]")'
            ) from error
        import psycopg

        try:
            return PostgresStore(url, run_blocking, **options)
        except (psycopg.OperationalError, OSError) as error:
            raise StoreUnavailable(describe(error)) from error
    scheme = url.split("://", 1)[0] if "://" in url else url
    raise ValueError(
        f"STORE_URL must be empty (the SQLite file at DATABASE) or a postgresql:// URL, not {scheme!r}"
    )
