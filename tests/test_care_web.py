"""Care at the table, shared devices and compare runs over Socket.IO and HTTP."""

import csv
import io
import json

from tests.test_sockets import Phone, make_session


def host_socket(app, client, code):
    sock = app.extensions["socketio"].test_client(app, flask_test_client=client)
    assert sock.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    return sock


def last(sock, name):
    return [m["args"][0] for m in sock.get_received() if m["name"] == name][-1]


def test_skip_flag_and_pass_over_sockets_with_cids(app, client):
    code = make_session(app, client, flow="deal")
    host = host_socket(app, client, code)
    phones = [Phone(app, code, name) for name in ("Ann", "Bo", "Cy")]
    for phone in phones[:2]:
        assert phone.send("take_seat", table=0)["ok"]
    assert phones[2].send("take_seat", table=1)["ok"]
    assert host.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    passed = phones[0].send("pass_vote", card="one", cid="p-1")
    assert passed["ok"] and passed["me"]["passed"] is True
    again = phones[0].send("pass_vote", card="one", cid="p-1")
    assert again["ok"] and again.get("repeated")
    flag = phones[1].send("flag_table", reason="need_help", cid="f-1")
    assert flag["ok"] and phones[1].send("flag_table", reason="need_help", cid="f-1")["repeated"]
    update = last(host, "host_updated")
    table = next(t for t in update["tables"] if t["id"] == 0)
    assert table["flag"]["reason"] == "need_help" and table["flag"]["by"] == "Bo"
    # A participant cannot clear the call; the facilitator can, and the table hears it was seen.
    refused = phones[1].send("clear_flag", table=0)
    assert refused["code"] == "forbidden"
    phones[0].sio.get_received()
    phones[2].sio.get_received()
    assert host.emit("clear_flag", {"table": 0, "cid": "c-1"}, callback=True)["ok"]
    seen = phones[0].received("table_updated")[-1]
    assert seen["flag"]["seen"] is True
    assert phones[2].received("table_updated") == []  # another table hears nothing
    skipped = phones[2].send("skip_card", card="one", cid="s-1")
    assert skipped["ok"]
    comparison = last(host, "host_updated")["comparison"]
    assert comparison["cards"][0]["status"] == ["talking", "skipped"]
    bad = phones[2].send("flag_table", reason="bored")
    assert bad["code"] == "invalid"
    votes = client.get(f"/host/s/{code}/votes.csv").get_data(as_text=True)
    assert "Table 2,one,First,1,,,,,skipped" in votes
    data = json.loads(client.get(f"/host/s/{code}/results.json").get_data(as_text=True))
    assert data["tables"][0]["flags"][0]["reason"] == "need_help"
    assert data["tables"][0]["flags"][0]["cleared_at"]


def test_shared_device_table_from_the_form_and_its_tally(app, client):
    code = make_session(app, client, flow="deal", devices="mixed", shared_tables="2")
    host = host_socket(app, client, code)
    wall_key = app.extensions["tafelronde.hub"].get(code).projector_key
    wall = app.extensions["socketio"].test_client(app)
    hello = wall.emit("hello", {"code": code, "role": "projector", "key": wall_key}, callback=True)
    assert hello["ok"]
    own, shared = Phone(app, code, "Own"), Phone(app, code, "Shared")
    own.send("take_seat", table=0)
    view = shared.send("take_seat", table=1)
    assert view["ok"]
    assert shared.send("sync")["view"]["table"]["devices"] == "shared"
    assert host.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    assert own.send("record_tally", counts=[1, 0, 0])["code"] == "forbidden"
    assert shared.send("record_tally", counts=[4, 2, 1], cid="t-1")["ok"]
    row = last(wall, "wall_updated")["comparison"]["cards"][0]
    assert row["tables"][1] == [4, 2, 1] and row["tally"] == [False, True]
    votes = client.get(f"/host/s/{code}/votes.csv").get_data(as_text=True)
    assert "Table 2,one,First,1,1,Yes,4,,revealed,tally,0" in votes
    # The facilitator can change it during the session.
    assert host.emit("set_devices", {"table": 1, "devices": "personal"}, callback=True)["ok"]
    assert shared.send("sync")["view"]["table"]["devices"] == "personal"


