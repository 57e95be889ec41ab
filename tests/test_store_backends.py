"""One store, two backends: the same tests on the SQLite file and on a real PostgreSQL server.

Group commit under concurrent writers, fencing (a stale copy's write is refused, nothing of it is
stored, the other sessions of the batch commit), reloading after a refusal, session leases, and
the factory that picks a backend from the settings.
"""

import itertools
import threading

import pytest

from game.storage import StaleWriter, open_store
from game.storage.sqlite import SQLiteStore
from tests.test_store import created, vote

_databases = itertools.count(1)


class Clock:
    """A clock the lease tests move by hand."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def opener(request, tmp_path):
    """A function that opens a store on this test's own database; call it twice for two writers
    (two processes) on one database. Stores are closed at the end."""
    if request.param == "sqlite":
        config = {"STORE_URL": "", "DATABASE": str(tmp_path / "s.sqlite3")}
    else:
        server = request.getfixturevalue("postgres")
        config = {"STORE_URL": server.create_database(f"t{next(_databases)}")}
    opened = []

    def open_one(**options):
        store = open_store(config, **options)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


def pids(store, code):
    return [e.get("pid") for e in store.load(code)]


def test_events_come_back_numbered_with_summary_and_client_ids(opener):
    store = opener()
    assert store.append("ABC234", [created()], expect_seq=1) == 1
    assert store.append("ABC234", [vote(1), vote(2)], applied=("p1", "c1", {"ok": True})) == 3
    store.append("ABC234", [{"type": "participant_joined", "pid": "p3", "at": 3.0}])
    log = store.load("ABC234")
    assert [e.get("pid") for e in log] == [None, "p1", "p2", "p3"] and log.last_seq == 4
    assert store.applied("ABC234") == {("p1", "c1"): {"ok": True}}
    (row,) = store.sessions()
    assert (row["code"], row["deck_title"], row["people"]) == ("ABC234", "T", 1)
    again = opener()  # another process, or a restart, reads the same
    events, applied, last = again.snapshot("ABC234")
    assert len(events) == 4 and last == 4 and applied == {("p1", "c1"): {"ok": True}}
    assert again.load("NONE22") == [] and again.load("NONE22").last_seq == 0
    assert again.exists("ABC234") and again.event_count() == 4 and again.last_seq("ABC234") == 4


def test_a_failing_write_is_rolled_back_alone(opener):
    store = opener()
    store.append("ABC234", [created()])
    good = store.submit("ABC234", [vote(1)])
    bad = store.submit("NOPE22", [vote(2)])  # no such session: the foreign key refuses it
    later = store.submit("ABC234", [vote(3)])
    assert store.wait(good) == 2
    with pytest.raises(store.IntegrityError):
        store.wait(bad)
    assert store.wait(later) == 3
    assert pids(store, "ABC234") == [None, "p1", "p3"]
    assert store.commits == 2


def test_concurrent_writers_share_commits_and_get_unbroken_numbers(opener):
    store = opener()
    store.append("ABC234", [created()])
    store.append("XYZ789", [created("XYZ789")])
    threads, each = 12, 15
    errors = []

    def writer(index):
        code = "ABC234" if index % 2 else "XYZ789"
        try:
            for n in range(each):
                store.append(code, [vote(index * 100 + n)], (f"p{index}", f"c{n}", {"ok": True}))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not errors
    for code in ("ABC234", "XYZ789"):
        log = store.load(code)
        assert len(log) == 1 + threads // 2 * each and log.last_seq == len(log)
        assert len(store.applied(code)) == threads // 2 * each
    writes = threads * each
    assert store.commits < 2 + writes  # grouped: fewer transactions than writes


def test_a_stale_writer_is_refused_and_leaves_nothing_while_its_batch_commits(opener):
    first, second = opener(), opener()  # two processes on one database
    first.append("ABC234", [created()], expect_seq=1)
    first.append("XYZ789", [created("XYZ789")], expect_seq=1)
    assert second.load("ABC234").last_seq == 1
    first.append("ABC234", [vote(1)], expect_seq=2)  # the first process moves on

    stale = second.submit("ABC234", [vote(2), vote(3)], ("p2", "c2", {"ok": True}), expect_seq=2)
    other = second.submit("XYZ789", [vote(4)], ("p4", "c4", {"ok": True}), expect_seq=2)
    with pytest.raises(StaleWriter) as refused:
        second.wait(stale)
    assert (refused.value.code, refused.value.expected, refused.value.actual) == ("ABC234", 2, 3)
    assert second.wait(other) == 2  # same transaction, other session: stored
    assert second.commits == 1  # one transaction for both writes
    assert pids(first, "ABC234") == [None, "p1"] and first.applied("ABC234") == {}
    assert pids(first, "XYZ789") == [None, "p4"]


def test_writes_queued_behind_a_refused_one_are_refused_until_the_session_is_reloaded(opener):
    first, second = opener(), opener()
    first.append("ABC234", [created()])
    second.load("ABC234")
    first.append("ABC234", [vote(1)], expect_seq=2)
    # The stale copy pipelines two writes: 2 is refused; 3 would fit the other writer's numbers.
    one = second.submit("ABC234", [vote(2)], expect_seq=2)
    two = second.submit("ABC234", [vote(3)], expect_seq=3)
    for write in (one, two):
        with pytest.raises(StaleWriter):
            second.wait(write)
    with pytest.raises(StaleWriter):  # still the stale copy: nothing was reloaded
        second.append("ABC234", [vote(3)], expect_seq=3)
    events, _, last = second.snapshot("ABC234")  # reload, decide again, continue
    assert last == 2 and [e.get("pid") for e in events] == [None, "p1"]
    assert second.append("ABC234", [vote(5)], expect_seq=last + 1) == 3
    with pytest.raises(StaleWriter):  # now the first process is the stale one
        first.append("ABC234", [vote(6)], expect_seq=3)
    assert pids(first, "ABC234") == [None, "p1", "p5"]


def test_a_write_expecting_numbers_ahead_of_the_log_is_refused(opener):
    # A writer whose earlier write failed (a full disk) expects numbers the log never reached.
    store = opener()
    store.append("ABC234", [created()])
    with pytest.raises(StaleWriter) as refused:
        store.append("ABC234", [vote(1)], expect_seq=5)
    assert (refused.value.expected, refused.value.actual) == (5, 2)
    assert store.append("ABC234", [vote(2)]) == 2  # unfenced writes are not judged


def test_leases_give_one_owner_at_a_time_and_expire(opener):
    clock = Clock()
    one, two = opener(clock=clock), opener(clock=clock)
    assert one.owner_of("ABC234") is None
    assert one.claim("ABC234", "proc-a", ttl=10)
    assert not two.claim("ABC234", "proc-b", ttl=10)
    assert two.owner_of("ABC234") == "proc-a"
    clock.now += 8
    assert one.renew("ABC234", "proc-a", ttl=10) and one.claim("ABC234", "proc-a", ttl=10)
    clock.now += 9
    assert not two.claim("ABC234", "proc-b", ttl=10)  # renewed: still proc-a's
    clock.now += 2  # proc-a stopped renewing; its lease ran out
    assert two.owner_of("ABC234") is None
    assert two.claim("ABC234", "proc-b", ttl=10)
    assert not one.renew("ABC234", "proc-a", ttl=10)  # lost: proc-a must stop serving it
    assert not one.release("ABC234", "proc-a")
    assert two.release("ABC234", "proc-b") and one.claim("ABC234", "proc-a", ttl=10)
    one.append("ABC234", [created()])
    one.delete("ABC234")  # a deleted session takes its lease along
    assert two.owner_of("ABC234") is None


def test_the_factory_picks_the_backend_from_the_settings(tmp_path):
    store = open_store({"STORE_URL": "", "DATABASE": str(tmp_path / "x.sqlite3")})
    assert isinstance(store, SQLiteStore)
    store.close()
    with pytest.raises(ValueError, match="mysql") as refused:
        open_store({"STORE_URL": "mysql://u:secret@h/db", "DATABASE": "x"})
    assert "secret" not in str(refused.value)


@pytest.mark.slow
def test_postgresql_a_race_lost_at_the_unique_constraint_is_a_stale_writer(postgres):
    """Another process's transaction takes number 2 while ours is deciding: ours waits on the
    unique index, then is refused as stale, not failed with a raw integrity error."""
    import psycopg

    url = postgres.create_database(f"t{next(_databases)}")
    store = open_store({"STORE_URL": url})
    try:
        store.append("ABC234", [created()])
        other = psycopg.connect(url)
        other.execute(
            "INSERT INTO events (code, seq, type, body) VALUES ('ABC234', 2, 'vote_cast', '{}')"
        )  # not committed yet
        outcome = []
        racer = threading.Thread(
            target=lambda: outcome.append(_outcome(store, "ABC234", vote(1), expect_seq=2))
        )
        racer.start()
        racer.join(0.5)
        assert racer.is_alive()  # blocked on the other transaction's row of the unique index
        other.commit()
        other.close()
        racer.join(10)
        (error,) = outcome
        assert isinstance(error, StaleWriter) and (error.expected, error.actual) == (2, 3)
        assert store.load("ABC234").last_seq == 2
        assert store.append("ABC234", [vote(3)], expect_seq=3) == 3  # after its reload
    finally:
        store.close()


def _outcome(store, code, event, expect_seq):
    try:
        return store.append(code, [event], expect_seq=expect_seq)
    except StaleWriter as error:
        return error


def test_a_wanted_session_is_handed_over_after_the_writes_before_it(opener):
    clock = Clock()
    one, two = opener(clock=clock), opener(clock=clock)
    one.append("ABC234", [created()], expect_seq=1)
    assert one.claim("ABC234", "proc-a", ttl=10)
    assert one.wanted("proc-a") == {}
    two.want("ABC234", "proc-b", ttl=3)  # the router sends this session's people to proc-b
    two.want("ABC234", "proc-a", ttl=3)  # a want by the holder itself means nothing
    assert one.wanted("proc-a") == {}
    two.want("ABC234", "proc-b", ttl=3)
    assert one.wanted("proc-a") == {"ABC234": "proc-b"}
    assert two.wanted("proc-b") == {}  # only the holder is asked
    clock.now += 4
    assert one.wanted("proc-a") == {}  # wants run out: proc-b stopped asking
    two.want("ABC234", "proc-b", ttl=3)
    last = one.submit("ABC234", [vote(1)], expect_seq=2)  # queued before the hand-over
    assert one.hand_over("ABC234", "proc-a", "proc-b", ttl=10)
    assert one.wait(last) == 2
    assert two.lease("ABC234") == ("proc-b", clock.now + 10)
    assert one.wanted("proc-a") == {} and two.wanted("proc-b") == {}  # the want is spent
    assert not one.hand_over("ABC234", "proc-a", "proc-b", ttl=10)  # not proc-a's any more
    assert not one.renew("ABC234", "proc-a", ttl=10)
    snap = two.snapshot("ABC234")
    assert snap.last_seq == 2 and two.claim("ABC234", "proc-b", ttl=10)


def test_renewing_all_of_an_owners_leases_is_one_write_that_says_what_it_still_holds(opener):
    clock = Clock()
    one, two = opener(clock=clock), opener(clock=clock)
    for code in ("ABC234", "DEF567", "GHJ789"):
        assert one.claim(code, "proc-a", ttl=10)
    clock.now += 11  # proc-a stalled past its leases; proc-b takes one of them
    assert two.claim("DEF567", "proc-b", ttl=10)
    commits = one.commits
    assert one.renew_all("proc-a", ttl=10) == {"ABC234", "GHJ789"}
    assert one.commits == commits + 1
    assert one.lease("ABC234") == ("proc-a", clock.now + 10)  # nobody took it: still proc-a's
    assert two.lease("DEF567") == ("proc-b", clock.now + 10)
    assert one.release("GHJ789", "proc-a")
    assert one.renew_all("proc-a", ttl=10) == {"ABC234"}
    assert two.renew_all("proc-c", ttl=10) == set()
