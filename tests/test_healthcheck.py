"""The container's health check (deploy/healthcheck.py, the Dockerfile's HEALTHCHECK): where it
asks, and its answer against a real server and against nothing."""

import importlib.util
import os
import subprocess
import sys

import pytest

from tests.servers import ROOT, free_port

SCRIPT = ROOT / "deploy" / "healthcheck.py"


def load():
    """The script as a module (it is copied into the image, not installed as a package)."""
    spec = importlib.util.spec_from_file_location("healthcheck", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(host, port):
    """Run the script as Docker does, with the container's settings; (exit code, output)."""
    env = {**os.environ, "TAFELRONDE_HOST": host, "TAFELRONDE_PORT": str(port)}
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )
    return done.returncode, done.stdout + done.stderr


def test_the_probe_asks_where_the_server_listens():
    probe_url = load().probe_url
    assert probe_url("0.0.0.0", 5000) == "http://127.0.0.1:5000/healthz"
    assert probe_url("", "5001") == "http://127.0.0.1:5001/healthz"
    assert probe_url("::", 5000) == "http://[::1]:5000/healthz"
    assert probe_url("10.0.0.11", 5002) == "http://10.0.0.11:5002/healthz"


def test_settings_are_read_as_the_app_reads_them(monkeypatch):
    module = load()
    monkeypatch.setenv("TAFELRONDE_PORT", "5001")
    monkeypatch.setenv("TAFELRONDE_HOST", "127.0.0.1")
    monkeypatch.delenv("TAFELRONDE_NOTHING", raising=False)
    assert module.setting("PORT", 5000) == 5001
    assert module.setting("HOST", "0.0.0.0") == "127.0.0.1"
    assert module.setting("NOTHING", 7) == 7


@pytest.mark.slow  # starts a server process
def test_healthy_server_and_no_server(server):
    assert run("127.0.0.1", server.port) == (0, "")
    code, output = run("127.0.0.1", free_port())
    assert code == 1
    assert "/healthz" in output
