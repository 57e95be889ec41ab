"""Socket.IO: a facilitator and two tables of three phones play a card; forgeries change nothing."""

import copy
import secrets

import pytest

from app import socketio
from tests.conftest import sign_in


def make_session(app, client, **form):
    """Create a session over HTTP as the signed-in facilitator; return its code."""
    token = sign_in(client)
    data = {
        "deck": "tiny",
        "tables_mode": "count",
        "table_count": "2",
        "seating": "choose",
        "flow": "draw",
        "csrf_token": token,
        **form,
    }
    response = client.post("/host/sessions", data=data)
    assert response.status_code == 302, response.data
    return response.headers["Location"].rsplit("/", 1)[-1]


class Phone:
    """One participant's phone: a Socket.IO test client with its own token."""

    def __init__(self, app, code, name):
        self.sio = socketio.test_client(app)
        self.code = code
        self.token = secrets.token_urlsafe(24)
        hello = self.send("hello", code=code, role="participant", token=self.token)
        assert hello["ok"] and hello["view"]["me"] is None
        joined = self.send("join", token=self.token, name=name)
        assert joined["ok"], joined
        self.pid = joined["pid"]

    def send(self, event, **payload):
        """Emit a command and return its acknowledgement."""
        return self.sio.emit(event, payload, callback=True)

    def received(self, name):
        """Payloads of server events named `name` since the last call."""
        return [m["args"][0] for m in self.sio.get_received() if m["name"] == name]


