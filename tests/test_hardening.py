"""Bad input and abuse: each kind gets a clear answer, and none of them changes what is stored.

Most tests run in-process (Flask-SocketIO's test clients, Flask's test client). The ones about the
transport itself — message size, the Origin check, what the server writes to its log — run
against a real ``python app.py`` (marked slow).
"""

import copy
import logging
import re
import secrets
import socket
from pathlib import Path

import pytest
import requests
import socketio as socketio_client

from app import socketio
from game.core.registry import AFTER_END_COMMANDS, check_event
from game.core.rules import (
    FACILITATOR,
    FACILITATOR_COMMANDS,
    MAX_MESSAGE_CHARS,
    PARTICIPANT_COMMANDS,
    Actor,
    decide,
    handle,
)
from game.storage.sqlite import SQLiteStore as Store
from tests.conftest import SERVE_MODES, TINY_DECK, csrf_of, make_app, sign_in
from tests.realclients import Facilitator, RealPhone, close_client, connect, tiny_server
from tests.test_sockets import Phone, make_session

REFUSALS = {"invalid", "forbidden", "not_found", "out_of_turn", "unauthorised"}


def _hub(app):
    return app.extensions["tafelronde.hub"]


def snapshot(app, code):
    """Everything a refused command must leave as it was: state, stored events, client ids."""
    hub = _hub(app)
    live = hub.get(code)
    return (
        copy.deepcopy(live.state),
        hub.store.event_count(code),
        hub.store.applied(code),
        dict(live.applied),
    )


# The tiny deck with a script and perspectives, so every command has a valid payload.
HARDY_DECK = (
    TINY_DECK
    + """\
steps:
  - {label: Vote alone, minutes: 2, kind: vote}
  - {label: Talk, minutes: 5}
perspectives: [The director, A volunteer]
"""
)


