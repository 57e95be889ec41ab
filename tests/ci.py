"""The one rule for a missing test tool: skip with the reason on a developer's machine, fail under
CI.

``CI=true`` (any case, as CI services set it; `.ci/run` exports it) means every part the suite
needs is there: Playwright and Debian's Chromium, PostgreSQL, Redis, nginx, jsonschema, mypy. A
part that is missing there fails the run instead of silently skipping the tests that need it.
`tests/conftest.py` also turns any skip under CI into a failure, so a skip added some other way
cannot hide a test either.
"""

import importlib
import os

import pytest


def under_ci():
    """True when the environment says this is a CI run (``CI=true``, in any case)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def missing(reason):
    """A part a test needs is not on this machine: skip with `reason`, or fail under CI.

    Works at module level too (then the whole module is skipped, or fails to collect under CI).
    """
    if under_ci():
        pytest.fail(f"{reason} (CI=true: every test tool must be installed)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def need(module, install):
    """Import and return `module`, or `missing` it with how to `install` it (the replacement
    for ``pytest.importorskip``, which skips even under CI)."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        problem = f"{module} is not installed ({install}): {error}"
    missing(problem)  # outside the except: the report says this, not an ImportError chain


TEST_EXTRA = 'pip install -e ".[test]"'


def need_playwright():
    """Playwright's sync API, for the browser tests (they drive Debian's Chromium with it)."""
    return need("playwright.sync_api", TEST_EXTRA)
