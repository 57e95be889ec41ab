"""Retention and the `flask sessions` commands: list, purge, delete."""

import secrets

from game.codes import normalise_code
from game.core.rules import FACILITATOR, Actor
from game.web.serving.retention import DAY, expired_codes, purge_expired, start_retention
from tests.coregame import hub_session

NOW = 1_800_000_000.0


def _session(app, created_days_ago, ended_days_ago=None, note=None):
    """A stored session made `created_days_ago` days ago (ended, and with a note, if asked)."""
    hub = app.extensions["tafelronde.hub"]
    hub.clock = lambda: NOW - created_days_ago * DAY
    live = hub_session(hub)
    if note:
        pid, _ = hub.join(live, secrets.token_urlsafe(24), "Someone")
        hub.command(live, Actor.participant(pid), "take_seat", {"table": 0})
        hub.command(live, FACILITATOR, "deal_card", {"card": "pick"})
        hub.command(live, Actor.participant(pid), "add_note", {"kind": "tip", "text": note})
    if ended_days_ago is not None:
        hub.clock = lambda: NOW - ended_days_ago * DAY
        hub.command(live, FACILITATOR, "end_session", {})
    hub.clock = lambda: NOW
    return live.code


def test_which_sessions_retention_removes():
    rows = [
        {"code": "ENDOLD", "created_at": NOW - 40 * DAY, "ended_at": NOW - 31 * DAY},
        {"code": "ENDNEW", "created_at": NOW - 40 * DAY, "ended_at": NOW - 29 * DAY},
        {"code": "RUNOLD", "created_at": NOW - 61 * DAY, "ended_at": None},
        {"code": "RUNNEW", "created_at": NOW - 59 * DAY, "ended_at": None},
    ]
    assert expired_codes(rows, 30, NOW) == ["ENDOLD", "RUNOLD"]
    assert expired_codes(rows, 0, NOW) == []  # 0 keeps everything


def test_purge_deletes_old_sessions_with_everything_in_them(app):
    old = _session(app, created_days_ago=45, ended_days_ago=40, note="old story")
    recent = _session(app, created_days_ago=5, ended_days_ago=1, note="recent story")
    forgotten = _session(app, created_days_ago=70)
    running = _session(app, created_days_ago=2)
    hub = app.extensions["tafelronde.hub"]
    assert sorted(purge_expired(app, now=NOW)) == sorted([old, forgotten])
    for code in (old, forgotten):
        assert not hub.store.exists(code) and hub.store.load(code) == [] and hub.get(code) is None
    for code in (recent, running):
        assert hub.get(code) is not None
    assert purge_expired(app, now=NOW) == []


def test_sessions_commands(app, runner):
    old = _session(app, created_days_ago=45, ended_days_ago=40)
    keep = _session(app, created_days_ago=3)
    listed = runner.invoke(args=["sessions", "list"])
    assert listed.exit_code == 0
    assert old in listed.output and keep in listed.output and "ended" in listed.output
    purged = runner.invoke(args=["sessions", "purge"])
    assert purged.exit_code == 0 and old in purged.output and keep not in purged.output
    assert runner.invoke(args=["sessions", "purge", "--days", "0"]).exit_code != 0
    deleted = runner.invoke(args=["sessions", "delete", keep.lower()])
    assert deleted.exit_code == 0 and keep in deleted.output
    assert not app.extensions["tafelronde.hub"].store.exists(keep)
    never_ended = _session(app, created_days_ago=3)
    by_days = runner.invoke(args=["sessions", "purge", "--days", "1"])  # started > 2 x 1 days ago
    assert by_days.exit_code == 0 and never_ended in by_days.output
    missing = runner.invoke(args=["sessions", "delete", "ZZZZZZ"])
    assert missing.exit_code == 1
    assert runner.invoke(args=["sessions", "list"]).output.strip() == "No sessions stored."


def test_retention_off_keeps_everything(app, runner):
    app.config["RETENTION_DAYS"] = 0
    old = _session(app, created_days_ago=400, ended_days_ago=399)
    assert purge_expired(app, now=NOW) == []
    assert "off" in runner.invoke(args=["sessions", "purge"]).output
    assert "off" in start_retention(app, socketio=None)
    assert app.extensions["tafelronde.hub"].store.exists(normalise_code(old))


def test_server_start_purges_and_says_so(app):
    _session(app, created_days_ago=45, ended_days_ago=40)

    class Recorder:
        def __init__(self):
            self.tasks = []

        def start_background_task(self, function):
            self.tasks.append(function)

    socketio = Recorder()
    line = start_retention(app, socketio)
    assert "purged 1 old session" in line and "30 days" in line
    assert len(socketio.tasks) == 1  # the daily purge
