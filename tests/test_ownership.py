"""One owner per session among several processes (game.ownership, game.hub), without a server:
two hubs on one SQLite file stand for two processes, with one clock the test moves by hand."""

import pytest

from game.core.rules import FACILITATOR, Actor
from game.errors import Moved
from game.hub import Hub
from game.ownership import HAND_OVER, IDLE_LEASES, RELEASE, Ownership, let_go
from game.storage.sqlite import SQLiteStore
from tests.coregame import hub_session

TTL = 6.0


class Clock:
    """The one clock of the store and the hubs, moved by hand."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_let_go_hands_over_only_when_wanted_and_quiet_and_releases_only_when_idle():
    rule = dict(sockets=3, ttl=TTL)
    assert let_go(100.0, last_arrival=99.0, wanted=True, **rule) is None  # people still arrive
    assert let_go(103.0, last_arrival=100.0, wanted=True, **rule) == HAND_OVER
    assert let_go(103.0, last_arrival=100.0, wanted=False, **rule) is None
    idle = 100.0 + IDLE_LEASES * TTL
    assert let_go(idle, last_arrival=100.0, wanted=False, **rule) is None  # sockets still open
    assert let_go(idle, last_arrival=100.0, wanted=False, sockets=0, ttl=TTL) == RELEASE
    assert let_go(idle - 1, last_arrival=100.0, wanted=False, sockets=0, ttl=TTL) is None


@pytest.fixture
def cluster(tmp_path):
    """`make(name)` opens a hub with its own store on the shared file (one per process)."""
    clock, opened = Clock(), []

    def make(name, owned=True):
        store = SQLiteStore(tmp_path / "s.sqlite3", clock=clock)
        opened.append(store)
        ownership = Ownership(store, TTL, name) if owned else None
        return Hub(store, clock=clock, ownership=ownership)

    make.clock = clock
    yield make
    for store in opened:
        store.close()


def _session(hub):
    return hub_session(hub)


def _seated(hub, live, token="t" * 30):
    pid, _ = hub.join(live, token, "A")
    hub.command(live, Actor.participant(pid), "take_seat", {"table": 0})
    return pid


def test_without_leases_a_stale_copy_is_refused_and_the_retry_is_decided_on_the_stored_log(
    cluster,
):
    a, b = cluster("a", owned=False), cluster("b", owned=False)
    live_a = _session(a)
    one, two = _seated(a, live_a, "1" * 30), _seated(a, live_a, "2" * 30)
    a.command(live_a, FACILITATOR, "deal_card", {"card": "pick"})
    live_b = b.get(live_a.code)  # both processes hold a copy: the misrouted setup
    assert a.command(live_a, Actor.participant(one), "cast_vote", {"choice": 0}, cid="v")[0]["ok"]
    with pytest.raises(Moved):  # b's copy is behind the store: its write is refused
        b.command(live_b, Actor.participant(two), "cast_vote", {"choice": 1}, cid="v")
    assert live_b.closed and live_b.code not in b.sessions
    again = b.get(live_a.code)  # the retry reloads what is stored and decides on it
    answer, _ = b.command(again, Actor.participant(two), "cast_vote", {"choice": 1}, cid="v")
    assert answer == {"ok": True}
    votes = [(e["pid"], e["choice"]) for e in b.store.load(live_a.code) if e["type"] == "vote_cast"]
    assert votes == [(one, 0), (two, 1)]
    assert again.state.tables[0].current.votes == {one: 0, two: 1}


def test_a_session_has_one_owner_and_the_others_answer_moved(cluster):
    a, b = cluster("a"), cluster("b")
    live = _session(a)
    assert a.store.owner_of(live.code) == "a"
    with pytest.raises(Moved) as moved:
        b.get(live.code)
    assert 0.5 <= moved.value.params["retry_after"] <= TTL / 3
    assert b.store.wanted("b") == {} and a.store.wanted("a") == {live.code: "b"}
    assert b.get("ZZZZZZ") is None  # an unknown code is unknown everywhere, and takes no lease
    assert b.store.lease("ZZZZZZ") is None
    peeked = b.peek(live.code)  # pages may read it from the store, never act on it
    assert peeked.state.code == live.code and live.code not in b.sessions
    with pytest.raises(Moved):
        b.command(peeked, FACILITATOR, "deal_card", {"card": "pick"})


def test_a_session_made_by_a_request_is_let_go_so_its_people_find_it_anywhere(cluster):
    a, b = cluster("a"), cluster("b")
    live = _session(a)
    a.command(live, FACILITATOR, "set_devices", {"devices": "shared"})
    a.done_creating(live)
    assert live.code not in a.sessions and a.store.owner_of(live.code) is None
    served = b.get(live.code)
    assert served.state.devices(0) == "shared" and b.store.owner_of(live.code) == "b"


def test_the_owner_hands_over_when_people_are_sent_elsewhere_and_none_arrive_here(cluster):
    a, b = cluster("a"), cluster("b")
    live = _session(a)
    pid = _seated(a, live)
    a.arrived(live)
    with pytest.raises(Moved):
        b.get(live.code)  # the router sends the session's people to b now
    assert a.keep_leases({live.code: 2}) == []  # someone arrived at a a moment ago: keep it
    cluster.clock.now += TTL / 2
    with pytest.raises(Moved):
        b.get(live.code)  # still asking
    assert a.keep_leases({live.code: 2}) == [live.code]
    assert live.closed
    with pytest.raises(Moved):  # a phone still on a: nothing applied on the old copy
        a.command(live, Actor.participant(pid), "rename", {"name": "B"})
    cluster.clock.now += 0.5  # b trusts its last look at the store for half a second
    served = b.get(live.code)
    assert served.state.members[pid].table == 0  # everything a wrote, b reads
    assert b.store.owner_of(live.code) == "b"
    with pytest.raises(Moved):
        a.get(live.code)


def test_a_stopped_owners_sessions_are_taken_over_after_its_lease_and_its_copy_is_fenced(cluster):
    a, b = cluster("a"), cluster("b")
    live = _session(a)
    pid = _seated(a, live)
    a.command(live, FACILITATOR, "deal_card", {"card": "pick"})
    cluster.clock.now += TTL + 0.1  # a froze: no renewal for a whole lease
    served = b.get(live.code)
    vote = Actor.participant(pid)
    assert b.command(served, vote, "cast_vote", {"choice": 2}, cid="v")[0]["ok"]
    with pytest.raises(Moved):  # a wakes up: its write is refused, nothing of it stored
        a.command(live, vote, "cast_vote", {"choice": 0}, cid="w")
    assert a.keep_leases({}) == []  # its copy was dropped already
    votes = [e for e in b.store.load(live.code) if e["type"] == "vote_cast"]
    assert [v["choice"] for v in votes] == [2]
    assert not a.store.renew(live.code, "a", TTL)


def test_a_lost_lease_is_noticed_at_the_next_renewal(cluster):
    a, b = cluster("a"), cluster("b")
    live = _session(a)
    cluster.clock.now += TTL + 0.1
    b.get(live.code)
    assert a.keep_leases({live.code: 1}) == [live.code] and live.closed


def test_an_idle_session_is_released_and_taken_by_the_next_arrival(cluster):
    a, b = cluster("a"), cluster("b")
    live = _session(a)
    cluster.clock.now += TTL / 3
    assert a.keep_leases({}) == []
    cluster.clock.now += IDLE_LEASES * TTL
    assert a.keep_leases({}) == [live.code]
    assert a.store.owner_of(live.code) is None
    assert b.get(live.code).code == live.code


def test_an_ended_session_takes_no_join_on_any_process(cluster):
    a, b = cluster("a"), cluster("b")
    live = _session(a)
    a.command(live, FACILITATOR, "end_session", {})
    with pytest.raises(Moved):
        b.get(live.code)
    a.done_creating(live)  # let go: b takes it and the rules refuse the join
    cluster.clock.now += 0.5
    again = b.get(live.code)
    with pytest.raises(Exception) as refused:
        b.join(again, "u" * 30, "Late")
    assert getattr(refused.value, "code", None) == "out_of_turn"


def test_hellos_for_a_session_served_elsewhere_cost_the_store_little(cluster):
    a, b = cluster("a"), cluster("b")
    live = _session(a)
    with pytest.raises(Moved):
        b.get(live.code)
    commits = b.store.commits
    for _ in range(100):  # a room of phones, or a flood, asking b at once
        with pytest.raises(Moved) as moved:
            b.get(live.code)
    assert b.store.commits == commits and moved.value.params["retry_after"] > 0
    cluster.clock.now += 0.5  # a moment later b asks the store again
    with pytest.raises(Moved):
        b.get(live.code)
    assert b.store.commits > commits
    a.done_creating(live)  # released: the next ask after the moment takes it
    cluster.clock.now += 0.5
    assert b.get(live.code).code == live.code


def test_a_silent_owners_session_is_served_elsewhere_at_the_first_retry_after_its_lease(cluster):
    """On the lease clock: while the lease runs nobody else serves the session; a phone told
    `moved` just before it ran out is served by the survivor at its very next try."""
    a, b = cluster("a"), cluster("b")
    live = _session(a)
    pid = _seated(a, live)
    cluster.clock.now += TTL / 3
    assert a.keep_leases({live.code: 1}) == []  # a's last renewal; then it goes silent
    owner, until = a.store.lease(live.code)
    assert owner == "a" and until == cluster.clock.now + TTL
    cluster.clock.now = until - 0.01
    with pytest.raises(Moved) as moved:
        b.get(live.code)
    retry_after = moved.value.params["retry_after"]
    assert b.store.owner_of(live.code) == "a"
    cluster.clock.now += retry_after  # the phone tries again when told to
    assert cluster.clock.now > until
    served = b.get(live.code)
    assert served.state.members[pid].table == 0 and b.store.owner_of(live.code) == "b"
