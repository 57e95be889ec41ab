"""Shared fixtures: a fresh app per test with its own instance folder and database; and under
``CI=true``, no skipped test (tests/ci.py)."""

import shutil
from pathlib import Path

import pytest

from app import create_app
from tests import ci

ROOT = Path(__file__).resolve().parent.parent
HOST_KEY = "TEST-HOST-KEY1"

# A deck whose every card has a vote, so tests do not depend on which card a shuffle draws.
TINY_DECK = """\
title: Tiny
language: en
cards:
  - id: one
    title: First
    text: Pick one.
    response: {type: choice, options: [Yes, No, Maybe]}
    reflection: Thanks for voting.
  - id: two
    title: Second
    text: Agree?
    response: {type: scale}
    reflection: Scales have five points.
  - id: three
    title: Third
    text: This or that.
    response: {type: choice, options: [This, That]}
    reflection: Two ways to go.
"""


def make_app(tmp_path, **overrides):
    """A test app whose instance folder, decks folder and database live under `tmp_path`."""
    decks = tmp_path / "decks"
    if not decks.exists():
        shutil.copytree(ROOT / "decks", decks)
        (decks / "tiny.yaml").write_text(TINY_DECK, encoding="utf-8")
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "HOST_KEY": HOST_KEY,
        "DECKS_DIR": str(decks),
        "DATABASE": str(tmp_path / "test.sqlite3"),
        "ASYNC_MODE": "threading",
        # 0: facilitator/projector updates are sent at once, so tests need no sleeping.
        "VIEW_UPDATES_PER_SECOND": 0,
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(tmp_path):
    """A fresh application."""
    app = make_app(tmp_path)
    yield app
    closer = app.extensions.get("tafelronde.close")
    if closer:
        closer()


@pytest.fixture
def client(app):
    """An HTTP test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `flask` commands."""
    return app.test_cli_runner()


def csrf_of(client):
    """The CSRF token of the test client's browser session (creating one if needed)."""
    with client.session_transaction() as sess:
        if "csrf" not in sess:
            sess["csrf"] = "test-csrf-token"
        return sess["csrf"]


def sign_in(client):
    """Sign the test client in as the facilitator."""
    token = csrf_of(client)
    response = client.post("/host", data={"key": HOST_KEY, "csrf_token": token})
    assert response.status_code == 302, response.data
    return csrf_of(client)


# The async servers Tafelronde serves with: the real-server Socket.IO and durability tests run
# under each (the rest of the suite runs once, in threading mode).
SERVE_MODES = ("eventlet", "gevent")


@pytest.fixture(params=SERVE_MODES)
def serve_mode(request):
    """The async mode a real server is started in (`TAFELRONDE_ASYNC_MODE`); each test that
    takes it runs once per mode."""
    return request.param


@pytest.fixture
def server(tmp_path):
    """A real server process (eventlet, SQLite file) on a free loopback port."""
    from tests.servers import Server

    running = Server(tmp_path).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (skips, or fails under CI=true, if absent)."""
    from tests.servers import chromium_or_skip, launch

    sync_playwright = ci.need_playwright().sync_playwright
    chromium_or_skip()

    with sync_playwright() as playwright:
        instance = launch(playwright)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL server for the whole run (`tests.services`): skipped where the
    binaries or psycopg are missing, except under CI=true, where that fails."""
    import contextlib

    from tests.services import ServiceUnavailable, postgres_server, unavailable

    try:
        import psycopg  # noqa: F401 - only whether it is there
    except ImportError:
        unavailable('psycopg is not installed (pip install "psycopg[binary]")')
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(postgres_server())
        except ServiceUnavailable as error:
            unavailable(f"no PostgreSQL to test against: {error}")
        yield server


@pytest.fixture(scope="session")
def redis():
    """One throwaway redis-server for the whole run (`tests.services`), as a ``redis://`` URL:
    skipped where the binary is missing, except under CI=true, where that fails."""
    import contextlib

    from tests.services import ServiceUnavailable, redis_server, unavailable

    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(redis_server())
        except ServiceUnavailable as error:
            unavailable(f"no Redis to test against: {error}")
        yield url


@pytest.fixture
def redis_url(redis):
    """The run's Redis, emptied first, so no test sees another's Socket.IO messages."""
    import redis as client

    connection = client.Redis.from_url(redis)
    connection.flushall()
    connection.close()
    return redis


# --- under CI=true nothing is skipped ------------------------------------------------------------


def _skip_fails_under_ci(report):
    """Turn a skipped report into a failure that says why, when this is a CI run."""
    if ci.under_ci() and report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which must run every test: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that skips itself (or is skipped by a marker or a fixture) fails under CI."""
    outcome = yield
    _skip_fails_under_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """A module that skips itself while being collected fails under CI."""
    outcome = yield
    _skip_fails_under_ci(outcome.get_result())


def pytest_collection_modifyitems(items):
    """A test that asks for a real server process (`server`) is slow, marked or not: the fast
    suite (`-m "not slow and not browser"`) starts no process of the app."""
    for item in items:
        if "server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
