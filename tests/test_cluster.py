"""Two serving processes on one store and one Redis queue (`CLUSTER`), real servers: a session
whose phones reach both has one truth, a session moves to a survivor when its process is killed,
and an ended session takes no join on either process. (Through nginx and with three processes:
tests/test_failover.py.)"""

import contextlib
import sqlite3
import time

import pytest

from game.core.registry import replay
from game.storage.sqlite import SQLiteStore
from tests.realclients import Facilitator, RealPhone, close_client, tiny_server
from tests.waiting import GUARD_SECONDS

pytestmark = pytest.mark.slow

PHONES = 6
TABLES = 2


def start_pair(tmp_path, redis_url, mode, lease):
    """Processes `a` and `b` sharing one instance folder and SQLite file (one machine)."""
    shared = tmp_path / "shared"
    env = {
        "TAFELRONDE_CLUSTER": "true",
        "TAFELRONDE_MESSAGE_QUEUE": redis_url,
        "TAFELRONDE_LEASE_SECONDS": str(lease),
        "TAFELRONDE_INSTANCE_PATH": str(shared / "instance"),
        "TAFELRONDE_DATABASE": str(shared / "tafelronde.sqlite3"),
    }
    servers = []
    for name in ("a", "b"):
        server = tiny_server(tmp_path / name, mode, TAFELRONDE_NODE_NAME=name, **env)
        servers.append(server.start())
    return servers, shared / "tafelronde.sqlite3"


def stored(database, code):
    """The session as the shared file holds it (replayed) and its events."""
    store = SQLiteStore(database)
    try:
        events = store.load(code)
        return replay(events), events
    finally:
        store.close()


