"""A whole session against a recorded copy: what every viewer sees at seven moments, every step's
events or refusal, and every export at the end (tests/scenario.py plays it).

The other core tests say what must hold (secrecy, order, limits); this one says "nothing else
changed either": a changed word in the report, a field gone from a view, an event with another
shape all show here as a diff to read. When a change is meant, record the new copy and read the
diff before committing it:

    TAFELRONDE_GOLDEN=record .venv/bin/python -m pytest tests/test_golden.py

(tools/mutation.py found most of what it kills: see docs/architecture.md.)
"""

import json
import os
from pathlib import Path

import pytest

from game.core import export
from game.core.registry import replay
from game.core.views import view_for
from tests.scenario import VIEWERS, play

GOLDEN = Path(__file__).resolve().parent / "golden"
RECORD = os.environ.get("TAFELRONDE_GOLDEN") == "record"


def translate(message, **params):
    """The report's translator, English as written (the shells pass gettext)."""
    return message % params if params else message


def outputs():
    """Every recorded output of the scripted session: file name -> text."""
    script = play()
    state, now = script.game.state, script.game.now
    data = export.results(state, now)
    return {
        "session-steps.json": _json(script.steps),
        "session-views.json": _json(script.views),
        "session-events.json": _json(script.game.log),
        "session-results.json": export.to_json(data) + "\n",
        "session-votes.csv": export.votes_csv(data),
        "session-notes.csv": export.notes_csv(data),
        "session-report.md": export.markdown_report(data, translate),
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


@pytest.mark.parametrize(
    "name",
    [
        "session-steps.json",
        "session-views.json",
        "session-events.json",
        "session-results.json",
        "session-votes.csv",
        "session-notes.csv",
        "session-report.md",
    ],
)
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
