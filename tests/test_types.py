"""The typed public surface type-checks: the rules, the views, the event records and the store's
writes. A mistyped event field or a wrong argument there fails here, before any replay. The files
already annotated throughout are held to ``mypy --strict``."""

import subprocess
import sys

import pytest

from tests.servers import ROOT

CHECKED = [
    "game/core/events.py",
    "game/core/rules.py",
    "game/core/views.py",
    "game/storage/events.py",
]

# Annotated throughout: no untyped function, no `Any` beyond JSON at the edges.
STRICT = [
    "game/hub.py",
    "game/live_session.py",
    "game/ownership.py",
    "game/core/throttle.py",
]
# Modules the strict files call that are not annotated yet: calls into them are allowed until
# they are (drop a module from here the day it passes --strict itself).
NOT_YET_TYPED = ["game.core.export", "game.decks"]

FLAGS = ["--ignore-missing-imports", "--follow-imports=silent", "--no-error-summary"]


def mypy(*arguments):
    """Run mypy from the repository's root; its exit code and output."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", *FLAGS, "--cache-dir", "/dev/null", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_public_surface_type_checks():
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    code, output = mypy(*CHECKED)
    assert code == 0, output


def test_the_hub_and_its_helpers_pass_strict():
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    excluded = [f"--untyped-calls-exclude={module}" for module in NOT_YET_TYPED]
    code, output = mypy("--strict", *excluded, *STRICT)
    assert code == 0, output