def lease_of(database, code):
    """``(owner, expires_at)`` of the session's lease as the shared file holds it, expired or
    not (the lease clock is the store's: seconds since the epoch)."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        return db.execute("SELECT owner, expires_at FROM leases WHERE code = ?", (code,)).fetchone()


def test_phones_reaching_both_processes_see_one_truth(tmp_path, redis_url, serve_mode):
    (a, b), database = start_pair(tmp_path, redis_url, serve_mode, lease=60)
    host = Facilitator(a.url)
    phones, sockets = [], []
    try:
        code = host.create_session(flow="deal", table_count=str(TABLES))
        host_sio, _ = host.socket(code)  # the first arrival: a serves the session now
        sockets.append(host_sio)
        for i in range(PHONES):
            phone = RealPhone(a.url if i % 2 == 0 else b.url, code, f"P{i}")
            phones.append(phone)
            answer = phone.try_open()
            if i % 2 == 0:
                assert answer["ok"], answer
            else:  # b does not serve this session: nothing is applied there
                assert answer["code"] == "moved" and 0 < answer["retry_after"] <= 20, answer
                refused = phone.call("join", token=phone.token, name=phone.name)
                assert not refused["ok"]
                phone.url = a.url  # reconnecting, as nginx would route it, reaches a
            phone.join()
            assert phone.call("take_seat", table=i % TABLES)["ok"]

        # A second socket of every odd phone stays on b, where it is told to go elsewhere.
        for phone in phones[1::2]:
            extra = RealPhone(b.url, code, phone.name, token=phone.token)
            assert extra.try_open()["code"] == "moved"
            assert extra.call("cast_vote", choice=0, cid="via-b")["code"] == "unauthorised"
            extra.close()

        assert host_sio.call("deal_card", {"card": "one"}, timeout=5)["ok"]
        accepted = {}
        for i, phone in enumerate(phones):
            answer = phone.call("cast_vote", choice=i % 3, cid=f"vote-{i}")
            assert answer["ok"], answer
            accepted[phone.pid] = i % 3
        for table in range(TABLES):
            assert host_sio.call("reveal_table", {"table": table}, timeout=5)["ok"]

        expected = [0, 0, 0]
        for choice in accepted.values():
            expected[choice] += 1
        host_view = host_sio.call("sync", {}, timeout=5)["view"]
        seen_by_host = [0, 0, 0]
        for table in host_view["tables"]:
            for option, count in enumerate(table["current"]["distribution"]):
                seen_by_host[option] += count
        state, events = stored(database, code)
        votes = [e for e in events if e["type"] == "vote_cast"]
        in_store = {e["pid"]: e["choice"] for e in votes}
        replayed = [0, 0, 0]
        for table in state.tables:
            for option, count in enumerate(table.current.distribution(3)):
                replayed[option] += count
        assert len(votes) == PHONES and in_store == accepted
        assert seen_by_host == replayed == expected
        for phone in phones:  # every phone sees its own table as the store does
            view = phone.call("sync")["view"]
            table = state.tables[view["me"]["table"]]
            assert view["table"]["current"]["distribution"] == table.current.distribution(3)

        # The end: no join anywhere after it.
        assert host_sio.call("end_session", {}, timeout=5)["ok"]
        late_a, late_b = RealPhone(a.url, code, "Late"), RealPhone(b.url, code, "Late")
        phones += [late_a, late_b]
        assert late_a.try_open()["ok"]
        assert late_a.call("join", token=late_a.token, name="Late")["code"] == "out_of_turn"
        assert late_b.try_open()["code"] == "moved"
        assert not late_b.call("join", token=late_b.token, name="Late")["ok"]
        state, events = stored(database, code)
        assert state.ended and len(state.members) == PHONES
    finally:
        for phone in phones:
            phone.close()
        for sio in sockets:
            close_client(sio)
        host.close()
        a.stop()
        b.stop()


def test_a_killed_process_sessions_are_served_by_the_other_within_its_lease(tmp_path, redis_url):
    lease = 3
    (a, b), database = start_pair(tmp_path, redis_url, None, lease=lease)
    host = Facilitator(a.url)
    phones = []
    try:
        code = host.create_session(flow="deal", table_count="1")
        host_sio, _ = host.socket(code)
        for i in range(3):
            phone = RealPhone(a.url, code, f"P{i}")
            phones.append(phone)
            phone.join()
            assert phone.call("take_seat", table=0)["ok"]
        assert host_sio.call("deal_card", {"card": "one"}, timeout=5)["ok"]
        assert phones[0].call("cast_vote", choice=1, cid="before")["ok"]
        close_client(host_sio)
        a.kill()
        killed = time.monotonic()
        owner, a_until = lease_of(database, code)  # a's last word on the lease clock
        assert owner.startswith("a:")
        deadline = killed + GUARD_SECONDS  # a guard against hanging, not the claim
        for phone in phones:  # each comes back through b, as nginx would send it
            phone.url = b.url
            view = phone.come_back(deadline)  # `moved` until b takes the session over
            assert view["me"]["pid"] == phone.pid  # back in its seat
        back_after = time.monotonic() - killed
        # On the lease clock (the store's): b holds the session, claimed no earlier than a's
        # lease ran out. How soon after is tests/test_ownership.py's, on a clock it moves.
        owner, b_until = lease_of(database, code)
        assert owner.startswith("b:") and b_until - lease >= a_until
        print(f"\ntakeover: phones back {back_after:.1f} s after kill -9 (lease {lease} s)")
        assert phones[1].call("cast_vote", choice=2, cid="after")["ok"]
        again = phones[0].call("cast_vote", choice=1, cid="before")  # a retry after the crash
        assert again["ok"] and again.get("repeated")
        state, events = stored(database, code)
        assert [(e["pid"], e["choice"]) for e in events if e["type"] == "vote_cast"] == [
            (phones[0].pid, 1),
            (phones[1].pid, 2),
        ]
    finally:
        for phone in phones:
            phone.close()
        host.close()
        a.stop()
        b.stop()


def test_a_stopped_process_hands_its_sessions_over_at_once(tmp_path, redis_url):
    lease = 60  # far longer than the test: only a release at shutdown lets b in
    (a, b), database = start_pair(tmp_path, redis_url, None, lease=lease)
    host = Facilitator(a.url)
    phone = None
    try:
        code = host.create_session(table_count="1")
        phone = RealPhone(a.url, code, "P")
        phone.join()
        other = RealPhone(b.url, code, "Q")
        assert other.try_open()["code"] == "moved"
        other.close()
        a.stop()  # SIGTERM, as systemd stops a unit
        assert a.process.returncode == 0
        phone.url = b.url
        answer = phone.try_open()
        assert answer["ok"] and answer["view"]["me"]["pid"] == phone.pid, answer
    finally:
        if phone is not None:
            phone.close()
        host.close()
        a.stop()
        b.stop()
