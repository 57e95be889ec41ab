"""Coalesced updates: however fast phones act, facilitators, projectors and (for joins) phones
get one update per flush, and the update loop decides how often that is. The first change after
a quiet interval goes out at once (the leading edge); the ones after it within the interval are
merged into the next flush. The loop is switched off here, its clock held still, and `flush` /
`flush_due` are called by hand, so nothing depends on timing."""

import pytest

from app import socketio
from tests.conftest import make_app
from tests.test_sockets import Phone, make_session


@pytest.fixture
def slow_app(tmp_path, monkeypatch):
    """An app that coalesces updates (4 per second), with its update loop held still."""
    app = make_app(tmp_path, VIEW_UPDATES_PER_SECOND=4)
    shell = app.extensions["tafelronde.live"]
    monkeypatch.setattr(shell, "_ensure_loop", lambda: None)
    # The rate's clock held still too: every change after the first lands in the same interval.
    app.now = [1000.0]
    monkeypatch.setattr(shell, "clock", lambda: app.now[0])
    yield app
    app.extensions["tafelronde.close"]()


def names(client):
    """The names of the server events a test client received since the last call."""
    return [m["name"] for m in client.get_received()]


def test_votes_reach_the_facilitator_at_once_and_their_reveals_in_one_update(slow_app):
    web = slow_app.test_client()
    code = make_session(slow_app, web, flow="deal")
    host = socketio.test_client(slow_app, flask_test_client=web)
    wall_key = slow_app.extensions["tafelronde.hub"].get(code).projector_key
    wall = socketio.test_client(slow_app)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    assert wall.emit("hello", {"code": code, "role": "projector", "key": wall_key}, callback=True)[
        "ok"
    ]
    phones = [Phone(slow_app, code, f"P{i}") for i in range(6)]
    for i, phone in enumerate(phones):
        assert phone.send("take_seat", table=i % 2)["ok"]
    assert host.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    names(host), names(wall)
    slow_app.extensions["tafelronde.live"].flush()
    assert names(host) == ["host_updated"] and names(wall) == ["wall_updated"]

    for phone in phones:
        assert phone.send("cast_vote", choice=0, card="one")["ok"]
    # Each vote at once, as a count: never what anyone chose.
    progress = [m["args"][0] for m in host.get_received()]
    assert [m["tables"][0]["id"] for m in progress] == [0, 1, 0, 1, 0, 1]
    assert [m["tables"][0]["votes_in"] for m in progress] == [1, 1, 2, 2, 3, 3]
    assert all(
        set(m["tables"][0]) == {"id", "card", "round", "votes_in", "notes"} for m in progress
    )
    assert names(wall) == []  # the wall shows no count of secret votes
    slow_app.extensions["tafelronde.live"].flush()
    host_updates = [m["args"][0] for m in host.get_received() if m["name"] == "host_updated"]
    assert len(host_updates) == 1
    tables = host_updates[0]["tables"]
    assert sorted(t["id"] for t in tables) == [0, 1]  # the reveals: only those tables, once each
    assert all(t["current"]["revealed"] for t in tables)
    assert "comparison" in host_updates[0] and "session" not in host_updates[0]  # what changed
    assert names(wall) == ["wall_updated"]
    slow_app.extensions["tafelronde.live"].flush()
    assert names(host) == [] and names(wall) == []  # nothing changed: nothing sent


def test_a_note_reaches_the_facilitator_at_once_without_its_table_again(slow_app):
    web = slow_app.test_client()
    code = make_session(slow_app, web, flow="deal")
    host = socketio.test_client(slow_app, flask_test_client=web)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    phone = Phone(slow_app, code, "Writer")
    assert phone.send("take_seat", table=1)["ok"]
    assert host.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    slow_app.extensions["tafelronde.live"].flush()
    names(host)
    answer = phone.send("add_note", kind="tip", text="Ask the team first")
    ((event, progress),) = [(m["name"], m["args"][0]) for m in host.get_received()]
    assert event == "table_progress"
    ((table,),) = [progress["tables"]]
    assert table["id"] == 1 and [n["id"] for n in table["notes"]] == [answer["note"]]
    assert table["notes"][0]["text"] == "Ask the team first" and not table["notes"][0]["hidden"]
    slow_app.extensions["tafelronde.live"].flush()
    updates = [m["args"][0] for m in host.get_received() if m["name"] == "host_updated"]
    assert all(u["tables"] == [] for u in updates)  # the table itself is not sent again


