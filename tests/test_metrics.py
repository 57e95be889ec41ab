"""Metrics at /metrics: off by default, then only for allowed addresses or the token, in
Prometheus's text format (made by prometheus_client), naming no person and no address; and a
real Prometheus server scraping a real server and answering a query about it."""

import re
import time

import pytest

from app import socketio
from tests.conftest import csrf_of, make_app
from tests.test_sockets import Phone, make_session

TOKEN = "metrics-token-for-tests"
BOUND = 30.0  # seconds a stuck scrape may be waited for (never an assertion on time)


def metrics_app(tmp_path, **config):
    return make_app(tmp_path, METRICS=True, **config)


def sample(text, name):
    """The value of the sample line `name` (with labels) in a scrape, or None."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


def test_metrics_are_off_unless_asked_for(client):
    answer = client.get("/metrics")
    assert answer.status_code == 404 and "METRICS" in answer.get_json()["error"]


def test_only_allowed_addresses_or_the_token_read_them(tmp_path):
    app = metrics_app(tmp_path, METRICS_ALLOW=["10.0.0.0/24"], METRICS_TOKEN=TOKEN)
    try:
        client = app.test_client()
        inside = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.7"})
        assert inside.status_code == 200
        outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.1"})
        assert outside.status_code == 403 and "METRICS_ALLOW" in outside.get_json()["error"]
        wrong = client.get(
            "/metrics",
            environ_base={"REMOTE_ADDR": "192.0.2.1"},
            headers={"Authorization": "Bearer not-it"},
        )
        assert wrong.status_code == 403
        token = client.get(
            "/metrics",
            environ_base={"REMOTE_ADDR": "192.0.2.1"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert token.status_code == 200
        assert token.headers["Content-Type"].startswith("text/plain; version=")
    finally:
        app.extensions["tafelronde.close"]()


def test_what_they_count_and_that_no_address_appears(tmp_path):
    app = metrics_app(tmp_path)
    try:
        client = app.test_client()
        code = make_session(app, client, table_count="1")
        host = socketio.test_client(app, flask_test_client=client)
        assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
        phones = [Phone(app, code, f"P{i}") for i in range(3)]
        for phone in phones:
            assert phone.send("take_seat", table=0)["ok"]
        assert phones[0].send("draw_card")["ok"]
        for phone in phones:
            assert phone.send("cast_vote", choice=0, cid="v")["ok"]
        assert phones[0].send("cast_vote", choice=9)["code"] == "invalid"
        for _ in range(12):  # the sign-in form's guesses are limited: 429
            client.post("/host", data={"key": "wrong", "csrf_token": csrf_of(client)})

        text = client.get("/metrics").get_data(as_text=True)
        assert sample(text, 'tafelronde_commands_total{code="ok",command="cast_vote"}') == 3
        assert sample(text, 'tafelronde_commands_total{code="invalid",command="cast_vote"}') == 1
        assert sample(text, 'tafelronde_commands_total{code="ok",command="hello"}') == 4
        assert sample(text, "tafelronde_ack_seconds_count") >= 11
        assert sample(text, "tafelronde_store_commit_seconds_count") >= 1
        assert sample(text, "tafelronde_sessions_served") == 1
        assert sample(text, "tafelronde_phones_connected") == 3
        assert sample(text, 'tafelronde_screens_connected{role="facilitator"}') == 1
        assert sample(text, 'tafelronde_sessions_moved_total{how="handed_over"}') == 0
        assert sample(text, 'tafelronde_session_drops_total{why="store_error"}') == 0
        assert sample(text, "tafelronde_store_failed_commits_total") == 0
        assert sample(text, 'tafelronde_refusals_total{status="429"}') >= 1
        # Names, tokens and addresses of people never appear: labels come from fixed lists.
        assert not re.search(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", text)
        assert "P0" not in text and phones[0].token not in text and phones[0].pid not in text
        assert code not in text
    finally:
        app.extensions["tafelronde.close"]()


@pytest.mark.slow  # starts a server process
def test_a_real_prometheus_scrapes_a_real_server(tmp_path):
    from tests.realclients import Facilitator, RealPhone, close_client, tiny_server
    from tests.services import ServiceUnavailable, prometheus_server, unavailable

    server = tiny_server(
        tmp_path,
        TAFELRONDE_METRICS="true",
        TAFELRONDE_METRICS_ALLOW="[]",  # only the token: as from another machine
        TAFELRONDE_METRICS_TOKEN=TOKEN,
    ).start()
    host = Facilitator(server.url)
    phones, sockets = [], []
    try:
        code = host.create_session(flow="deal", table_count="1")
        host_sio, _ = host.socket(code)
        sockets.append(host_sio)
        for i in range(3):
            phone = RealPhone(server.url, code, f"P{i}")
            phones.append(phone)
            phone.join()
            assert phone.call("take_seat", table=0)["ok"]
        assert host_sio.call("deal_card", {"card": "one"}, timeout=5)["ok"]
        for i, phone in enumerate(phones):
            assert phone.call("cast_vote", choice=i % 3, cid=f"v{i}")["ok"]
        try:
            prometheus = prometheus_server([f"127.0.0.1:{server.port}"], token=TOKEN)
            with prometheus as prom:
                query = 'tafelronde_commands_total{command="cast_vote",code="ok"}'
                deadline = time.monotonic() + BOUND
                while True:
                    result = prom.query(query)
                    if result:
                        break
                    assert time.monotonic() < deadline, f"never scraped:\n{prom.log()}"
                    time.sleep(0.2)
                assert float(result[0]["value"][1]) == 3
                assert result[0]["metric"]["job"] == "tafelronde"
                up = prom.query('up{job="tafelronde"}')
                assert float(up[0]["value"][1]) == 1
                phones_now = prom.query("tafelronde_phones_connected")
                assert float(phones_now[0]["value"][1]) == 3
        except ServiceUnavailable as error:
            unavailable(f"no Prometheus to test against: {error}")
    finally:
        for phone in phones:
            phone.close()
        for sio in sockets:
            close_client(sio)
        host.close()
        server.stop()


@pytest.mark.parametrize("header", ["", "Bearer ", "Basic abc"])
def test_an_empty_token_setting_never_lets_anyone_in(tmp_path, header):
    app = metrics_app(tmp_path, METRICS_ALLOW=[], METRICS_TOKEN="")
    try:
        answer = app.test_client().get("/metrics", headers={"Authorization": header})
        assert answer.status_code == 403
    finally:
        app.extensions["tafelronde.close"]()