@pytest.fixture
def room(app, client):
    """Two tables of three phones; table 0 has a card, a vote and a note, and has proposed a
    dilemma; a facilitator socket."""
    (Path(app.config["DECKS_DIR"]) / "hardy.yaml").write_text(HARDY_DECK, encoding="utf-8")
    code = make_session(app, client, deck="hardy")
    host = socketio.test_client(app, flask_test_client=client)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    phones = [Phone(app, code, f"P{i}") for i in range(6)]
    for i, phone in enumerate(phones):
        assert phone.send("take_seat", table=i // 3)["ok"]
    assert phones[0].send("draw_card")["ok"]
    assert phones[0].send("cast_vote", choice=0)["ok"]
    note = phones[0].send("add_note", kind="tip", text="A first note", cid="note-1")
    assert note["ok"]
    assert phones[0].send("propose_dilemma", title="Ours", text="What now?")["ok"]
    card = _hub(app).get(code).state.tables[0].current.card
    options = len(_hub(app).get(code).state.deck.card(card).response.options)
    # Table 0 shares one device too, so that its tally can be recorded (votes still count).
    assert host.emit("set_devices", {"table": 0, "devices": "shared"}, callback=True)["ok"]
    for phone in phones:
        phone.sio.get_received()
    host.get_received()
    return {
        "code": code,
        "host": host,
        "phones": phones,
        "note": note["note"],
        "card": card,
        "options": options,
    }


# --- wrong shapes and types, generated for every command ------------------------------------------


# A valid payload for each command in the `room` above; each test breaks one field of it.
def valid_participant_payloads(room):
    """Payloads phone 0 (table 0, has voted and written `room['note']`) could send."""
    card, note = room["card"], room["note"]
    return {
        "join": {"token": secrets.token_urlsafe(24), "name": "Newcomer"},
        "rename": {"name": "New name"},
        "take_seat": {"table": 1},
        "draw_card": {},
        "cast_vote": {"choice": 1, "card": card},
        "reveal_votes": {},
        "revote": {},
        "add_note": {"kind": "tip", "text": "Hello", "card": card},
        "edit_note": {"note": note, "text": "Changed", "kind": "concern"},
        "delete_note": {"note": note},
        "record_choice": {"choice": 1, "card": card},
        "submit_evaluation": {"useful": 4, "keep": "The cards", "add": "More time"},  # once ended
        "skip_card": {"card": card},
        "pass_vote": {"card": card},
        "flag_table": {"reason": "need_help"},
        "withdraw_flag": {},
        "record_tally": {"counts": [1] * room["options"], "passes": 0, "card": card},
        "set_conclusion": {"text": "We would ask the volunteers first.", "card": card},
        "next_step": {"step": 0, "card": card},
        "propose_dilemma": {"title": "Our own", "text": "What now?", "options": ["A", "B"]},
    }


def valid_facilitator_payloads(room):
    """Payloads the facilitator could send in the `room`."""
    return {
        "deal_card": {"card": "two"},
        "reveal_table": {"table": 0},
        "reset_table": {"table": 0},
        "pause": {"paused": True},
        "start_timer": {"seconds": 60},
        "stop_timer": {},
        "send_message": {"text": "Hi"},
        "move_participant": {"pid": room["phones"][0].pid, "table": 1},
        "add_table": {"name": "Extra"},
        "hide_note": {"note": room["note"], "hidden": True},
        "spotlight": {"card": room["card"], "notes": [room["note"]]},
        "end_session": {},
        "clear_flag": {"table": 0},
        "set_devices": {"devices": "shared", "table": 1},
        "set_rounds": {"rounds": 2},
        "advance_tables": {"table": 0},
        "set_perspectives": {"on": False},
        "file_dilemma": {"proposal": "room-1", "deck": "hardy"},
        "offer_takeaway": {"offered": False},
    }


NESTED = {"a": [[[{"b": [1, 2, {"c": "d"}]}]]]}
WRONG = {
    int: ["1", 1.5, True, [], {}, NESTED, 10**30, -(10**30), -1],
    str: [1, 1.5, True, [], {}, NESTED, 10**30],
    bool: ["true", 1, 0, [], {}, NESTED],
    list: ["n1", 1, {}, [[["x"]]], [1], ["nope"] * 13],
}
FIELD_TYPES = {
    "choice": int,
    "table": int,
    "seconds": int,
    "name": str,
    "text": str,
    "kind": str,
    "note": str,
    "card": str,
    "pid": str,
    "token": str,
    "paused": bool,
    "hidden": bool,
    "notes": list,
    "useful": int,
    "keep": str,
    "add": str,
    "reason": str,
    "counts": list,
    "passes": int,
    "devices": str,
    "rounds": int,
    "option": int,
    "step": int,
    "title": str,
    "options": list,
    "proposal": str,
    "deck": str,
    "on": bool,
    "offered": bool,
}
NOT_OBJECTS = [None, [1, 2], "cast", 5, 2.5, True]
BAD_CIDS = [1, [], {}, "", "x" * 65, NESTED]


def broken_payloads(valid):
    """Every way to break `valid` one field at a time, plus payloads that are not objects."""
    yield from NOT_OBJECTS
    for field in valid:
        for wrong in WRONG[FIELD_TYPES[field]]:
            yield {**valid, field: wrong}
    if "token" not in valid:  # joining is made idempotent by the token, not by a client id
        for cid in BAD_CIDS:
            yield {**valid, "cid": cid}


# What each valid payload does in the `room` (the facilitator's on a state with a running timer
# and a call for the facilitator at table 0, so that stopping and clearing them act too).
ACTS = {
    "join": ["participant_joined"],
    "rename": ["participant_renamed"],
    "take_seat": ["participant_seated"],
    "draw_card": ["card_drawn"],
    "cast_vote": ["vote_cast"],
    "reveal_votes": ["votes_revealed"],
    "revote": ["votes_cleared"],
    "add_note": ["note_added"],
    "edit_note": ["note_edited"],
    "delete_note": ["note_deleted"],
    "record_choice": ["choice_recorded"],
    "submit_evaluation": ["evaluation_submitted"],
    "skip_card": ["card_skipped"],
    "pass_vote": ["vote_passed"],
    "flag_table": ["table_flagged"],
    "withdraw_flag": ["flag_withdrawn"],
    "record_tally": ["tally_recorded"],
    "set_conclusion": ["conclusion_set"],
    "deal_card": ["card_dealt"],
    "reveal_table": ["votes_revealed"],
    "reset_table": ["votes_cleared"],
    "pause": ["paused"],
    "start_timer": ["timer_started"],
    "stop_timer": ["timer_stopped"],
    "send_message": ["message_sent"],
    "move_participant": ["participant_seated"],
    "add_table": ["table_added"],
    "hide_note": ["note_hidden"],
    "spotlight": ["spotlight_set"],
    "end_session": ["session_ended"],
    "clear_flag": ["flag_cleared"],
    "set_devices": ["devices_set"],
    "set_rounds": ["rounds_set"],
    "next_step": ["votes_revealed", "step_moved"],  # leaving "vote alone" reveals
    "propose_dilemma": ["dilemma_proposed"],
    "advance_tables": ["votes_revealed", "step_moved"],
    "set_perspectives": ["perspectives_set"],
    "file_dilemma": ["dilemma_filed"],
    "offer_takeaway": ["takeaway_set"],
}


def test_the_valid_payloads_are_valid(app, room):
    """The generator below breaks payloads that would otherwise be accepted *and act*: each valid
    payload gives the events of its command, well typed, so a refusal below is the broken field's."""
    state = _hub(app).get(room["code"]).state
    assert set(valid_participant_payloads(room)) == set(PARTICIPANT_COMMANDS)
    assert set(valid_facilitator_payloads(room)) == set(FACILITATOR_COMMANDS)
    assert set(ACTS) == set(PARTICIPANT_COMMANDS) | set(FACILITATOR_COMMANDS)
    pid = room["phones"][0].pid
    ended = copy.deepcopy(state)
    ended.ended_at = 1.0
    revealed = copy.deepcopy(state)  # a new round is started once the votes are shown
    revealed.tables[0].current.revealed = True
    busy = copy.deepcopy(state)
    handle(busy, FACILITATOR, "start_timer", {"seconds": 60}, 0)
    handle(busy, Actor.participant(pid), "flag_table", {"reason": "need_help"}, 0)
    for command, payload in valid_participant_payloads(room).items():
        actor = Actor.participant("p-new" if command == "join" else pid)
        at = ended if command in AFTER_END_COMMANDS else revealed if command == "revote" else state
        at = busy if command == "withdraw_flag" else at  # a call to withdraw
        events = decide(copy.deepcopy(at), actor, command, dict(payload), 0)
        assert [e["type"] for e in events] == ACTS[command], (command, events)
        for event in events:
            check_event(event)
    for command, payload in valid_facilitator_payloads(room).items():
        events = decide(copy.deepcopy(busy), FACILITATOR, command, dict(payload), 0)
        assert [e["type"] for e in events] == ACTS[command], (command, events)
        for event in events:
            check_event(event)


def test_wrong_shapes_and_types_are_refused_and_change_nothing(app, room):
    hub = _hub(app)
    hub.limits.update(burst=10**6, per_second=10**6)  # this test is about validation, not floods
    hub.get(room["code"]).buckets.clear()
    phone, host = room["phones"][0], room["host"]
    newcomer = socketio.test_client(app)
    assert newcomer.emit("hello", {"code": room["code"], "role": "participant"}, callback=True)[
        "ok"
    ]
    before = snapshot(app, room["code"])
    tried = 0
    cases = [
        (phone.sio, c, p)
        for c, p in valid_participant_payloads(room).items()
        if c != "join" and c not in AFTER_END_COMMANDS  # those: the test below
    ]
    cases += [(newcomer, "join", valid_participant_payloads(room)["join"])]
    cases += [(host, c, p) for c, p in valid_facilitator_payloads(room).items()]
    for sio, command, valid in cases:
        for payload in broken_payloads(valid):
            answer = sio.emit(command, payload, callback=True)
            assert answer["ok"] is False, (command, payload, answer)
            assert answer["code"] in REFUSALS, (command, payload, answer)
            assert answer["error"]
            tried += 1
    assert tried > 400
    assert snapshot(app, room["code"]) == before


def test_wrong_evaluations_after_the_end_are_refused_and_change_nothing(app, room):
    hub = _hub(app)
    hub.limits.update(burst=10**6, per_second=10**6)
    hub.get(room["code"]).buckets.clear()
    assert room["host"].emit("end_session", {}, callback=True)["ok"]
    phone = room["phones"][0]
    before = snapshot(app, room["code"])
    valid = valid_participant_payloads(room)["submit_evaluation"]
    tried = 0
    for payload in [*broken_payloads(valid), {**valid, "useful": 0}, {**valid, "keep": "x" * 501}]:
        answer = phone.sio.emit("submit_evaluation", payload, callback=True)
        assert answer["ok"] is False and answer["code"] in REFUSALS, (payload, answer)
        tried += 1
    assert tried > 20
    assert snapshot(app, room["code"]) == before
    assert phone.sio.emit("submit_evaluation", valid, callback=True)["ok"]


def test_oversize_text_is_refused(app, room):
    phone, host, code = room["phones"][0], room["host"], room["code"]
    limits = app.config
    before = snapshot(app, code)
    long_note = "n" * (limits["MAX_NOTE_CHARS"] + 1)
    long_name = "a" * (limits["MAX_NAME_CHARS"] + 1)
    attempts = [
        (phone.sio, "add_note", {"kind": "tip", "text": long_note}),
        (phone.sio, "edit_note", {"note": room["note"], "text": long_note}),
        (phone.sio, "rename", {"name": long_name}),
        (host, "send_message", {"text": "m" * (MAX_MESSAGE_CHARS + 1)}),
        (host, "add_table", {"name": "t" * 41}),
    ]
    for sio, command, payload in attempts:
        answer = sio.emit(command, payload, callback=True)
        assert answer["ok"] is False and answer["code"] == "invalid", (command, answer)
    newcomer = socketio.test_client(app)
    newcomer.emit("hello", {"code": code, "role": "participant"}, callback=True)
    joined = newcomer.emit(
        "join", {"token": secrets.token_urlsafe(24), "name": long_name}, callback=True
    )
    assert joined["code"] == "invalid"
    assert snapshot(app, code) == before
    # Exactly at the limits is fine.
    assert phone.send("add_note", kind="tip", text="n" * limits["MAX_NOTE_CHARS"])["ok"]
    assert phone.send("rename", name="a" * limits["MAX_NAME_CHARS"])["ok"]
    assert host.emit("send_message", {"text": "m" * MAX_MESSAGE_CHARS}, callback=True)["ok"]


def test_unknown_events_are_answered_and_change_nothing(app, room):
    phone, host, code = room["phones"][0], room["host"], room["code"]
    before = snapshot(app, code)
    for sio in (phone.sio, host):
        for event in ("launch_rockets", "apply_event", "vote_cast", "session_created", "__proto__"):
            answer = sio.emit(event, {"choice": 0}, callback=True)
            assert answer["ok"] is False and answer["code"] == "invalid", (event, answer)
    assert snapshot(app, code) == before


def test_a_fake_disconnect_event_is_not_a_disconnect(app, room):
    phone, code = room["phones"][1], room["code"]
    before = snapshot(app, code)
    phone.sio.emit("disconnect", {})
    state = _hub(app).get(code).state
    assert state.members[phone.pid].connected is True
    assert phone.send("cast_vote", choice=1)["ok"]  # still the same, identified phone
    assert snapshot(app, code)[1] == before[1] + 1


def test_commands_reach_only_the_senders_own_table_and_session(app, client, room):
    phones, code = room["phones"], room["code"]
    hub = _hub(app)
    other = make_session(app, client)
    other_before = snapshot(app, other)
    table1 = copy.deepcopy(hub.get(code).state.tables[1])
    # Naming another table or session in the payload does not redirect a command.
    assert phones[0].send("cast_vote", choice=1, table=1, code=other)["ok"]
    assert phones[0].send("add_note", kind="tip", text="mine", table=1, code=other)["ok"]
    assert hub.get(code).state.tables[1] == table1
    assert snapshot(app, other) == other_before
    # Another table's member cannot change or delete a note, nor hide it.
    before = snapshot(app, code)
    for event, payload in [
        ("edit_note", {"note": room["note"], "text": "hijacked"}),
        ("delete_note", {"note": room["note"]}),
        ("hide_note", {"note": room["note"]}),
        ("move_participant", {"pid": phones[0].pid, "table": 1}),
    ]:
        answer = phones[3].send(event, **payload)
        assert answer["ok"] is False and answer["code"] in ("forbidden", "not_found"), answer
    # A token of this session identifies nobody in another session.
    elsewhere = socketio.test_client(app)
    hello = elsewhere.emit(
        "hello", {"code": other, "role": "participant", "token": phones[0].token}, callback=True
    )
    assert hello["ok"] and hello["view"]["me"] is None
    assert elsewhere.emit("cast_vote", {"choice": 0}, callback=True)["code"] == "unauthorised"
    # The projector link is read-only.
    wall = socketio.test_client(app)
    key = hub.get(code).projector_key
    assert wall.emit("hello", {"code": code, "role": "projector", "key": key}, callback=True)["ok"]
    for event in ("deal_card", "end_session", "cast_vote", "add_note", "join"):
        answer = wall.emit(event, {"choice": 0, "text": "x", "token": "t" * 30}, callback=True)
        assert answer["ok"] is False and answer["code"] in ("forbidden", "unauthorised")
    assert snapshot(app, code) == before
    assert snapshot(app, other) == other_before


def test_replayed_ids_act_once(app, room):
    phones, code = room["phones"], room["code"]
    first = phones[1].send("cast_vote", choice=1, cid="v-1")
    assert first["ok"]
    before = snapshot(app, code)
    for _ in range(4):
        again = phones[1].send("cast_vote", choice=0, cid="v-1")
        assert again["ok"] and again["repeated"]
    # The same id on another command is still the first command's answer, not a new act.
    assert phones[1].send("add_note", kind="tip", text="x", cid="v-1")["repeated"]
    note_again = phones[0].send("add_note", kind="tip", text="other", cid="note-1")
    assert note_again["repeated"] and note_again["note"] == room["note"]
    assert snapshot(app, code) == before
    # Client ids belong to their participant: another phone's "v-1" is its own.
    assert not phones[2].send("cast_vote", choice=1, cid="v-1").get("repeated")


def test_a_flood_from_one_phone_is_limited_while_fifty_others_keep_working(app, client):
    code = make_session(app, client)
    flooder = Phone(app, code, "Flood")
    assert flooder.send("take_seat", table=0)["ok"]
    assert flooder.send("draw_card")["ok"]
    answers = [flooder.send("add_note", kind="tip", text=f"flood {i}") for i in range(80)]
    limited = [a for a in answers if a.get("code") == "rate_limited"]
    accepted = [a for a in answers if a["ok"]]
    assert limited and len(limited) + len(accepted) == len(answers)
    assert limited[0]["error"]
    state = _hub(app).get(code).state
    assert len(state.tables[0].current.notes) == len(accepted)  # refused floods left no trace
    # Fifty phones behind the same address (one venue's NAT) are not slowed by it.
    others = [Phone(app, code, f"Venue {i}") for i in range(50)]
    for i, phone in enumerate(others):
        assert phone.send("take_seat", table=i % 2)["ok"]
    assert others[1].send("draw_card")["ok"]
    for phone in others:
        assert phone.send("cast_vote", choice=1, cid="v")["ok"]
        assert phone.send("add_note", kind="tip", text="fine", cid="n")["ok"]
    again = [flooder.send("add_note", kind="tip", text="again") for _ in range(40)]
    assert any(a.get("code") == "rate_limited" for a in again)


# --- guessing codes ---------------------------------------------------------------------------


def test_join_code_guessing_over_http_is_throttled(app, client):
    code = make_session(app, client)
    client.post("/host/sign-out", data={"csrf_token": csrf_of(client)})
    guesser = app.test_client()
    statuses = [guesser.get(f"/join?code=ZZZZ{i:02d}").status_code for i in range(30)]
    assert set(statuses) == {404}
    assert guesser.get("/join?code=ZZZZZZ").status_code == 429
    # Blocked: a right code gets the same answer as a wrong one, on every public route.
    assert guesser.get(f"/join?code={code}").status_code == 429
    assert guesser.get(f"/j/{code}").status_code == 429
    assert guesser.get("/j/ZZZZZZ").status_code == 429
    assert guesser.get(f"/s/{code}/qr.svg").status_code == 429
    assert guesser.get(f"/wall/{code}?k=guess").status_code == 429
    # The signed-in facilitator and the projector link still work from that address.
    key = _hub(app).get(code).projector_key
    assert guesser.get(f"/wall/{code}?k={key}").status_code == 200


def test_phone_page_guessing_is_throttled(app, client):
    guesser = app.test_client()
    statuses = {guesser.get(f"/j/ZZZZ{i:02d}").status_code for i in range(30)}
    assert statuses == {404}
    assert guesser.get("/j/ZZZZ99").status_code == 429


def test_join_code_guessing_over_socketio_is_throttled(app, client):
    code = make_session(app, client)
    joined = Phone(app, code, "Already here")
    for i in range(30):
        if i % 5 == 0:  # a new socket now and then: each socket also has its own hello limit
            guesser = socketio.test_client(app)
        answer = guesser.emit(
            "hello", {"code": f"ZZZZ{i:02d}", "role": "participant"}, callback=True
        )
        assert answer["code"] == "not_found"
    blocked = guesser.emit("hello", {"code": code, "role": "participant"}, callback=True)
    assert blocked == {"ok": False, "error": blocked["error"], "code": "rate_limited"}
    wrong = guesser.emit("hello", {"code": "ZZZZZZ", "role": "participant"}, callback=True)
    assert wrong["code"] == "rate_limited"  # the same answer: nothing learnt
    # A phone that already joined (same address) comes back with its token; so does the host.
    back = socketio.test_client(app)
    hello = back.emit(
        "hello", {"code": code, "role": "participant", "token": joined.token}, callback=True
    )
    assert hello["ok"] and hello["view"]["me"]["pid"] == joined.pid
    host = socketio.test_client(app, flask_test_client=client)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]


