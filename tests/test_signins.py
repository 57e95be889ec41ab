"""Facilitator sign-ins end on the server: after signing out, a copied cookie and an open
facilitator socket are refused; `flask --app app host rotate-key` ends every sign-in, also in a
server already running on the same instance folder."""

import pytest

from app import socketio
from game.storage.sqlite import SQLiteStore
from game.web.pages.signins import SignIns, write_host_key
from tests.conftest import HOST_KEY, csrf_of, make_app
from tests.test_sockets import make_session


def create_session(web):
    """Create a session as the browser `web`, already signed in; return its code."""
    data = {"deck": "tiny", "tables_mode": "count", "table_count": "2", "seating": "choose"}
    answer = web.post("/host/sessions", data={**data, "flow": "draw", "csrf_token": csrf_of(web)})
    assert answer.status_code == 302, answer.data
    return answer.headers["Location"].rsplit("/", 1)[-1]


def facilitator_socket(app, web, code):
    host = socketio.test_client(app, flask_test_client=web)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    return host


def message(host, text="Five minutes left"):
    return host.emit("send_message", {"text": text}, callback=True)


def test_signing_out_ends_the_cookie_and_the_open_socket(app):
    web = app.test_client()
    code = make_session(app, web)
    host = facilitator_socket(app, web, code)
    assert message(host)["ok"]
    copied = app.test_client()
    copied.set_cookie("session", web.get_cookie("session").value)
    assert copied.get(f"/host/s/{code}").status_code == 200  # a copy works while signed in

    assert web.post("/host/sign-out", data={"csrf_token": csrf_of(web)}).status_code == 302
    refused = message(host)
    assert refused["ok"] is False and refused["code"] == "unauthorised"
    assert copied.get(f"/host/s/{code}").status_code == 302  # sent to sign in again
    again = socketio.test_client(app, flask_test_client=copied)
    hello = again.emit("hello", {"code": code, "role": "facilitator"}, callback=True)
    assert hello["code"] == "unauthorised"


def test_signing_out_ends_only_that_sign_in(app):
    first, second = app.test_client(), app.test_client()
    code = make_session(app, first)
    make_session(app, second)
    host = facilitator_socket(app, second, code)
    first.post("/host/sign-out", data={"csrf_token": csrf_of(first)})
    assert message(host)["ok"]


@pytest.fixture
def kept_key_app(tmp_path):
    """An app whose facilitator key was generated and is kept in instance/host_key."""
    app = make_app(tmp_path, HOST_KEY="")
    yield app
    app.extensions["tafelronde.close"]()


def sign_in_with(app, key):
    web = app.test_client()
    token = csrf_of(web)
    answer = web.post("/host", data={"key": key, "csrf_token": token})
    return web, answer.status_code


def test_rotating_the_key_ends_every_sign_in_of_a_running_server(kept_key_app, tmp_path):
    app = kept_key_app
    old_key = app.config["HOST_KEY"]
    web, status = sign_in_with(app, old_key)
    assert status == 302
    code = create_session(web)
    host = facilitator_socket(app, web, code)
    assert message(host)["ok"]

    result = app.test_cli_runner().invoke(args=["host", "rotate-key"])
    assert result.exit_code == 0, result.output
    new_key = (tmp_path / "instance" / "host_key").read_text().strip()
    assert new_key in result.output and new_key != old_key

    refused = message(host)
    assert refused["ok"] is False and refused["code"] == "unauthorised"
    assert web.get(f"/host/s/{code}").status_code == 302
    assert sign_in_with(app, old_key)[1] == 403  # the old key no longer signs in
    web, status = sign_in_with(app, new_key)
    assert status == 302
    assert message(facilitator_socket(app, web, code))["ok"]


def test_a_configured_key_is_not_rotated(app):
    result = app.test_cli_runner().invoke(args=["host", "rotate-key"])
    assert result.exit_code != 0 and "HOST_KEY" in result.output
    assert app.config["HOST_KEY"] == HOST_KEY
    assert sign_in_with(app, HOST_KEY)[1] == 302


def test_sign_ins_are_bounded_and_odd_ids_let_nobody_in(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    clock = iter(range(1000, 2000)).__next__  # each sign-in a second after the one before
    signins = SignIns(store, clock=clock)
    first = signins.start()
    ids = [signins.start() for _ in range(200)]
    assert not signins.valid(first) and all(signins.valid(i) for i in ids)
    assert not signins.valid("") and not signins.valid(None) and not signins.valid(["x"])
    signins.end(ids[0])
    assert not signins.valid(ids[0]) and signins.valid(ids[1])
    store.close()


def test_another_process_ending_sign_ins_is_seen_by_the_running_server(kept_key_app, tmp_path):
    app = kept_key_app
    web, _ = sign_in_with(app, app.config["HOST_KEY"])
    code = create_session(web)
    host = facilitator_socket(app, web, code)
    assert message(host)["ok"]
    # What `host rotate-key` does from its own process: its own view of the same files.
    write_host_key(tmp_path / "instance", "ABCD-EFGH-JKMN")
    other = SQLiteStore(app.config["DATABASE"])
    SignIns(other).end_all()
    other.close()
    assert message(host)["code"] == "unauthorised"
    assert sign_in_with(app, "ABCD-EFGH-JKMN")[1] == 302


def test_a_sign_in_counts_on_every_process_of_the_store_and_ends_on_all(tmp_path):
    # Two apps on one database with their own instance folders: two machines sharing a store.
    one = make_app(tmp_path, INSTANCE_PATH=str(tmp_path / "one"))
    two = make_app(tmp_path, INSTANCE_PATH=str(tmp_path / "two"))
    web, status = sign_in_with(one, HOST_KEY)
    assert status == 302
    code = create_session(web)
    elsewhere = two.test_client()
    elsewhere.set_cookie("session", web.get_cookie("session").value)
    assert elsewhere.get(f"/host/s/{code}").status_code == 200
    host = facilitator_socket(two, elsewhere, code)
    assert message(host)["ok"]
    assert web.post("/host/sign-out", data={"csrf_token": csrf_of(web)}).status_code == 302
    assert message(host)["code"] == "unauthorised"
    assert elsewhere.get(f"/host/s/{code}").status_code == 302
    for app in (one, two):
        app.extensions["tafelronde.close"]()
