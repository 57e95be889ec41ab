"""Real servers and a real browser for end-to-end tests, and the one server harness that the
benchmarks in bench/ use too (bench/loadgen/server.py builds on `Server`).

`Server` runs ``python app.py`` (eventlet, or gevent with TAFELRONDE_ASYNC_MODE; real Socket.IO, real SQLite file) on a free loopback
port in a subprocess, so a test can also kill it with SIGKILL and start it again on the same data.
`chromium()` launches Debian's Chromium through Playwright; where it is missing, browser tests
skip with a reason — except under ``CI=true``, where a missing browser fails the run.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.ci import missing

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("TAFELRONDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HOST_KEY = "E2E-HOST-KEY"


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python app.py`` in a subprocess with its own instance folder, decks and database."""

    def __init__(
        self, workdir, port=None, extra_env=None, *, decks_dir=None, key=HOST_KEY, script=None
    ):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.key = key
        # A launcher that changes one thing for an A/B benchmark gets app.py's arguments.
        self.script = Path(script).resolve() if script else ROOT / "app.py"
        decks = self.workdir / "decks"
        if not decks.exists():
            shutil.copytree(decks_dir or ROOT / "decks", decks)
        self.env = {
            **os.environ,
            "TAFELRONDE_HOST_KEY": key,
            "TAFELRONDE_SECRET_KEY": "e2e-secret",
            "TAFELRONDE_INSTANCE_PATH": str(self.workdir / "instance"),
            "TAFELRONDE_DECKS_DIR": str(decks),
            "TAFELRONDE_DATABASE": str(self.workdir / "tafelronde.sqlite3"),
            "TAFELRONDE_VIEW_UPDATES_PER_SECOND": "10",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.process = None
        self.log = self.workdir / "server.log"

    @property
    def url(self):
        """The server's base address."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=20):
        """Start and wait until /healthz answers."""
        command = [sys.executable, str(self.script), "--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        with self.log.open("ab") as log:  # the child keeps its own copy of the file handle
            self.process = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log.read_text()}")

    def kill(self):
        """SIGKILL: no shutdown handlers, no flushing — the crash we promise to survive."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        """Stop politely (end of test)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def chromium_or_skip():
    """The Chromium executable, or skip (fail under CI=true) with the reason."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    missing(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")


def launch(playwright):
    """A headless Chromium from Debian's package (never a downloaded browser)."""
    return playwright.chromium.launch(
        executable_path=chromium_or_skip(), headless=True, args=CHROMIUM_ARGS
    )