# --- HTTP: CSRF, sign-in, projector, headers, deleting, ending ------------------------------------


def test_forms_need_the_csrf_token(app, client):
    assert client.post("/host", data={"key": "TEST-HOST-KEY1"}).status_code == 400
    token = sign_in(client)
    form = {"deck": "tiny", "tables_mode": "count", "table_count": "2"}
    assert client.post("/host/sessions", data=form).status_code == 400
    assert client.post("/host/sessions", data={**form, "csrf_token": "forged"}).status_code == 400
    assert (
        client.post("/host/sessions", data=form, headers={"X-CSRF-Token": "forged"}).status_code
        == 400
    )
    assert _hub(app).store.sessions() == []
    code = make_session(app, client)
    assert client.post(f"/host/s/{code}/delete").status_code == 400
    assert client.post(f"/host/s/{code}/delete", data={"csrf_token": "x"}).status_code == 400
    assert _hub(app).store.exists(code)
    assert (
        client.post("/host/sessions", data=form, headers={"X-CSRF-Token": token}).status_code == 302
    )


def test_facilitator_routes_need_the_sign_in(app, client):
    code = make_session(app, client)
    stranger = app.test_client()
    token = csrf_of(stranger)
    for path in ("/host/new?deck=tiny", f"/host/s/{code}"):
        response = stranger.get(path)
        assert response.status_code == 302 and "/host?next=" in response.headers["Location"]
        assert stranger.get(path, headers={"Accept": "application/json"}).status_code == 403
    form = {"deck": "tiny", "csrf_token": token}
    assert stranger.post("/host/sessions", data=form).status_code == 302
    assert stranger.post(f"/host/s/{code}/delete", data={"csrf_token": token}).status_code == 302
    assert len(_hub(app).store.sessions()) == 1 and _hub(app).store.exists(code)
    sock = socketio.test_client(app, flask_test_client=stranger)
    assert sock.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["code"] == (
        "unauthorised"
    )
    assert sock.emit("end_session", {}, callback=True)["code"] == "unauthorised"


