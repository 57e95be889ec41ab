"""The SQLite store: events in order, client ids, deleting, and group commit with a fair lead."""

import sqlite3
import threading

import pytest

from game.storage.sqlite import SQLiteStore as Store


def created(code="ABC234", at=1.0):
    return {
        "type": "session_created",
        "code": code,
        "deck_id": "d",
        "deck": {"title": "T"},
        "tables": ["Table 1"],
        "at": at,
    }


def vote(n):
    return {"type": "vote_cast", "table": 0, "pid": f"p{n}", "choice": 0, "card": "c", "at": 2.0}


def test_events_come_back_in_order_with_the_session_summary(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.append("ABC234", [created()])
    store.append("ABC234", [vote(1), vote(2)], applied=("p1", "cid-1", {"ok": True}))
    store.append("ABC234", [{"type": "participant_joined", "pid": "p3", "name": "", "at": 3.0}])
    assert [e.get("pid") for e in store.load("ABC234")] == [None, "p1", "p2", "p3"]
    assert store.applied("ABC234") == {("p1", "cid-1"): {"ok": True}}
    (row,) = store.sessions()
    assert (row["code"], row["deck_title"], row["people"], row["ended_at"]) == (
        "ABC234",
        "T",
        1,
        None,
    )
    store.close()
    again = Store(tmp_path / "s.sqlite3")  # a restart reads the same file
    assert len(again.load("ABC234")) == 4
    again.close()


def test_delete_and_purge_remove_everything(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    for code, ended in (("OLD234", 10.0), ("NEW234", 99.0), ("RUN234", None)):
        store.append(code, [created(code)])
        if ended:
            store.append(code, [{"type": "session_ended", "at": ended}])
    assert store.purge(ended_before=50.0) == ["OLD234"]
    assert not store.exists("OLD234") and store.load("OLD234") == []
    store.delete("NEW234")
    assert [r["code"] for r in store.sessions()] == ["RUN234"]
    assert store.event_count() == 1
    store.close()


def test_a_failing_write_is_rolled_back_alone(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.append("ABC234", [created()])
    good = store.submit("ABC234", [vote(1)])
    bad = store.submit("NOPE22", [vote(2)])  # no such session: the foreign key refuses it
    later = store.submit("ABC234", [vote(3)])
    store.wait(good)
    with pytest.raises(sqlite3.IntegrityError):
        store.wait(bad)
    store.wait(later)
    assert [e.get("pid") for e in store.load("ABC234")] == [None, "p1", "p3"]
    assert store.commits == 2  # the session, then one transaction for all three writes
    store.close()


def test_writes_that_arrive_during_a_commit_share_the_next_one_and_the_leader_is_not_kept(tmp_path):
    """The caller that leads a commit returns as soon as its own batch is stored; the writes that
    queued meanwhile are committed together by the next caller, who is woken to lead."""
    arrivals = []

    def run_blocking(function, *args):
        if not arrivals:  # during the first commit, three more phones vote
            arrivals.extend(store.submit("ABC234", [vote(n)]) for n in (2, 3, 4))
        return function(*args)

    store = Store(tmp_path / "s.sqlite3", run_blocking=run_blocking)
    store.submit("ABC234", [created()])  # committed with the first vote
    first = store.submit("ABC234", [vote(1)])
    store.wait(first)
    assert store.commits == 1 and not any(w.committed for w in arrivals)
    assert arrivals[0].wake.is_set()  # the oldest waiting write was told to lead

    done = []
    threads = [
        threading.Thread(target=lambda w=w: (store.wait(w), done.append(w))) for w in arrivals
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(done) == 3 and store.commits == 2  # one more transaction for all three
    assert [e.get("pid") for e in store.load("ABC234")] == [None, "p1", "p2", "p3", "p4"]
    store.close()


def test_a_disk_error_reaches_the_writers_of_that_batch_and_the_store_goes_on(tmp_path):
    failing = {"on": True}

    def run_blocking(function, *args):
        if failing["on"]:
            failing["on"] = False
            raise sqlite3.OperationalError("disk I/O error")
        return function(*args)

    store = Store(tmp_path / "s.sqlite3", run_blocking=run_blocking)
    with pytest.raises(sqlite3.OperationalError):
        store.append("ABC234", [created()])
    store.append("ABC234", [created()])
    assert len(store.load("ABC234")) == 1
    store.close()
