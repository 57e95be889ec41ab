"""A session copy recovers whole: after the hub drops its copy (a write refused by the store's
fencing here; the store away in tests/test_outages.py), the copy loaded again has everyone whose
phone still holds a socket here present, so the automatic reveal and the facilitator's counts are
right without any phone reconnecting; and the shell loads it again by itself."""

import copy
import time

from app import socketio
from game.core.rules import FACILITATOR, decide
from tests.test_sockets import Phone, make_session

RELOAD_WITHIN = 10.0  # seconds: a bound for polling, never an assertion on time


def seated_table(app, client, people=3):
    """A one-table session with a card drawn: ``(code, host socket, phones)``."""
    code = make_session(app, client, table_count="1")
    host = socketio.test_client(app, flask_test_client=client)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    phones = [Phone(app, code, f"P{i}") for i in range(people)]
    for phone in phones:
        assert phone.send("take_seat", table=0)["ok"]
    assert phones[0].send("draw_card")["ok"]
    return code, host, phones


def write_behind_the_hubs_back(app, code):
    """Another writer stores an event (a facilitator's message): the hub's copy is now stale and
    its next write is refused by the store's fencing."""
    hub = app.extensions["tafelronde.hub"]
    live = hub.sessions[code]
    state = copy.deepcopy(live.state)
    events = decide(state, FACILITATOR, "send_message", {"text": "from elsewhere"}, hub.clock())
    hub.store.append(code, events, expect_seq=live.next_seq)


def present_at_table(host):
    """How many people the facilitator's view counts present at table 0."""
    view = host.emit("sync", {}, callback=True)["view"]
    return view["tables"][0]["present"]


def test_a_reloaded_copy_counts_every_open_socket_and_reveals_by_itself(app, client):
    code, host, phones = seated_table(app, client)
    hub = app.extensions["tafelronde.hub"]
    assert present_at_table(host) == 3
    write_behind_the_hubs_back(app, code)

    refused = phones[0].send("cast_vote", choice=0, cid="v0")
    assert refused["code"] == "moved"  # nothing applied; this copy is dropped
    again = phones[0].send("cast_vote", choice=0, cid="v0")  # its outbox sends it again
    assert again["ok"] and not again.get("repeated")

    live = hub.sessions[code]
    assert live.state.message["text"] == "from elsewhere"  # the other writer's event is kept
    assert {pid: live.state.members[pid].connected for pid in live.state.members} == {
        phone.pid: True for phone in phones
    }
    assert present_at_table(host) == 3  # nobody reconnected, everyone is counted
    assert phones[1].send("cast_vote", choice=1, cid="v1")["ok"]
    for phone in phones:
        phone.received("table_updated")
    assert phones[2].send("cast_vote", choice=1, cid="v2")["ok"]
    assert live.state.tables[0].current.revealed  # the automatic reveal
    assert phones[0].received("table_updated")[-1]["current"]["revealed"]

    # A phone that leaves after the reload is counted out again (the counts match the sockets).
    phones[2].sio.disconnect()
    assert present_at_table(host) == 2


def test_the_shell_loads_a_dropped_copy_again_by_itself(app, client):
    code, host, phones = seated_table(app, client)
    hub = app.extensions["tafelronde.hub"]
    write_behind_the_hubs_back(app, code)
    assert phones[0].send("cast_vote", choice=0, cid="v0")["code"] == "moved"
    host.get_received()
    deadline = time.monotonic() + RELOAD_WITHIN
    while code not in hub.sessions and time.monotonic() < deadline:
        time.sleep(0.05)
    assert code in hub.sessions, "the dropped copy was not loaded again"
    # Its sockets were sent what is stored: the facilitator a whole view with every table.
    updates = [m["args"][0] for m in host.get_received() if m["name"] == "host_updated"]
    assert updates and updates[-1]["session"]["message"]["text"] == "from elsewhere"
    assert [t["present"] for t in updates[-1]["tables"]] == [3]
    tables = phones[1].received("table_updated")
    assert tables and tables[-1]["id"] == 0