def test_bad_device_choice_starts_nothing(app, client):
    from tests.conftest import sign_in

    token = sign_in(client)
    before = len(app.extensions["tafelronde.hub"].store.sessions())
    for extra in (
        {"devices": "mixed", "shared_tables": "x"},
        {"devices": "mixed", "shared_tables": "9"},
        {"devices": "tablets"},
    ):
        form = {"deck": "tiny", "tables_mode": "count", "table_count": "2", "csrf_token": token}
        response = client.post("/host/sessions", data={**form, **extra})
        assert response.status_code == 400
        assert "Check the phones" in response.get_data(as_text=True)
    assert len(app.extensions["tafelronde.hub"].store.sessions()) == before


def run(app, client, choices, useful):
    """A session of the tiny deck where table 1 voted `choices` on card one, then ended."""
    code = make_session(app, client, flow="deal")
    host = host_socket(app, client, code)
    host.emit("deal_card", {"card": "one"}, callback=True)
    phones = [Phone(app, code, f"P{i}") for i in range(len(choices))]
    for phone in phones:
        phone.send("take_seat", table=0)
    for phone, choice in zip(phones, choices, strict=True):
        assert phone.send("cast_vote", choice=choice, card="one")["ok"]
    phones[0].send("record_choice", choice=choices[0], card="one")
    assert host.emit("end_session", {}, callback=True)["ok"]
    for phone in phones:
        assert phone.send("submit_evaluation", useful=useful)["ok"]
    return code


def test_compare_runs_page_and_downloads(app, client):
    first = run(app, client, [0, 0], 4)
    second = run(app, client, [1, 2, 2], 2)
    home = client.get("/").get_data(as_text=True)
    assert "Compare runs of this deck" in home and "4.0 of 5" in home and "2.0 of 5" in home
    chooser = client.get("/host/compare?deck=tiny")
    assert chooser.status_code == 200 and first in chooser.get_data(as_text=True)
    page = client.get(f"/host/compare?deck=tiny&s={first}&s={second}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "First" in html and "(67%)" in html
    data = json.loads(client.get(f"/host/compare.json?deck=tiny&s={first}&s={second}").data)
    assert data["format"] == "tafelronde-compare/2"  # 2: changed minds, conclusions
    assert [r["code"] for r in data["runs"]] == [first, second]
    card = data["cards"][0]
    assert card["runs"][0]["votes"] == [2, 0, 0] and card["runs"][1]["votes"] == [0, 1, 2]
    assert card["runs"][1]["choices"] == [0, 1, 0]
    assert [r["evaluation"]["useful_average"] for r in data["runs"]] == [4.0, 2.0]
    body = client.get(f"/host/compare.csv?deck=tiny&s={first}&s={second}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    mine = [r for r in rows if r["session"] == second and r["option"] == "Maybe"]
    assert (
        mine[0]["votes"] == "2" and mine[0]["share"] == "67" and mine[0]["useful_average"] == "2.0"
    )


def test_compare_refuses_bad_choices_and_strangers(app, client):
    first = run(app, client, [0], 3)
    other = make_session(app, client)
    assert client.get(f"/host/compare.csv?deck=tiny&s={first}").status_code == 400
    assert client.get(f"/host/compare.csv?deck=tiny&s={first}&s=ZZZZZZ").status_code == 404
    assert client.get(f"/host/compare.csv?deck=other&s={first}&s={other}").status_code == 404
    assert client.get(f"/host/compare.json?deck=tiny&s={first}&s=bad!").status_code == 400
    assert client.get("/host/compare?deck=nope").status_code == 404
    stranger = app.test_client()
    assert stranger.get(f"/host/compare.json?deck=tiny&s={first}&s={other}").status_code in (
        302,
        403,
    )
