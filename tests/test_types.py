"""The typed code type-checks. The public surface of the rules (the views, the event records)
and the store's writes: a mistyped event field or a wrong argument there fails here, before any
replay. The deck format and the storage are typed all through: `mypy --strict` over them."""

import importlib.util
import subprocess
import sys

from tests.servers import ROOT
from tests.services import unavailable

CHECKED = [
    "game/core/events.py",
    "game/core/rules.py",
    "game/core/views.py",
    "game/storage/events.py",
]
# Every module in these folders (and those added later), with every function annotated.
STRICT = [
    "game/core",
    "game/decks",
    "game/storage",
    "game/jsontypes.py",
    "game/i18n.py",
    "game/errors.py",
]


def mypy(*arguments):
    """Run mypy from the repository (no cache, so a stale one cannot hide an error)."""
    if importlib.util.find_spec("mypy") is None:
        unavailable("mypy is not installed (it is in the test extra)")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "--no-error-summary"]
        + ["--cache-dir", "/dev/null", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_public_surface_type_checks():
    result = mypy("--ignore-missing-imports", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deck_format_and_the_storage_are_strictly_typed():
    result = mypy("--strict", *STRICT)
    assert result.returncode == 0, result.stdout + result.stderr
