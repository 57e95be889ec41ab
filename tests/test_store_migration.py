"""A SQLite file of the first version (events without sequence numbers, no leases) opens, is
numbered in place in the order it was written, and goes on working with fencing."""

import json
import sqlite3

from game.storage.sqlite import SCHEMA_VERSION, SQLiteStore
from tests.test_store import created, vote

# The schema as the first version wrote it.
VERSION_0 = """
CREATE TABLE sessions (
    code TEXT PRIMARY KEY,
    deck_id TEXT NOT NULL,
    deck_title TEXT NOT NULL,
    created_at REAL NOT NULL,
    ended_at REAL,
    people INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX events_by_session ON events(code, id);
CREATE TABLE applied (
    code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
    pid TEXT NOT NULL,
    cid TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (code, pid, cid)
);
"""


def old_file(path):
    """A version-0 file with two sessions whose events were written interleaved."""
    db = sqlite3.connect(path)
    db.executescript(VERSION_0)
    for code in ("AAA234", "BBB234"):
        db.execute(
            "INSERT INTO sessions (code, deck_id, deck_title, created_at) VALUES (?, 'd', 'T', 1)",
            (code,),
        )
    rows = [("AAA234", created("AAA234")), ("BBB234", created("BBB234"))]
    rows += [("AAA234" if n % 3 else "BBB234", vote(n)) for n in range(1, 10)]
    for code, event in rows:
        db.execute(
            "INSERT INTO events (code, type, body) VALUES (?, ?, ?)",
            (code, event["type"], json.dumps(event)),
        )
    db.execute("INSERT INTO applied VALUES ('AAA234', 'p1', 'c1', '{\"ok\": true}')")
    db.commit()
    db.close()
    return [event.get("pid") for code, event in rows if code == "AAA234"]


def test_an_old_file_is_numbered_in_place_and_keeps_working(tmp_path):
    path = tmp_path / "old.sqlite3"
    expected = old_file(path)
    store = SQLiteStore(path)
    log = store.load("AAA234")
    assert [e.get("pid") for e in log] == expected and log.last_seq == len(expected)
    assert store.load("BBB234").last_seq == 4  # created + votes 3, 6, 9
    assert store.applied("AAA234") == {("p1", "c1"): {"ok": True}}
    assert store.append("AAA234", [vote(20)], expect_seq=log.last_seq + 1) == log.last_seq + 1
    assert store.claim("AAA234", "proc-a", ttl=10)
    store.close()

    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    numbers = db.execute("SELECT seq FROM events WHERE code = 'AAA234' ORDER BY id").fetchall()
    assert [n for (n,) in numbers] == list(range(1, len(expected) + 2))
    indexes = {row[1] for row in db.execute("PRAGMA index_list(events)")}
    assert "events_code_seq" in indexes and "events_by_session" not in indexes
    db.close()

    again = SQLiteStore(path)  # opening a migrated file changes nothing
    assert again.load("AAA234").last_seq == len(expected) + 1
    again.close()