def test_joins_reach_other_phones_coalesced_but_facilitator_actions_at_once(slow_app):
    web = slow_app.test_client()
    code = make_session(slow_app, web)
    host = socketio.test_client(slow_app, flask_test_client=web)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    first = Phone(slow_app, code, "First")
    first.sio.get_received()
    for i in range(5):
        Phone(slow_app, code, f"P{i}")
    assert first.received("session_updated") == []
    slow_app.extensions["tafelronde.live"].flush()
    (facts,) = first.received("session_updated")
    assert facts["people"] == 6
    assert host.emit("send_message", {"text": "Five minutes left"}, callback=True)["ok"]
    (facts,) = first.received("session_updated")  # at once, without a flush
    assert facts["message"]["text"] == "Five minutes left"


def test_the_first_change_after_a_quiet_interval_goes_out_at_once(slow_app):
    web = slow_app.test_client()
    shell = slow_app.extensions["tafelronde.live"]
    code = make_session(slow_app, web, flow="deal")
    host = socketio.test_client(slow_app, flask_test_client=web)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    phones = [Phone(slow_app, code, f"P{i}") for i in range(4)]
    for i, phone in enumerate(phones):
        assert phone.send("take_seat", table=i % 2)["ok"]
    assert host.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    shell.flush()
    names(host)

    slow_app.now[0] += 10  # a quiet interval
    assert phones[0].send("rename", name="Ann")["ok"]
    (update,) = [m["args"][0] for m in host.get_received() if m["name"] == "host_updated"]
    assert [t["id"] for t in update["tables"]] == [0]  # at once, without a flush
    for i, phone in enumerate(phones[1:]):  # within the same interval: merged, not sent yet
        assert phone.send("rename", name=f"Bo{i}")["ok"]
    shell.flush_due()
    assert names(host) == []
    slow_app.now[0] += shell.interval  # the interval is over: the trailing flush sends them
    shell.flush_due()
    (update,) = [m["args"][0] for m in host.get_received() if m["name"] == "host_updated"]
    assert sorted(t["id"] for t in update["tables"]) == [0, 1]
    shell.flush_due()
    assert names(host) == []


def test_a_burst_gets_no_more_updates_per_second_than_the_rate(slow_app):
    web = slow_app.test_client()
    shell = slow_app.extensions["tafelronde.live"]
    code = make_session(slow_app, web, flow="deal")
    host = socketio.test_client(slow_app, flask_test_client=web)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    phone = Phone(slow_app, code, "Busy")
    assert phone.send("take_seat", table=0)["ok"]
    assert host.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    shell.flush()
    slow_app.now[0] += 10
    names(host)
    start = slow_app.now[0]
    # Just under a second: a new name every 52.5 ms (within a phone's own burst), the loop
    # looking after each (it looks every 50 ms at 4 per second).
    for step in range(19):
        slow_app.now[0] = start + step * 0.0525
        assert phone.send("rename", name=f"Busy {step}")["ok"]
        shell.flush_due()
    sent = names(host).count("host_updated")
    assert sent == slow_app.config["VIEW_UPDATES_PER_SECOND"]


def test_phones_get_joins_and_seats_at_most_once_a_second_slower_in_big_sessions(
    slow_app, monkeypatch
):
    import game.web.live.shell as live_shell

    web = slow_app.test_client()
    code = make_session(slow_app, web)
    shell = slow_app.extensions["tafelronde.live"]
    first = Phone(slow_app, code, "First")  # its join goes out at once (the leading edge)
    first.sio.get_received()
    for i in range(3):
        slow_app.now[0] += 0.3  # a facilitator interval (0.25 s) passes, not a second
        Phone(slow_app, code, f"P{i}")
        shell.flush_due()
    assert first.received("session_updated") == []
    slow_app.now[0] += 0.3  # 1.2 s since the phones' last facts
    shell.flush_due()
    (facts,) = first.received("session_updated")
    assert facts["people"] == 4

    # A bigger session (here: 2 people per second of wait) waits longer between them.
    monkeypatch.setattr(live_shell, "PHONES_PER_SECOND_OF_FACTS", 2)
    Phone(slow_app, code, "Late")  # 5 people: 2.5 s apart
    slow_app.now[0] += 1.5
    shell.flush_due()
    assert first.received("session_updated") == []
    slow_app.now[0] += 1.2
    shell.flush_due()
    (facts,) = first.received("session_updated")
    assert facts["people"] == 5


