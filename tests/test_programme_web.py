"""Issue 20 over HTTP and Socket.IO: the new-session form's programme (name, cards in order,
openers and closers, the suggested time) and its remembered settings; phones stepping through
the script and getting their own perspective; a proposal dealt; the takeaway page; the editor's
inbox adding a proposal to a deck through the validator and its history; names on the lists."""

import re
from pathlib import Path

import pytest

from game.core.command import FACILITATOR
from tests.conftest import sign_in
from tests.test_sockets import Phone, socketio

SCRIPTED = """\
title: Scripted
language: en
steps:
  - {label: Vote alone, instruction: Read and vote., minutes: 2, kind: vote}
  - {label: Each says why, minutes: 4}
  - {label: Vote again, minutes: 1, kind: round}
  - {label: One sentence, minutes: 3, kind: conclusion}
perspectives:
  - {label: The director, description: Reputation and money.}
  - An ambassador
  - The conversation team
cards:
  - id: first
    title: First
    text: Pick one.
    response: {type: choice, options: [Yes, No]}
    reflection: Thanks for voting.
  - id: second
    title: Second
    text: This or that.
    response: {type: choice, options: [This, That]}
  - id: third
    title: Third
    text: Talk.
    steps: []
"""


@pytest.fixture
def scripted(app):
    (Path(app.config["DECKS_DIR"]) / "scripted.yaml").write_text(SCRIPTED, encoding="utf-8")
    return "scripted"


def form(token, **fields):
    data = {
        "deck": "scripted",
        "tables_mode": "count",
        "table_count": "2",
        "seating": "choose",
        "flow": "deal",
        "csrf_token": token,
        "programme": "shown",
        "card": ["third", "first", "second"],
        "place_first": "closer",
        "perspectives": "on",
        "takeaway": "on",
        "name": "Masterclass March, group B",
    }
    data.update(fields)
    return data


def create(client, **fields):
    token = sign_in(client)
    answer = client.post("/host/sessions", data=form(token, **fields))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"].rsplit("/", 1)[-1]


def state_of(app, code):
    return app.extensions["tafelronde.hub"].get(code).state


def test_the_form_shows_the_programme_and_its_suggested_time(client, scripted):
    sign_in(client)
    page = client.get("/host/new?deck=scripted").get_data(as_text=True)
    assert 'name="card" value="first" checked' in page and 'name="place_third"' in page
    assert "3 cards chosen" in page and "about 20 min" in page  # 10 + 10 + 0 (no script)
    assert 'name="perspectives" checked' in page and 'name="takeaway" checked' in page


def test_a_session_gets_its_programme_and_name_and_the_form_remembers_them(app, client, scripted):
    code = create(client)
    settings = state_of(app, code).settings
    assert settings.programme == ["third", "second", "first"]  # the closer moved to the end
    assert (settings.openers, settings.closers) == (0, 1)
    assert settings.name == "Masterclass March, group B"
    page = client.get("/host/new?deck=scripted").get_data(as_text=True)
    assert 'value="Masterclass March, group B"' in page
    order = re.findall(r'name="card" value="(\w+)"', page)
    assert order == ["third", "first", "second"], "the cards in the order last sent"
    assert '<option value="closer" selected>' in page
    # Leaving cards out, and the takeaway off, is remembered too.
    create(client, card=["second"], place_first="", takeaway="")
    page = client.get("/host/new?deck=scripted").get_data(as_text=True)
    assert 'name="card" value="first">' in page and 'name="card" value="second" checked' in page
    assert 'name="takeaway" checked' not in page
    # Sessions and their names, where codes are shown.
    home = client.get("/").get_data(as_text=True)
    assert code in home and "Masterclass March, group B" in home


def test_a_wrong_programme_is_refused_with_the_form_kept(client, scripted):
    token = sign_in(client)
    answer = client.post("/host/sessions", data=form(token, card=[]))
    assert answer.status_code == 400
    assert "Check the cards" in answer.get_data(as_text=True)
    answer = client.post("/host/sessions", data=form(token, place_first="sideways"))
    assert answer.status_code == 400


def test_a_form_without_the_programme_part_plays_the_whole_deck(app, client, scripted):
    token = sign_in(client)
    data = {k: v for k, v in form(token).items() if k not in ("programme", "card", "takeaway")}
    answer = client.post("/host/sessions", data=data)
    code = answer.headers["Location"].rsplit("/", 1)[-1]
    settings = state_of(app, code).settings
    assert settings.programme is None and settings.takeaway is True


