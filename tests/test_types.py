"""The typed public surface type-checks: the rules, the views, the event records and the store's
writes. A mistyped event field or a wrong argument there fails here, before any replay."""

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


def test_the_public_surface_type_checks():
    need("mypy", TEST_EXTRA)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=silent"]
        + ["--no-error-summary", "--cache-dir", "/dev/null", *CHECKED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