@pytest.fixture
def room(app, client):
    """A session with a facilitator socket and two tables of three phones."""
    code = make_session(app, client)
    host = socketio.test_client(app, flask_test_client=client)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    phones = [Phone(app, code, f"P{i}") for i in range(6)]
    for i, phone in enumerate(phones):
        answer = phone.send("take_seat", table=i // 3)
        assert answer["ok"] and answer["me"]["table"] == i // 3
    for phone in phones:
        phone.sio.get_received()
    host.get_received()
    return code, host, phones


def hub_state(app, code):
    return app.extensions["tafelronde.hub"].get(code).state


def test_a_full_card_at_two_tables(app, room):
    code, host, phones = room
    table0, table1 = phones[:3], phones[3:]
    drawn = table0[0].send("draw_card")
    assert drawn["ok"]
    card = table0[1].received("table_updated")[-1]["current"]["card"]
    assert table1[0].received("table_updated") == []  # other tables hear nothing
    options = card["response"]["options"]
    assert card["reflection"] is None
    for phone in table0:
        phone.sio.get_received()

    table0[0].send("cast_vote", choice=0, card=card["id"], cid="v-1")
    table0[1].send("cast_vote", choice=1, card=card["id"], cid="v-2")
    # A vote goes to the table as who answered, never what (not the whole table again).
    got = table0[2].sio.get_received()
    assert {m["name"] for m in got} == {"table_progress"}
    (update,) = got[-1]["args"][0]["tables"]
    assert update["voted"] == sorted([table0[0].pid, table0[1].pid])
    assert set(update) == {"id", "card", "round", "votes_in", "voted", "notes"}
    assert update["votes_in"] == 2 and update["card"] == card["id"]

    last = table0[2].send("cast_vote", choice=1, card=card["id"], cid="v-3")
    assert last["ok"] and last["me"]["vote"] == 1
    revealed = table0[0].received("table_updated")[-1]["current"]
    assert revealed["revealed"] is True
    assert revealed["distribution"] == [1, 2] + [0] * (len(options) - 2)  # a count per option
    assert revealed["card"]["reflection"]

    note = table0[1].send("add_note", kind="tip", text="Give the group a host", cid="n-1")
    assert note["ok"] and note["note"]
    (added,) = table0[0].received("table_progress")[-1]["tables"][0]["notes"]
    assert added["text"] == "Give the group a host" and added["id"] == note["note"]
    assert table0[0].send("record_choice", choice=1)["ok"]

    received = host.get_received()
    host_updates = [m["args"][0] for m in received if m["name"] == "host_updated"]
    tables = {t["id"]: t for u in host_updates for t in u["tables"]}
    assert tables[0]["current"]["distribution"] == revealed["distribution"]
    assert tables[0]["current"]["choice"] == 1
    progress = [
        t for m in received if m["name"] == "table_progress" for t in m["args"][0]["tables"]
    ]
    assert [n["text"] for t in progress for n in t["notes"]] == ["Give the group a host"]
    assert all("voted" not in t for t in progress)  # the facilitator sees how many, not who
    assert options == list(hub_state(app, code).deck.card(card["id"]).response.options)

    spot = host.emit("spotlight", {"card": card["id"], "notes": [note["note"]]}, callback=True)
    assert spot["ok"]
    wall = host.emit("sync", {}, callback=True)["view"]
    assert wall["spotlight"]["card"] == card["id"]


def test_projector_needs_its_key_and_is_read_only(app, client, room):
    code, host, phones = room
    live = app.extensions["tafelronde.hub"].get(code)
    wall = socketio.test_client(app)
    bad = wall.emit("hello", {"code": code, "role": "projector", "key": "guess"}, callback=True)
    assert bad == {"ok": False, "error": bad["error"], "code": "unauthorised"}
    good = wall.emit(
        "hello", {"code": code, "role": "projector", "key": live.projector_key}, callback=True
    )
    assert good["ok"] and good["view"]["session"]["code"] == code
    refused = wall.emit("deal_card", {}, callback=True)
    assert refused["ok"] is False
    refused = wall.emit("cast_vote", {"choice": 0}, callback=True)
    assert refused["ok"] is False


def test_forged_and_out_of_turn_events_change_nothing(app, room):
    code, host, phones = room
    phones[0].send("draw_card")
    before = copy.deepcopy(hub_state(app, code))
    attempts = [
        (phones[0], "deal_card", {}),  # facilitator command from a phone
        (phones[0], "end_session", {}),
        (phones[0], "move_participant", {"pid": phones[3].pid, "table": 0}),
        (phones[0], "hide_note", {"note": "n1"}),
        (phones[3], "cast_vote", {"choice": 0}),  # no card at table 1 yet
        (phones[0], "cast_vote", {"choice": 99}),
        (phones[0], "cast_vote", {"choice": "0"}),
        (phones[0], "cast_vote", {"choice": 0, "card": "not-this-one"}),
        (phones[0], "edit_note", {"note": "n999", "text": "x"}),
        (phones[0], "add_note", {"kind": "tip", "text": "x" * 5000}),
        (phones[0], "add_note", {"kind": "<script>", "text": "x"}),
        (phones[0], "take_seat", {"table": 7}),
        (phones[0], "drop_database", {}),
    ]
    for phone, event, payload in attempts:
        answer = phone.send(event, **payload)
        assert answer["ok"] is False, (event, payload)
        assert answer["error"] and answer["code"], answer
    # Not a dict at all:
    assert phones[0].sio.emit("cast_vote", [1, 2], callback=True)["code"] == "invalid"
    assert phones[0].sio.emit("cast_vote", "0", callback=True)["code"] == "invalid"
    assert hub_state(app, code) == before


def test_a_socket_that_never_said_hello_can_do_nothing(app, room):
    code, host, phones = room
    stranger = socketio.test_client(app)
    answer = stranger.emit("cast_vote", {"choice": 0}, callback=True)
    assert answer["code"] == "unauthorised"
    assert stranger.emit("deal_card", {}, callback=True)["code"] == "unauthorised"


def test_facilitator_hello_needs_the_sign_in(app, room):
    code, host, phones = room
    outsider = socketio.test_client(app)
    answer = outsider.emit("hello", {"code": code, "role": "facilitator"}, callback=True)
    assert answer["code"] == "unauthorised"


def test_participant_from_another_session_cannot_touch_this_one(app, client, room):
    code, host, phones = room
    other = make_session(app, client)
    stranger = Phone(app, other, "Elsewhere")
    # Presenting its token to this session identifies nobody.
    hello = stranger.send("hello", code=code, role="participant", token=stranger.token)
    assert hello["ok"] and hello["view"]["me"] is None
    assert stranger.send("cast_vote", choice=0)["code"] == "unauthorised"


def test_the_same_vote_id_counts_once_across_a_reconnect(app, room):
    code, host, phones = room
    phone = phones[0]
    phone.send("draw_card")
    for _ in range(3):
        assert phone.send("cast_vote", choice=1, cid="same-vote")["ok"]
    phone.sio.disconnect()
    again = socketio.test_client(app)
    assert (
        again.emit(
            "hello", {"code": code, "role": "participant", "token": phone.token}, callback=True
        )["view"]["me"]["pid"]
        == phone.pid
    )
    for _ in range(2):
        answer = again.emit("cast_vote", {"choice": 2, "cid": "same-vote"}, callback=True)
        assert answer["ok"] and answer.get("repeated")
    play = hub_state(app, code).tables[0].current
    assert play.votes == {phone.pid: 1}
    store = app.extensions["tafelronde.hub"].store
    votes = [e for e in store.load(code) if e["type"] == "vote_cast"]
    assert len(votes) == 1


def test_reconnect_restores_seat_card_and_vote(app, room):
    code, host, phones = room
    phone = phones[4]
    phone.send("draw_card")
    phone.send("cast_vote", choice=0)
    phone.sio.disconnect()
    back = socketio.test_client(app)
    view = back.emit(
        "hello", {"code": code, "role": "participant", "token": phone.token}, callback=True
    )["view"]
    assert view["me"] == {
        "pid": phone.pid,
        "name": "P4",
        "table": 1,
        "vote": 0,
        "passed": False,
        "late": None,
        "round": 0,
        "before": [],
        "evaluation": None,
        "perspective": None,
        "takeaway": None,
    }
    assert view["table"]["current"]["card"]["id"]


def test_moved_participant_gets_its_new_table(app, room):
    code, host, phones = room
    answer = host.emit("move_participant", {"pid": phones[0].pid, "table": 1}, callback=True)
    assert answer["ok"]
    replaced = phones[0].received("view_replaced")
    assert replaced[-1]["me"]["table"] == 1
    phones[4].send("draw_card")
    assert phones[0].received("table_updated")  # now hears table 1


def test_unknown_code_and_unknown_event(app):
    phone = socketio.test_client(app)
    answer = phone.emit("hello", {"code": "ZZZZZZ", "role": "participant"}, callback=True)
    assert answer["code"] == "not_found"
    assert phone.emit("launch_rockets", {}, callback=True)["code"] == "invalid"


def test_ended_session_locks_joining(app, room):
    code, host, phones = room
    assert host.emit("end_session", {}, callback=True)["ok"]
    late = socketio.test_client(app)
    late.emit("hello", {"code": code, "role": "participant"}, callback=True)
    answer = late.emit("join", {"token": secrets.token_urlsafe(24), "name": "Late"}, callback=True)
    assert answer["ok"] is False and answer["code"] == "out_of_turn"


def test_updates_carry_the_history_only_when_it_changed(app, room):
    """Late in a session the earlier cards are most of a table's bytes: a vote or a note on the
    current card leaves them out; a new card, or a note on an earlier card, sends them."""
    _code, _host, phones = room
    a, b = phones[0], phones[1]
    assert a.send("draw_card")["ok"]
    drawn = b.received("table_updated")[-1]
    assert drawn["history"] == []
    card = drawn["current"]["card"]["id"]
    assert a.send("cast_vote", choice=0, card=card)["ok"]
    assert a.send("add_note", kind="tip", text="On this card", card=card)["ok"]
    assert all("history" not in update for update in b.received("table_updated"))

    assert a.send("draw_card")["ok"]
    (moved_on,) = b.received("table_updated")
    assert [past["card"]["id"] for past in moved_on["history"]] == [card]
    assert a.send("add_note", kind="question", text="Written offline", card=card)["ok"]
    (late_note,) = b.received("table_updated")
    assert late_note["history"][0]["notes"][-1]["text"] == "Written offline"
    # A full view (a reload, a reconnect) always has the history.
    assert b.send("sync")["view"]["table"]["history"][0]["card"]["id"] == card