def last(messages, name):
    """The payload of the last message named `name` among received `messages`."""
    return [m["args"][0] for m in messages if m["name"] == name][-1]


def phones_at(app, code, count=2):
    phones = [Phone(app, code, f"P{i}") for i in range(count)]
    for phone in phones:
        assert phone.send("take_seat", table=0)["ok"]
        phone.sio.get_received()
    return phones


def test_phones_step_through_the_script_and_each_gets_its_own_perspective(app, client, scripted):
    code = create(client)
    host = socketio.test_client(app, flask_test_client=client)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    a, b = phones_at(app, code)
    assert host.emit("deal_card", {"card": "first"}, callback=True)["ok"]
    got = {phone: phone.sio.get_received() for phone in (a, b)}
    mine = [last(got[p], "me_updated")["perspective"]["label"] for p in (a, b)]
    assert len(set(mine)) == 2
    table = last(got[a], "table_updated")
    assert table["current"]["card"]["id"] == "first"
    assert table["current"]["step"]["label"] == "Vote alone"
    assert not any(label in str(table) for label in mine), "the table never sees perspectives"
    a.send("cast_vote", choice=0)
    answer = b.send("next_step", step=0, cid="s-1")
    assert answer["ok"] and answer["me"]["perspective"]["label"] == mine[1]
    step = a.received("table_updated")[-1]["current"]
    assert step["revealed"] and step["step"]["index"] == 1
    assert host.emit("advance_tables", {}, callback=True)["ok"]
    assert a.received("table_updated")[-1]["current"]["round"] == 1  # "Vote again" opened it
    updates = [m["args"][0] for m in host.get_received() if m["name"] == "host_updated"]
    assert updates[-1]["tables"][0]["current"]["step"]["index"] == 2


def test_a_proposal_is_dealt_and_the_takeaway_opens_after_the_end(app, client, scripted):
    code = create(client)
    host = socketio.test_client(app, flask_test_client=client)
    host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)
    a, b = phones_at(app, code)
    other = Phone(app, code, "Other")
    other.send("take_seat", table=1)
    sent = a.send("propose_dilemma", title="Our own", text="What now?", options=["Go", "Stay"])
    assert sent["ok"]
    assert b.received("table_updated")[-1]["proposals"][0]["title"] == "Our own"
    assert [u for u in other.received("table_updated") if u["id"] == 0] == []
    assert host.emit("deal_card", {"card": "room-1"}, callback=True)["ok"]
    assert other.received("table_updated")[-1]["current"]["card"]["title"] == "Our own"
    a.send("add_note", kind="tip", text="Keep this one.")
    other.send("add_note", kind="tip", text="Not for table 1.")
    a.sio.get_received()
    assert host.emit("end_session", {}, callback=True)["ok"]
    takeaway = a.received("me_updated")[-1]["takeaway"]
    url = f"/j/{code}/takeaway/{takeaway['table']}/{takeaway['key']}"
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-cache"
    text = page.get_data(as_text=True)
    assert "Our own" in text and "Keep this one." in text and "Not for table 1." not in text
    assert "Masterclass March, group B" in text and "written by a table" in text
    assert "Jullie tafel" not in text
    dutch = client.get(url + "?lang=nl").get_data(as_text=True)
    assert "De notities van jullie tafel" in dutch
    assert client.get(f"/j/{code}/takeaway/1/{takeaway['key']}").status_code == 404
    assert client.get(f"/j/{code}/takeaway/0/{'0' * 24}").status_code == 404
    assert host.emit("offer_takeaway", {"offered": False}, callback=True)["ok"]
    assert client.get(url).status_code == 404
    worker = client.get("/j/sw.js").get_data(as_text=True)
    assert "takeaway" in worker and "/static/css/takeaway.css" in worker