def test_projector_page_needs_the_right_key(app, client):
    code = make_session(app, client)
    key = _hub(app).get(code).projector_key
    viewer = app.test_client()
    assert viewer.get(f"/wall/{code}").status_code == 403
    assert viewer.get(f"/wall/{code}?k=wrong").status_code == 403
    assert viewer.get(f"/wall/{code}?k={key[:-1]}").status_code == 403
    assert viewer.get(f"/wall/ZZZZZZ?k={key}").status_code == 403  # same answer: nothing learnt
    assert viewer.get(f"/wall/{code}?k={key}").status_code == 200


CSP_NEEDS = ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src")


def test_pages_carry_security_headers_and_no_inline_script(app, client):
    code = make_session(app, client)
    key = _hub(app).get(code).projector_key
    pages = [
        "/",
        "/host",
        f"/host/s/{code}",
        "/host/new?deck=tiny",
        f"/j/{code}",
        f"/wall/{code}?k={key}",
        "/join?code=ZZZZZZ",
        "/nowhere",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert all(need.split(" ")[0] in directives for need in CSP_NEEDS), csp
        assert "unsafe-inline" not in directives["script-src"]
        assert "unsafe-eval" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        html = response.get_data(as_text=True)
        # Only external scripts; a JSON data block is not script.
        inline = r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>"
        assert not re.search(inline, html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no inline event handlers
    api = client.get("/healthz")
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_typed_text_is_shown_as_text(app, client):
    typed = '<script>alert("x")</script>'
    page = client.get("/join", query_string={"code": typed}).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    code = make_session(app, client)
    phone = Phone(app, code, '<img src=x onerror="alert(1)">')
    phone.send("take_seat", table=0)
    phone.send("draw_card")
    assert phone.send("add_note", kind="tip", text=typed)["ok"]
    # Stored and sent exactly as typed: as data, for pages to insert with textContent.
    view = phone.send("sync")["view"]
    assert view["table"]["current"]["notes"][0]["text"] == typed
    for path in (f"/host/s/{code}", "/"):
        assert "<img src=x" not in client.get(path).get_data(as_text=True)


def test_deleting_a_session_removes_all_its_data(app, client, tmp_path):
    code = make_session(app, client)
    phone = Phone(app, code, "Unforgettable Name")
    phone.send("take_seat", table=0)
    phone.send("draw_card")
    secret = "A story nobody should find later " + secrets.token_hex(8)
    assert phone.send("add_note", kind="experience", text=secret, cid="n1")["ok"]
    hub = _hub(app)
    response = client.post(f"/host/s/{code}/delete", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 302
    assert code not in hub.sessions and hub.get(code) is None
    assert (
        not hub.store.exists(code) and hub.store.load(code) == [] and hub.store.applied(code) == {}
    )
    assert hub.store.event_count(code) == 0
    # The phone still connected learns the session is gone; nothing it sends is stored.
    assert phone.send("add_note", kind="tip", text="after")["code"] == "unauthorised"
    assert client.get(f"/j/{code}").status_code == 404
    # Nothing left in the database files either (secure delete, WAL emptied).
    for path in tmp_path.glob("test.sqlite3*"):
        data = path.read_bytes()
        assert secret.encode() not in data and b"Unforgettable Name" not in data, path.name


def test_an_ended_session_refuses_joining_and_every_command(app, room):
    phones, host, code = room["phones"], room["host"], room["code"]
    assert host.emit("end_session", {}, callback=True)["ok"]
    _hub(app).limits.update(burst=10**6, per_second=10**6)  # this test is about the end
    _hub(app).get(code).buckets.clear()
    before = snapshot(app, code)
    late = socketio.test_client(app)
    assert late.emit("hello", {"code": code, "role": "participant"}, callback=True)["ok"]
    answer = late.emit("join", {"token": secrets.token_urlsafe(24), "name": "Late"}, callback=True)
    assert answer["ok"] is False and answer["code"] == "out_of_turn"
    for command, payload in valid_participant_payloads(room).items():
        if command != "join" and command not in AFTER_END_COMMANDS:
            assert phones[0].send(command, **payload)["code"] == "out_of_turn", command
    for command, payload in valid_facilitator_payloads(room).items():
        if command not in AFTER_END_COMMANDS:  # filing a proposal, offering the takeaway
            assert host.emit(command, payload, callback=True)["code"] == "out_of_turn", command
    assert snapshot(app, code) == before


# --- logs -----------------------------------------------------------------------------------


def test_python_logging_holds_no_typed_text_or_names(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(tmp_path)
    try:
        client = app.test_client()
        code = make_session(app, client)
        name, text = "Quokka Marmalade", "Aurora borealis 7319 story"
        phone = Phone(app, code, name)
        phone.send("take_seat", table=0)
        phone.send("draw_card")
        assert phone.send("add_note", kind="tip", text=text)["ok"]
        phone.send("add_note", kind="tip", text=text * 50)  # refused: too long
        phone.send("rename", name=[name])  # refused: wrong type
        phone.send("no_such_event", text=text)
        phone.sio.emit(text, {"name": name}, callback=True)
        client.get("/join", query_string={"code": name})
        assert name not in caplog.text and text not in caplog.text
    finally:
        app.extensions["tafelronde.close"]()


# --- a real server: message size, origin, its log ------------------------------------------------


@pytest.fixture(scope="module", params=SERVE_MODES)
def real(tmp_path_factory, request):
    """One real server per async mode for this module's transport tests, with a session and a
    facilitator."""
    server = tiny_server(tmp_path_factory.mktemp("hardening"), request.param).start()
    host = Facilitator(server.url)
    code = host.create_session(table_count="2")
    yield server, host, code
    host.close()
    server.stop()


def stored_events(server, code):
    store = Store(server.workdir / "tafelronde.sqlite3")
    try:
        return store.event_count(code)
    finally:
        store.close()


@pytest.mark.slow
def test_an_oversize_socketio_message_is_refused(real):
    server, host, code = real
    phone = RealPhone(server.url, code, "Big")
    try:
        phone.join()
        assert phone.call("take_seat", table=0)["ok"]
        assert phone.call("draw_card")["ok"]
        before = stored_events(server, code)
        # Just under the limit: the message arrives and the note is refused for its length.
        answer = phone.call("add_note", kind="tip", text="x" * 15_000)
        assert answer["ok"] is False and answer["code"] == "invalid"
        # Over the limit (16 KB): the server drops the connection before reading it.
        with pytest.raises(socketio_client.exceptions.SocketIOError):
            phone.call("add_note", kind="tip", text="x" * 20_000, timeout=3)
            phone.call("sync", timeout=3)
        assert stored_events(server, code) == before
        # The phone comes back with its token and finds its seat.
        phone.close()
        assert phone.open()["me"]["table"] == 0
    finally:
        phone.close()
    # Long-polling (what a phone uses before its websocket): an oversize POST is refused and
    # closes the connection; the poll a browser keeps open hears the close.
    polling = f"{server.url}/socket.io/?EIO=4&transport=polling"
    handshake = requests.get(polling, timeout=5)
    sid = re.search(r'"sid":"([^"]+)"', handshake.text).group(1)
    polling += f"&sid={sid}"
    assert requests.post(polling, data="40", timeout=5).status_code == 200
    requests.get(polling, timeout=5)  # the namespace's connect answer
    # The poll goes out, whole, on a connection made before the oversize POST's: the server
    # accepts connections in order and reads a request that is all there before it serves the
    # next, so the poll is waiting in the server when the POST comes (no sleep guessing that).
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as poll:
        poll.sendall(
            f"GET {polling.removeprefix(server.url)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        big = requests.post(polling, data='42["hello",{"code":"' + "x" * 20_000 + '"}]', timeout=10)
        answer = b""
        while chunk := poll.recv(65536):  # until the server closes it (bounded by the timeout)
            answer += chunk
    assert big.status_code == 413  # answered before the body is read (game.web.serving.gate)
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"\r\n\r\n1"), answer
    assert requests.get(polling, timeout=5).status_code == 400  # that connection is gone
    assert stored_events(server, code) == before


@pytest.mark.slow
def test_socketio_accepts_only_the_same_origin(real):
    server, _, _ = real
    polling = f"{server.url}/socket.io/?EIO=4&transport=polling"
    evil = requests.get(polling, headers={"Origin": "http://evil.example"}, timeout=5)
    assert evil.status_code == 400
    same = requests.get(polling, headers={"Origin": server.url}, timeout=5)
    assert same.status_code == 200 and '"sid"' in same.text
    sio = socketio_client.Client(
        reconnection=False, websocket_extra_options={"origin": "http://evil.example"}
    )
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        sio.connect(server.url, transports=["websocket"], wait_timeout=5)
    close_client(sio)
    close_client(connect(server.url))  # its own origin is fine


@pytest.mark.slow
def test_the_server_log_holds_no_typed_text_or_names(real):
    server, host, code = real
    name, text = "Zyxwvut Quokka", "Marmalade aurora 4471 confession"
    phone = RealPhone(server.url, code, name)
    try:
        phone.join()
        phone.call("take_seat", table=1)
        phone.call("draw_card")
        assert phone.call("add_note", kind="tip", text=text)["ok"]
        phone.call("add_note", kind="tip", text=text * 40)
        phone.call("rename", name={"name": name})
        phone.call("edit_note", note="n0", text=text)
        phone.call(text, name=name)
        requests.get(f"{server.url}/join", params={"code": name}, timeout=5)
        sio, view = host.socket(code)
        assert any(
            n["text"] == text
            for t in view["tables"]
            for n in (t["current"] or {"notes": []})["notes"]
        )
        close_client(sio)
    finally:
        phone.close()
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "Tafelronde is running" in log  # it is the right file
    assert name not in log and text not in log


def test_an_oversize_http_body_is_refused(app, client):
    token = sign_in(client)
    big = {"deck": "tiny", "csrf_token": token, "table_names": "x" * (1024 * 1024 + 1)}
    assert client.post("/host/sessions", data=big).status_code == 413
    assert _hub(app).store.sessions() == []


def test_security_doc_states_the_limits_in_force(app):
    from pathlib import Path

    from game.codes import CID_MAX, TOKEN_MAX, TOKEN_MIN
    from game.core.rules import MAX_PARTICIPANTS, MAX_SPOTLIGHT_NOTES, MAX_TABLES

    doc = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text()
    hub, limiters = _hub(app), app.extensions
    facts = [
        f"{app.config['MAX_MESSAGE_BYTES'] // 1024} KB",
        f"{app.config['MAX_NOTE_CHARS']} characters",
        f"{app.config['MAX_NAME_CHARS']} characters",
        f"{MAX_MESSAGE_CHARS} characters",
        f"1–{CID_MAX} characters",
        f"{TOKEN_MIN}–{TOKEN_MAX} characters",
        f"{MAX_TABLES} / {app.config['MAX_PARTICIPANTS']:,} (`MAX_PARTICIPANTS`, at most "
        f"{MAX_PARTICIPANTS:,})",
        f"| {MAX_SPOTLIGHT_NOTES} |",
        f"bursts of {hub.limits['burst']}, then {hub.limits['per_second']:g} per second",
        f"{limiters['tafelronde.join_limiter'].limit} per "
        f"{limiters['tafelronde.join_limiter'].window // 60} minutes",
        f"{limiters['tafelronde.signin_limiter'].limit} per "
        f"{limiters['tafelronde.signin_limiter'].window // 60} minutes",
        f"default {app.config['RETENTION_DAYS']}",
    ]
    missing = [fact for fact in facts if fact not in doc]
    assert not missing, missing
