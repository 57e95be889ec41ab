"""Liveness and readiness: /healthz answers while the process does; /readyz only while it can
write to its store (a real write), with a body saying what it found; the shipped systemd unit
waits for /readyz after starting a process. The store stopping and coming back, and a full
disk: tests/test_outages.py and tests/test_full_disk.py."""

import re
import shlex
import subprocess
import time

import pytest

from tests.servers import ROOT


def test_readyz_writes_to_the_store_and_says_what_it_found(app, client):
    store = app.extensions["tafelronde.hub"].store
    before = store.commits
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert body["ok"] and body["store"]["ok"] and "queue" not in body  # one process: no Redis
    assert store.commits == before + 1  # a real write, not a SELECT
    (row,) = store.nodes_seen_since(0)
    assert row[0] == body["node"]
    assert client.get("/healthz").get_json() == {"ok": True}


def test_readyz_says_not_ready_while_stopping_and_after_a_failed_write(app, client):
    store = app.extensions["tafelronde.hub"].store
    store.last_failure = (time.monotonic(), "OperationalError: database or disk is full")
    body = client.get("/readyz")
    assert body.status_code == 503
    assert "disk is full" in body.get_json()["store"]["error"]
    store.last_failure = None
    app.extensions["tafelronde.readiness"].forget()  # an answer is reused REUSE_SECONDS
    assert client.get("/readyz").status_code == 200
    app.extensions["tafelronde.live"].leave()  # what SIGTERM does
    app.extensions["tafelronde.readiness"].forget()  # an answer is reused REUSE_SECONDS
    stopping = client.get("/readyz")
    assert stopping.status_code == 503 and stopping.get_json()["stopping"] is True
    assert client.get("/healthz").status_code == 200  # alive, only not ready


@pytest.mark.slow  # starts a server process
def test_the_systemd_unit_waits_for_readyz(server):
    unit = (ROOT / "deploy" / "tafelronde@.service").read_text(encoding="utf-8")
    line = re.search(r"^ExecStartPost=(.*?)(?<!\\)$", unit, re.M | re.S).group(1)
    command = line.replace("\\\n", " ").replace("%i", str(server.port))
    command = command.replace("${TAFELRONDE_HOST}", "127.0.0.1")
    ready = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=90)
    assert ready.returncode == 0, ready.stderr
    assert "readyz" in command and "--fail" in command