def test_the_inbox_adds_a_proposal_to_a_deck_through_the_validator_and_its_history(
    app, client, scripted
):
    code = create(client)
    (a,) = phones_at(app, code, count=1)
    a.send("propose_dilemma", title="The empty group", text="Nobody posts. Close it?")
    sign_in(client)
    inbox = client.get("/decks/inbox").get_data(as_text=True)
    assert "The empty group" in inbox
    assert f"From session Masterclass March, group B ({code}), Table 1" in inbox
    assert 'value="the-empty-group"' in inbox
    token = sign_in(client)
    fields = {
        "csrf_token": token,
        "title": "The empty group",
        "text": "Nobody posts in the group. Close it?",
        "options": "Close it\nFind a host",
        "deck": "scripted",
        "id": "first",  # taken: the validator says so, with the place in the deck file
        "action": "add",
    }
    refused = client.post(f"/decks/inbox/{code}/room-1", data=fields)
    assert refused.status_code == 422
    assert re.search(
        r"scripted\.yaml:\d+:\d+: card id `first` is used twice", refused.get_data(as_text=True)
    )
    history = client.get("/api/decks/scripted/history").get_json()["versions"]
    assert history == []
    added = client.post(f"/decks/inbox/{code}/room-1", data={**fields, "id": "empty-group"})
    assert added.status_code == 302
    deck = client.get("/api/decks/scripted").get_json()
    assert deck["valid"] and deck["data"]["cards"][-1]["id"] == "empty-group"
    assert deck["data"]["cards"][-1]["response"]["options"] == ["Close it", "Find a host"]
    assert deck["text"].startswith(SCRIPTED.split("cards:")[0])  # the rest as it was
    assert len(client.get("/api/decks/scripted/history").get_json()["versions"]) == 1
    assert "The empty group" not in client.get("/decks/inbox").get_data(as_text=True)
    state = state_of(app, code)
    assert state.proposals[0].filed == "scripted"


def test_a_proposal_set_aside_leaves_the_inbox(app, client, scripted):
    code = create(client)
    (a,) = phones_at(app, code, count=1)
    a.send("propose_dilemma", title="Not now", text="Later.")
    token = sign_in(client)
    answer = client.post(
        f"/decks/inbox/{code}/room-1", data={"csrf_token": token, "action": "aside"}
    )
    assert answer.status_code == 302
    assert "Not now" not in client.get("/decks/inbox").get_data(as_text=True)
    hub = app.extensions["tafelronde.hub"]
    assert hub.get(code).state.proposals[0].filed == ""
    assert (
        hub.command(hub.get(code), FACILITATOR, "file_dilemma", {"proposal": "room-1", "deck": ""})[
            1
        ]
        == []
    )


def test_the_compare_page_and_the_report_show_session_names(app, client, scripted):
    first = create(client, name="Run A")
    second = create(client, name="Run B")
    page = client.get(f"/host/compare?deck=scripted&s={first}&s={second}").get_data(as_text=True)
    assert "Run A" in page and "Run B" in page
    report = client.get(f"/host/s/{first}/report").get_data(as_text=True)
    assert "Run A" in report
    data = client.get(f"/host/s/{first}/results.json").get_json()
    assert data["session"]["name"] == "Run A"
    assert data["session"]["programme"] == ["third", "second", "first"]


def test_remembered_settings_are_bounded_and_survive_a_broken_file(tmp_path):
    from game.storage.remembered import MAX_DECKS, MAX_VALUE_CHARS, RememberedSettings

    kept = RememberedSettings(tmp_path / "remembered.json")
    assert kept.get("deck") == {}
    kept.put("deck", {"name": "x" * 5000, "card": ["a", 3, "b"], "weird": {"a": 1}})
    assert kept.get("deck") == {"name": "x" * MAX_VALUE_CHARS, "card": ["a", "b"]}
    for n in range(MAX_DECKS + 5):
        kept.put(f"deck-{n}", {"name": str(n)})
    assert kept.get("deck") == {} and kept.get(f"deck-{MAX_DECKS + 4}") == {
        "name": str(MAX_DECKS + 4)
    }
    (tmp_path / "remembered.json").write_text("{not json", encoding="utf-8")
    assert kept.get("deck-1") == {}


def test_printed_decks_get_blank_cards_for_the_rooms_own_dilemmas(client, scripted):
    sign_in(client)
    page = client.get("/decks/scripted/print?blank=2").get_data(as_text=True)
    assert page.count("Our own dilemma") == 2 and page.count('class="card blank-card"') == 2
    assert (
        client.get("/decks/scripted/print?blank=99")
        .get_data(as_text=True)
        .count('class="card blank-card"')
        == 8
    )
    assert (
        "blank-card"
        not in client.get("/decks/scripted/print?blank=x")
        .get_data(as_text=True)
        .split("</form>")[1]
    )
