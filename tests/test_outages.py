"""Store and queue outages as real faults: the real PostgreSQL and Redis are stopped and started
again during voting, with the serving processes left running and the phones keeping their
sockets. While the store is away, commands are answered `unavailable` (nothing applied) and the
pages say saving is paused; once it is back, commands sent again with their cid are applied
once, every table reveals by itself, and the facilitator counts everyone present, without a
process restart. While Redis is away, nothing that matters waits for it: votes are acknowledged
and revealed, and `/readyz` says what is missing.

Figures (printed, never asserted): seconds until `/readyz` turned, until every vote was in and
every table revealed, acknowledged against stored."""

import contextlib
import time

import pytest
import requests

from game.core.registry import replay
from game.storage.postgres import PostgresStore
from tests.outage import readiness, send_until_ok, start_all, until
from tests.realclients import Facilitator, RealPhone, close_client, tiny_server

PROCESSES = 3
TABLES = 3
PHONES = 9  # three at each table, plus one phone page in Chromium at the first
LEASE = 3  # seconds: the outage outlasts the leases, as a real one of a minute would
OUTAGE = 2 * LEASE
REDIS_OUTAGE = 3  # seconds: nothing of Redis's runs out meanwhile
BOUND = 30.0  # seconds: how long a stuck test may poll before it fails
PAUSED_PHONE = "Saving paused"
PAUSED_VOTE = "Saving is paused; your vote will be sent"
PAUSED_HOST = "Saving is paused on the server; it resumes by itself"


@pytest.fixture
def own_postgres():
    """A PostgreSQL of this test alone (it is stopped and started again)."""
    from tests.services import ServiceUnavailable, postgres_server, unavailable

    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(postgres_server())
        except ServiceUnavailable as error:
            unavailable(f"no PostgreSQL to test against: {error}")
        yield server


@pytest.fixture
def own_redis():
    """A Redis of this test alone (it is stopped and started again)."""
    from tests.services import ServiceUnavailable, redis_process, unavailable

    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(redis_process())
        except ServiceUnavailable as error:
            unavailable(f"no Redis to test against: {error}")
        yield server


def cluster_env(n, redis_url, **store):
    """The settings of process `n` of a cluster."""
    return {
        "TAFELRONDE_CLUSTER": "true",
        "TAFELRONDE_MESSAGE_QUEUE": redis_url,
        "TAFELRONDE_LEASE_SECONDS": str(LEASE),
        "TAFELRONDE_TRUSTED_PROXIES": "1",
        "TAFELRONDE_NODE_NAME": f"node{n}",
        "TAFELRONDE_METRICS": "true",  # loopback may read /metrics (METRICS_ALLOW)
        **store,
    }


