"""A whole session against a recorded copy: what every viewer sees at seven moments, every step's
events or refusal, and every export at the end; and a second, shorter run of the deck compared
with it (tests/scenario.py plays both).

The other core tests say what must hold (secrecy, order, limits); this one says "nothing else
changed either": a changed word in the report, a field gone from a view, an event with another
shape all show here as a diff to read. When a change is meant, record the new copy and read the
diff before committing it:

    TAFELRONDE_GOLDEN=record .venv/bin/python -m pytest tests/test_golden.py

(tools/mutation.py found most of what it kills: see docs/architecture.md.)
"""

import json
import os
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from game.core import compare, export
from game.core.registry import replay
from game.core.views import view_for
from tests.scenario import VIEWERS, play, play_again

GOLDEN = Path(__file__).resolve().parent / "golden"
RECORD = os.environ.get("TAFELRONDE_GOLDEN") == "record"


def translate(message, **params):
    """The report's translator, English as written (the shells pass gettext)."""
    return message % params if params else message


# The report and the notes in a venue's local time (the shells pass the server's zone).
AMSTERDAM_WINTER = timezone(timedelta(hours=1))


def outputs():
    """Every recorded output of the scripted sessions: file name -> text."""
    script = play()
    state, now = script.game.state, script.game.now
    data = export.results(state, now)
    again = play_again()
    later = export.results(again.game.state, again.game.now)
    runs = compare.compare([later, data])
    return {
        "session-steps.json": _json(script.steps),
        "session-views.json": _json(script.views),
        "session-events.json": _json(script.game.log),
        "session-results.json": export.to_json(data) + "\n",
        "session-votes.csv": export.votes_csv(data),
        "session-notes.csv": export.notes_csv(data),
        "session-report.md": export.markdown_report(data, translate),
        "session-report-local.md": export.render(data, "md", translate, AMSTERDAM_WINTER),
        "session-notes-local.csv": export.render(data, "notes-csv", translate, AMSTERDAM_WINTER),
        "again-steps.json": _json(again.steps),
        "again-views.json": _json(again.views),
        "again-report.md": export.markdown_report(later, translate),
        "compare.json": compare.to_json(runs),
        "compare.csv": compare.to_csv(runs),
    }


def _json(value):
    return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.fixture(scope="module")
def produced():
    made = outputs()
    if RECORD:
        GOLDEN.mkdir(exist_ok=True)
        for name, text in made.items():
            (GOLDEN / name).write_bytes(text.encode())  # as made: CSV lines end in CRLF
    return made


NAMES = [
    "session-steps.json",
    "session-views.json",
    "session-events.json",
    "session-results.json",
    "session-votes.csv",
    "session-notes.csv",
    "session-report.md",
    "session-report-local.md",
    "session-notes-local.csv",
    "again-steps.json",
    "again-views.json",
    "again-report.md",
    "compare.json",
    "compare.csv",
]


def test_every_output_is_recorded(produced):
    assert sorted(produced) == sorted(NAMES)
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_session_matches_its_recorded_copy(produced, name):
    recorded = (GOLDEN / name).read_bytes().decode()
    assert produced[name] == recorded, f"{name} changed (see this module's docstring)"


def test_every_command_is_played():
    """The script is worth its name: it plays every command of the game (joining and taking a
    seat through `Game.seat` too)."""
    from game.core.registry import COMMANDS

    steps = play().steps
    played = {command for _, command, _, result in steps if isinstance(result, list)}
    assert set(COMMANDS) - played - {"join", "take_seat"} == set()


def test_replaying_the_log_gives_what_every_viewer_saw():
    script = play()
    again = replay(script.game.log)
    now = script.game.now
    for viewer in VIEWERS.values():
        live = view_for(script.game.state, viewer, now, 480)
        assert view_for(again, viewer, now, 480) == live