def test_only_phones_without_a_table_get_the_facts_joins_change(slow_app):
    web = slow_app.test_client()
    code = make_session(slow_app, web)  # people choose their table
    shell = slow_app.extensions["tafelronde.live"]
    seated, choosing = Phone(slow_app, code, "Seated"), Phone(slow_app, code, "Choosing")
    assert seated.send("take_seat", table=0)["ok"]
    shell.flush()
    seated.sio.get_received(), choosing.sio.get_received()
    for i in range(3):
        Phone(slow_app, code, f"P{i}")
    slow_app.now[0] += 1.5
    shell.flush_due()
    # Table sizes are what a phone chooses its seat by; a seated phone shows none of this.
    assert seated.received("session_updated") == []
    (facts,) = choosing.received("session_updated")
    assert facts["people"] == 5
    host = socketio.test_client(slow_app, flask_test_client=web)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    assert host.emit("send_message", {"text": "Tea"}, callback=True)["ok"]
    for phone in (seated, choosing):  # the facilitator's actions reach every phone, at once
        (facts,) = phone.received("session_updated")
        assert facts["message"]["text"] == "Tea"


def test_a_join_sends_its_table_one_update_and_the_joining_phone_its_view_once(slow_app):
    web = slow_app.test_client()
    code = make_session(slow_app, web, seating="balance")
    first = Phone(slow_app, code, "First")
    first.sio.get_received()
    second = Phone(slow_app, code, "Second")  # placed at a table; join and presence together
    hub = slow_app.extensions["tafelronde.hub"]
    table = hub.get(code).state.members[second.pid].table
    assert hub.get(code).state.members[first.pid].table != table  # balanced: the other table
    third = Phone(slow_app, code, "Third")  # joins the first one's table
    assert (
        hub.get(code).state.members[third.pid].table == hub.get(code).state.members[first.pid].table
    )
    updates = first.received("table_updated")
    assert len(updates) == 1  # not one for the join and another for its presence
    assert {m["name"]: m["connected"] for m in updates[0]["members"]} == {
        "First": True,
        "Third": True,
    }
    # The joining phone got its view in the acknowledgement; nothing replaces it.
    assert third.received("view_replaced") == []


def test_the_plenary_board_follows_notes_at_most_every_few_seconds(slow_app):
    from game.web.live import updates

    web = slow_app.test_client()
    shell = slow_app.extensions["tafelronde.live"]
    code = make_session(slow_app, web, flow="deal")
    host = socketio.test_client(slow_app, flask_test_client=web)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    phones = [Phone(slow_app, code, f"P{i}") for i in range(2)]
    for phone in phones:
        assert phone.send("take_seat", table=0)["ok"]
    assert host.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    for phone in phones:
        assert phone.send("cast_vote", choice=0, card="one")["ok"]  # revealed: on the board

    def boards():
        return [
            m["args"][0]["board"]
            for m in host.get_received()
            if m["name"] == "host_updated" and "board" in m["args"][0]
        ]

    shell.flush()
    assert boards()[-1][0]["notes"] == 0
    note = phones[0].send("add_note", kind="tip", text="First")
    slow_app.now[0] += 0.5  # an interval later, not a board's
    shell.flush_due()
    assert boards() == []  # the note itself went to the facilitator at once (table_progress)
    slow_app.now[0] += updates.BOARD_EVERY
    shell.flush_due()
    (board,) = boards()
    assert board[0]["notes"] == 1
    slow_app.now[0] += 0.5
    shell.flush_due()
    assert boards() == []  # nothing new
    # Anything but a new note changes the board at the next update.
    assert host.emit("hide_note", {"note": note["note"], "hidden": True}, callback=True)["ok"]
    slow_app.now[0] += 0.5
    shell.flush_due()
    (board,) = boards()
    assert board[0]["notes"] == 0
