"""The typed code type-checks. The public surface of the rules (the views, the event records)
and the store's writes: a mistyped event field or a wrong argument there fails here, before any
replay. The deck format, the storage and the hub are typed all through: `mypy --strict` over
them."""

import subprocess
import sys

from tests.ci import TEST_EXTRA, need
from tests.servers import ROOT

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
    "game/hub.py",
    "game/live_session.py",
    "game/ownership.py",
    "game/jsontypes.py",
    "game/i18n.py",
    "game/errors.py",
    "game/codes.py",
]


def mypy(*arguments):
    """Run mypy from the repository (no cache, so a stale one cannot hide an error)."""
    need("mypy", TEST_EXTRA)
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


def test_the_core_decks_storage_and_hub_are_strictly_typed():
    result = mypy("--strict", *STRICT)
    assert result.returncode == 0, result.stdout + result.stderr


# Both backends, seen through the protocols the hub and the leases declare.
FITS = """
from game.hub import Hub
from game.ownership import Ownership
from game.storage.postgres import PostgresStore
from game.storage.sqlite import SQLiteStore


def fits(sqlite: SQLiteStore, postgres: PostgresStore) -> None:
    Hub(sqlite, ownership=Ownership(sqlite, 6.0))
    Hub(postgres, ownership=Ownership(postgres, 6.0))
"""


def test_both_stores_fit_what_the_hub_asks_of_a_store():
    result = mypy("--strict", "-c", FITS)
    assert result.returncode == 0, result.stdout + result.stderr
