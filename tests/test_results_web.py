"""Results over HTTP and the CLI: the report page and the downloads, for the facilitator only."""

import csv
import io
import json

import pytest

from tests.test_sockets import Phone, make_session

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def played(app, client):
    """A session where table 1 voted on its first card, with a note and a joint choice."""
    code = make_session(app, client, flow="deal")
    host_socket = app.extensions["socketio"].test_client(app, flask_test_client=client)
    assert host_socket.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    assert host_socket.emit("deal_card", {"card": "one"}, callback=True)["ok"]
    phones = [Phone(app, code, name) for name in ("Ann", XSS)]
    for phone in phones:
        assert phone.send("take_seat", table=0)["ok"]
    assert phones[0].send("cast_vote", choice=0, card="one")["ok"]
    assert phones[1].send("cast_vote", choice=2, card="one")["ok"]
    assert phones[1].send("add_note", kind="tip", text=XSS, card="one")["ok"]
    assert phones[0].send("add_note", kind="concern", text="=cmd|' /C calc'!A0", card="one")["ok"]
    assert phones[0].send("record_choice", choice=0, card="one")["ok"]
    return code


def test_report_page_shows_results_as_text(client, played):
    page = client.get(f"/host/s/{played}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "First" in html and "Pick one." in html and "Table 1" in html
    assert "The table chose: Yes" in html
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    for name in ("results.md", "votes.csv", "notes.csv", "results.json"):
        assert f"/host/s/{played}/{name}" in html
    assert "<script>" not in html  # the CSP allows no inline script; the print button is a file


def test_results_need_the_facilitator(app, played):
    stranger = app.test_client()
    page = stranger.get(f"/host/s/{played}/report")
    assert page.status_code == 302 and "/host?next=" in page.headers["Location"]
    data = stranger.get(f"/host/s/{played}/votes.csv", headers={"Accept": "application/json"})
    assert data.status_code == 403


def test_unknown_session_or_file_is_a_clear_404(client, played):
    assert client.get("/host/s/ZZZZZZ/report").status_code == 404
    assert client.get(f"/host/s/{played}/secrets.txt").status_code == 404


def test_downloads_are_named_attachments(client, played):
    for name, mimetype in (
        ("results.md", "text/markdown"),
        ("votes.csv", "text/csv"),
        ("notes.csv", "text/csv"),
        ("results.json", "application/json"),
    ):
        response = client.get(f"/host/s/{played}/{name}")
        assert response.status_code == 200, name
        assert response.mimetype == mimetype
        assert response.headers["Content-Type"].count("charset") <= 1  # was doubled for text
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith(f'attachment; filename="tafelronde-{played}-')
        assert response.headers["Cache-Control"] == "no-store"


def test_csv_downloads_open_as_utf8_text_in_spreadsheets(client, played):
    body = client.get(f"/host/s/{played}/notes.csv").get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r["text"] for r in rows] == [XSS, "'=cmd|' /C calc'!A0"]
    votes = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/host/s/{played}/votes.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    assert [(r["option"], r["votes"]) for r in votes] == [("Yes", "1"), ("No", "0"), ("Maybe", "1")]


def test_json_and_markdown_downloads(client, played):
    data = json.loads(client.get(f"/host/s/{played}/results.json").get_data(as_text=True))
    assert data["session"]["code"] == played
    assert data["cards"][0]["plays"][0]["distribution"] == [1, 0, 1]
    markdown = client.get(f"/host/s/{played}/results.md").get_data(as_text=True)
    # Only the "<" is escaped: that is enough to keep the tag from being HTML.
    assert "\\<img src=x onerror=alert(1)>" in markdown


def test_report_follows_the_interface_language(client, played):
    html = client.get(f"/host/s/{played}/report?lang=nl").get_data(as_text=True)
    assert "Sessie: " in html and "Alle tafels" not in html  # one table revealed: no total
    markdown = client.get(f"/host/s/{played}/results.md").get_data(as_text=True)
    assert "- Sessie: " in markdown


def test_sessions_export_command(app, runner, played):
    result = runner.invoke(args=["sessions", "export", played, "--format", "votes-csv"])
    assert result.exit_code == 0, result.output
    assert (
        result.output.splitlines()[0]
        == "session,table,card_id,card_title,round,option_number,option,votes,table_choice,"
        "status,source,passes,perspective"
    )
    missing = runner.invoke(args=["sessions", "export", "ZZZZZZ"])
    assert missing.exit_code == 1 and "No session" in missing.output


def test_the_evaluation_after_the_end_reaches_the_facilitator_the_report_and_the_next_run(
    app, client, played
):
    socketio = app.extensions["socketio"]
    host = socketio.test_client(app, flask_test_client=client)
    assert host.emit("hello", {"code": played, "role": "facilitator"}, callback=True)["ok"]
    live = app.extensions["tafelronde.hub"].get(played)
    token_phone = Phone(app, played, "Late")  # joins before the end
    assert token_phone.send("submit_evaluation", useful=4)["code"] == "out_of_turn"
    assert host.emit("end_session", {}, callback=True)["ok"]
    answer = token_phone.send("submit_evaluation", useful=4, keep="The cards", add=XSS, cid="e-1")
    assert answer["ok"] and answer["me"]["evaluation"]["useful"] == 4
    again = token_phone.send("submit_evaluation", useful=4, keep="The cards", add=XSS, cid="e-1")
    assert again["ok"] and again.get("repeated")
    updates = [m["args"][0] for m in host.get_received() if m["name"] == "host_updated"]
    assert updates[-1]["evaluation"]["answers"] == 1
    assert "Late" not in str(updates[-1]["evaluation"])
    assert len(live.state.evaluations) == 1

    html = client.get(f"/host/s/{played}/report").get_data(as_text=True)
    assert "Evaluation" in html and "The cards" in html and "&lt;img src=x" in html
    data = client.get(f"/host/s/{played}/results.json").get_json()
    assert data["evaluation"]["useful"] == [0, 0, 0, 1, 0]
    # The next session of the same deck shows what this one asked for.
    form = client.get("/host/new?deck=tiny").get_data(as_text=True)
    assert "Last time with this deck" in form and "&lt;img src=x" in form
    assert XSS not in form
