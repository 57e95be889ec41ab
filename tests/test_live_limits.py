"""What one socket cannot do to the room: malformed events are answered `invalid` without a
traceback, `hello`/`sync` floods are limited per socket while others go on, failures are logged
within a budget, and a session over MAX_PARTICIPANTS refuses new phones in their language."""

import logging
import secrets

import pytest

from app import socketio
from game.web.live import namespace as live
from game.web.live.namespace import ASK_BURST, FailureLog
from tests.conftest import make_app
from tests.test_sockets import Phone, make_session


@pytest.fixture
def capped(tmp_path):
    app = make_app(tmp_path, MAX_PARTICIPANTS=3)
    yield app
    app.extensions["tafelronde.close"]()


def test_events_with_extra_arguments_reserved_names_or_bytes_are_answered(app, client, caplog):
    code = make_session(app, client)
    phones = [Phone(app, code, "P0")]
    assert phones[0].send("take_seat", table=0)["ok"]
    phone = phones[0].sio
    with caplog.at_level(logging.DEBUG):
        extra = phone.emit("sync", {}, 1, callback=True)
        assert extra["ok"] is False and extra["code"] == "invalid"
        assert phone.emit("cast_vote", {"choice": 0}, {"x": 1}, callback=True)["code"] == "invalid"
        for reserved in ("connect", "disconnect"):
            answer = phone.emit(reserved, {}, callback=True)
            assert answer["ok"] is False and answer["code"] == "invalid"
        assert phone.emit("hello", b"\x00\x01", callback=True)["code"] == "invalid"
        answer = phone.emit("cast_vote", {"choice": b"\x00", "card": "one"}, callback=True)
        assert answer["ok"] is False
    assert "Traceback" not in caplog.text and "failed" not in caplog.text
    assert phones[0].send("sync")["ok"]  # the socket still works


class FrozenTime:
    """Stands in for the `time` module of game.web.live.namespace: its clock moves only when told."""

    def __init__(self, now=1000.0):
        self.now = now

    def monotonic(self):
        return self.now

    def perf_counter(self):  # the namespace times acknowledgements for the metrics
        return self.now


def test_a_hello_and_sync_flood_is_limited_while_other_phones_keep_voting(app, client, monkeypatch):
    clock = FrozenTime()
    monkeypatch.setattr(live, "time", clock)
    code = make_session(app, client, flow="deal")
    host = socketio.test_client(app, flask_test_client=client)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    phones = [Phone(app, code, f"P{i}") for i in range(20)]
    for i, phone in enumerate(phones):
        assert phone.send("take_seat", table=i % 2)["ok"]
    assert host.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    # docs/protocol.md: bursts of 10, then 1 per second, per socket (the phone's opening hello
    # was the first of its ten). Hellos and syncs share the allowance, and a hello that is
    # accepted does not refill it.
    assert ASK_BURST == 10
    hello = {"code": code, "role": "participant"}
    for flood in (["sync"] * 50 + ["hello"] * 50, ["hello"] * 100):
        flooder = Phone(app, code, "Flood")
        answers = [flooder.send(e, **(hello if e == "hello" else {}))["ok"] for e in flood]
        assert answers == [True] * (ASK_BURST - 1) + [False] * (len(flood) - ASK_BURST + 1)
        assert flooder.send("sync")["code"] == "rate_limited"
    clock.now += 1.0  # one more a second
    assert flooder.send("hello", **hello)["ok"]
    assert flooder.send("sync")["code"] == "rate_limited"
    clock.now += 3.0
    assert [flooder.send("sync")["ok"] for _ in range(4)] == [True, True, True, False]
    for phone in phones[1:]:  # the other phones on the same address vote and sync
        assert phone.send("cast_vote", choice=0, card="one")["ok"]
        assert phone.send("sync")["ok"]


def test_handler_failures_are_logged_within_a_budget(caplog):
    now = [0.0]
    failures = FailureLog(burst=3, every=10.0, clock=lambda: now[0])
    with caplog.at_level(logging.ERROR, logger="tafelronde.live"):
        for _ in range(1000):
            try:
                raise RuntimeError("a bug")
            except RuntimeError:
                failures.log("sync")
        assert len(caplog.records) == 3
        now[0] = 10.0
        try:
            raise RuntimeError("a bug")
        except RuntimeError:
            failures.log("sync")
    assert len(caplog.records) == 4
    assert "997 more failures not logged" in caplog.records[-1].getMessage()


def test_a_phone_over_the_participant_cap_is_told_in_its_language(capped):
    web = capped.test_client()
    code = make_session(capped, web)
    phones = [Phone(capped, code, f"P{i}") for i in range(3)]
    late = socketio.test_client(capped, headers={"Accept-Language": "nl"})
    token = secrets.token_urlsafe(24)
    assert late.emit("hello", {"code": code, "role": "participant", "token": token}, callback=True)[
        "ok"
    ]
    answer = late.emit("join", {"token": token, "name": "Laat"}, callback=True)
    assert answer == {
        "ok": False,
        "code": "full",
        "error": "Deze sessie is vol: er is plaats voor 3 mensen.",
    }
    assert len(capped.extensions["tafelronde.hub"].get(code).state.members) == 3
    # Someone who joined before comes back in, full or not.
    again = socketio.test_client(capped)
    hello = {"code": code, "role": "participant", "token": phones[0].token}
    assert again.emit("hello", hello, callback=True)["ok"]
    assert again.emit("join", {"token": phones[0].token}, callback=True)["ok"]


def test_remembered_answers_do_not_keep_the_me_view(app, client):
    code = make_session(app, client)
    phone = Phone(app, code, "Once")
    answer = phone.send("take_seat", table=0, cid="c-1")
    assert answer["ok"] and answer["me"]["table"] == 0
    live = app.extensions["tafelronde.hub"].get(code)
    remembered = [a for key, a in live.applied.items() if key[1] == "c-1"]
    assert remembered and all("me" not in a for a in remembered)
    again = phone.send("take_seat", table=0, cid="c-1")  # a retry gets the answer and a fresh me
    assert again["ok"] and again["me"]["table"] == 0
