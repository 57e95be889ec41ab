"""Deliberation in the shells: the new-session form's same order and rounds, the facilitator's
updates carrying the plenary board, and the pages' string blocks (no key given twice)."""

import re
from pathlib import Path

from tests.conftest import sign_in
from tests.test_care_web import host_socket, last
from tests.test_sockets import Phone, make_session

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def state_of(app, code):
    return app.extensions["tafelronde.hub"].sessions[code].state


def test_the_form_sets_the_same_order_and_the_rounds(app, client):
    code = make_session(app, client, table_count="3", same_order="on", rounds="2")
    state = state_of(app, code)
    assert state.settings.same_order is True and state.settings.rounds == 2
    deck_order = [card.id for card in state.deck.cards]
    assert [table.pile for table in state.tables] == [deck_order] * 3
    # Left alone: own shuffled piles, rounds as the deck says.
    other = state_of(app, make_session(app, client))
    assert other.settings.same_order is False and other.settings.rounds is None


def test_a_bad_rounds_choice_starts_nothing(app, client):
    token = sign_in(client)
    before = len(app.extensions["tafelronde.hub"].store.sessions())
    for rounds in ("0", "11", "two"):
        form = {"deck": "tiny", "tables_mode": "count", "table_count": "2", "csrf_token": token}
        response = client.post("/host/sessions", data={**form, "rounds": rounds})
        assert response.status_code == 400
        assert "Check the rounds" in response.get_data(as_text=True)
    assert len(app.extensions["tafelronde.hub"].store.sessions()) == before


def test_the_facilitator_hears_the_board_and_the_rounds(app, client):
    code = make_session(app, client, flow="deal")
    host = host_socket(app, client, code)
    assert host.emit("set_rounds", {"rounds": 2}, callback=True)["ok"]
    assert last(host, "host_updated")["rounds"] == 2
    phones = [Phone(app, code, name) for name in ("Ann", "Bo")]
    for phone in phones:
        assert phone.send("take_seat", table=0)["ok"]
    assert host.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    for phone, choice in zip(phones, (0, 1), strict=True):
        assert phone.send("cast_vote", choice=choice, card="one")["ok"]
    answer = phones[0].send("revote")
    assert answer["ok"] and answer["me"]["round"] == 1 and answer["me"]["before"] == [0]
    for phone in phones:
        assert phone.send("cast_vote", choice=1, card="one")["ok"]
    board = last(host, "host_updated")["board"]
    assert board[0]["card"]["id"] == "one" and board[0]["total"] == [0, 2, 0]
    assert board[0]["shift"]["moves"] == [{"from": 0, "to": 1, "count": 1}]


def test_no_page_gives_a_string_key_twice():
    """A key given twice in a page's JSON block of strings silently keeps only the last."""
    for page in ("play.html", "host_session.html", "wall.html"):
        text = (TEMPLATES / page).read_text(encoding="utf-8")
        block = text[
            text.index("{% set strings = {") : text.index("} %}", text.index("{% set strings"))
        ]
        keys = re.findall(r'^\s*"(\w+)":', block, re.M)
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        assert doubled == [], f"{page}: {doubled}"