def metric(url, name):
    """The value of the sample `name` (with its labels) in `url`/metrics, 0 when absent."""
    text = requests.get(f"{url}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


class HostScreen:
    """The facilitator's view as its socket keeps it: the hello's view, then every
    `host_updated` (the tables it names replace theirs), as the facilitator's page does."""

    def __init__(self, host_sio, view):
        self.tables = {t["id"]: t for t in view["tables"]}
        host_sio.on("host_updated", self._update)

    def _update(self, update):
        for table in update["tables"]:
            self.tables[table["id"]] = table

    def all_revealed(self):
        return all(t["current"] and t["current"]["revealed"] for t in self.tables.values())

    def present(self):
        return sum(t["present"] for t in self.tables.values())


@pytest.mark.slow  # starts a server process
def test_postgres_restart_during_voting_recovers_every_table(
    tmp_path, own_postgres, redis_url, browser
):
    from playwright.sync_api import expect

    from tests.e2e import join, phone, sign_in, vote
    from tests.services import ServiceUnavailable, nginx_server, unavailable

    pg = own_postgres
    url = pg.create_database("outage")
    figures = {}
    with contextlib.ExitStack() as stack:
        servers = []
        for n in range(PROCESSES):
            server = tiny_server(
                tmp_path / f"node{n}", **cluster_env(n, redis_url, TAFELRONDE_STORE_URL=url)
            )
            stack.callback(server.stop)
            servers.append(server)
        start_all(servers)
        try:
            proxy = stack.enter_context(nginx_server([s.port for s in servers]))
        except ServiceUnavailable as error:
            unavailable(f"no nginx to test against: {error}")
        host = Facilitator(proxy.url)
        stack.callback(host.close)
        code = host.create_session(flow="deal", table_count=str(TABLES))
        host_sio, view = host.socket(code)
        stack.callback(close_client, host_sio)
        screen = HostScreen(host_sio, view)
        phones = []
        for i in range(PHONES):
            one = RealPhone(proxy.url, code, f"P{i}")
            stack.callback(one.close)
            phones.append(one)
            one.join()
            assert one.call("take_seat", table=i % TABLES)["ok"]

        from tests.e2e import Room

        room = stack.enter_context(Room(browser, proxy, tmp_path))
        page = room.page("host", {"width": 1280, "height": 800})
        sign_in(page, proxy)
        page.goto(f"{proxy.url}/host/s/{code}")
        expect(page.locator("#conn")).to_have_text("Connected")
        mobile = phone(room, "phone", proxy, f"/j/{code}")
        join(mobile, "Browser", "Table 1")
        until(lambda: screen.present() == PHONES + 1, BOUND, "everyone present at the start")

        acked = {}  # (pid, card) -> choice, as acknowledged

        def vote_now(i, one, card, cid):
            answer = one.call("cast_vote", choice=i % 2, cid=cid)
            if answer["ok"]:
                acked[(one.pid, card)] = i % 2
            return answer

        # Round 1, before anything happens: every table reveals by itself.
        assert host_sio.call("deal_card", {"card": "one"}, timeout=5)["ok"]
        for i, one in enumerate(phones):
            assert vote_now(i, one, "one", f"one-{i}")["ok"]
        vote(mobile, "Yes")
        until(lambda: screen.all_revealed(), BOUND, "round 1 revealed")

        # Round 2: half the room has voted when PostgreSQL stops.
        assert host_sio.call("deal_card", {"card": "three"}, timeout=5)["ok"]
        for i, one in enumerate(phones[: PHONES // 2]):
            assert vote_now(i, one, "three", f"three-{i}")["ok"]
        for server in servers:
            assert readiness(server.url)[0] == 200
        pg.stop()
        stopped = time.monotonic()
        turned = {}
        for server in servers:
            until(lambda s=server: readiness(s.url)[0] == 503, BOUND, "readyz 503")
            turned[server.env["TAFELRONDE_NODE_NAME"]] = round(time.monotonic() - stopped, 2)
        status, body = readiness(servers[0].url)
        assert status == 503 and not body["store"]["ok"] and body["queue"]["ok"], body
        figures["readyz 503 after stop"] = turned

        # The rest of the room votes now: refused at once, retryable, nothing applied. A
        # command without a cid is applied in memory before its write fails, so the copy of
        # the session is dropped (loaded again once the store is back), and one phone leaves.
        renamed = phones[0].call("rename", name="Renamed")
        assert renamed["code"] == "unavailable", renamed
        late = list(enumerate(phones))[PHONES // 2 : -1]
        for i, one in late:
            answer = vote_now(i, one, "three", f"three-{i}")
            assert answer["code"] == "unavailable" and answer["retry_after"] > 0, answer
        gone = phones[-1]
        gone.close()
        # A page the process cannot serve from memory answers 503 with Retry-After (not 500).
        page_answer = requests.get(f"{proxy.url}/j/ZZZZZZ", timeout=10)
        assert page_answer.status_code == 503 and "Retry-After" in page_answer.headers
        # The pages say so: the phone keeps its vote, the facilitator's message waits.
        vote(mobile, "This")
        expect(mobile.locator("#conn")).to_have_text(PAUSED_PHONE)
        expect(mobile.get_by_text(PAUSED_VOTE)).to_be_visible()
        page.fill("#message", "Back in a moment")
        page.click("#msg-send")
        expect(page.get_by_text("Saving is paused; this will be sent by itself")).to_be_visible()
        expect(page.locator("#conn")).to_have_text(PAUSED_HOST)
        room.keep_screenshots(phone="outage-phone.png", host="outage-host.png")
        hold_until(stopped + OUTAGE)  # the leases run out

        pg.start()
        back = time.monotonic()
        ready = {}
        for server in servers:
            until(lambda s=server: readiness(s.url)[0] == 200, BOUND, "readyz 200 again")
            ready[server.env["TAFELRONDE_NODE_NAME"]] = round(time.monotonic() - back, 2)
        figures["readyz 200 after start"] = ready
        refusals = 0
        for i, one in late:  # each phone's outbox sends its vote again, with the same cid
            answer, refused = send_until_ok(one, "cast_vote", BOUND, choice=i % 2, cid=f"three-{i}")
            assert not answer.get("repeated")  # it was never applied before
            acked[(one.pid, "three")] = i % 2
            refusals += refused
        figures["votes in after"] = time.monotonic() - back
        # Everyone whose socket stayed open is present (and the one who left is not).
        until(lambda: screen.present() == PHONES, BOUND, "everyone counted present")
        figures["everyone present after"] = time.monotonic() - back
        until(lambda: screen.all_revealed(), BOUND, "round 2 revealed at every table")
        figures["every table revealed after"] = time.monotonic() - back
        expect(mobile.locator("#conn")).to_have_text("Connected")
        expect(page.locator("#conn")).to_have_text("Connected")
        expect(page.locator("#msg-now")).to_contain_text("Back in a moment")

        # Round 3, after the return: every table reveals by itself again.
        assert host_sio.call("deal_card", {"card": "two"}, timeout=5)["ok"]
        for i, one in enumerate(phones[:-1]):
            assert vote_now(i, one, "two", f"two-{i}")["ok"]
        vote(mobile, "Agree")
        until(lambda: screen.all_revealed(), BOUND, "round 3 revealed at every table")
        assert screen.present() == PHONES
        drops = sum(
            metric(s.url, 'tafelronde_session_drops_total{why="store_error"}') for s in servers
        )
        assert drops >= 1  # the copy was dropped and loaded again whole
        figures["copies dropped and loaded again"] = drops

        store = PostgresStore(url)
        events = store.load(code)
        store.close()
        state = replay(events)
        browser_pid = next(m.pid for m in state.members.values() if m.name == "Browser")
        acked.update({(browser_pid, "one"): 0, (browser_pid, "three"): 0, (browser_pid, "two"): 3})
        votes = [e for e in events if e["type"] == "vote_cast"]
        assert {(e["pid"], e["card"]): e["choice"] for e in votes} == acked
        assert len(votes) == len(acked) == 3 * (PHONES + 1) - 2  # none lost, none doubled
        assert gone.pid not in {e["pid"] for e in votes if e["card"] != "one"}
        assert state.members[phones[0].pid].name == "P0"  # the refused rename was not stored
        assert state.message and state.message["text"] == "Back in a moment"
        figures["votes acknowledged / stored"] = f"{len(acked)} / {len(votes)}"
        figures["refusals while resending"] = refusals
        room.assert_clean(console=False)
    shown = {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}
    print(f"\npostgres restart ({OUTAGE} s, {PROCESSES} processes, nginx): {shown}")


@pytest.mark.slow  # starts a server process
def test_redis_restart_during_voting_loses_nothing(tmp_path, own_redis):
    from tests.test_cluster import stored

    shared = tmp_path / "shared"
    store = {
        "TAFELRONDE_INSTANCE_PATH": str(shared / "instance"),
        "TAFELRONDE_DATABASE": str(shared / "tafelronde.sqlite3"),
    }
    figures = {}
    with contextlib.ExitStack() as stack:
        servers = []
        for n in range(2):
            server = tiny_server(tmp_path / f"node{n}", **cluster_env(n, own_redis.url, **store))
            stack.callback(server.stop)
            servers.append(server)
        start_all(servers)
        a = servers[0]
        host = Facilitator(a.url)
        stack.callback(host.close)
        code = host.create_session(flow="deal", table_count="2")
        host_sio, view = host.socket(code)
        stack.callback(close_client, host_sio)
        screen = HostScreen(host_sio, view)
        phones = []
        for i in range(6):
            one = RealPhone(a.url, code, f"P{i}")
            stack.callback(one.close)
            phones.append(one)
            one.join()
            assert one.call("take_seat", table=i % 2)["ok"]
        acked = {}
        assert host_sio.call("deal_card", {"card": "one"}, timeout=5)["ok"]
        for i, one in enumerate(phones[:3]):
            assert one.call("cast_vote", choice=1, cid=f"one-{i}")["ok"]
            acked[(one.pid, "one")] = 1

        own_redis.stop()
        stopped = time.monotonic()
        for server in servers:
            until(lambda s=server: readiness(s.url)[0] == 503, BOUND, "readyz 503")
        figures["readyz 503 after stop"] = round(time.monotonic() - stopped, 2)
        status, body = readiness(a.url)
        assert not body["queue"]["ok"] and body["store"]["ok"], body
        # Votes do not pass through Redis: acknowledged, stored and revealed meanwhile.
        for i, one in enumerate(phones[3:], start=3):
            answer = one.call("cast_vote", choice=2, cid=f"one-{i}")
            assert answer["ok"], answer
            acked[(one.pid, "one")] = 2
        until(lambda: screen.all_revealed(), BOUND, "revealed while Redis is away")
        assert host_sio.call("deal_card", {"card": "three"}, timeout=5)["ok"]
        for i, one in enumerate(phones):
            assert one.call("cast_vote", choice=i % 2, cid=f"three-{i}")["ok"]
            acked[(one.pid, "three")] = i % 2
        hold_until(stopped + REDIS_OUTAGE)

        own_redis.start()
        back = time.monotonic()
        for server in servers:
            until(lambda s=server: readiness(s.url)[0] == 200, BOUND, "readyz 200 again")
        figures["readyz 200 after start"] = round(time.monotonic() - back, 2)
        until(lambda: screen.all_revealed(), BOUND, "revealed")
        assert screen.present() == len(phones)

        state, events = stored(shared / "tafelronde.sqlite3", code)
        votes = [e for e in events if e["type"] == "vote_cast"]
        assert {(e["pid"], e["card"]): e["choice"] for e in votes} == acked
        assert len(votes) == len(acked) == 12
        figures["votes acknowledged / stored"] = f"{len(acked)} / {len(votes)}"
    print(f"\nredis restart ({REDIS_OUTAGE} s, 2 processes): {figures}")


def hold_until(moment):
    """Keep the outage going until `moment` (time.monotonic()): the fault lasts that long."""
    while time.monotonic() < moment:
        time.sleep(0.05)
