"""Stopping: SIGTERM (`docker stop`, systemd, a rolling restart) ends a real server at once with
exit code 0, under eventlet and gevent, even when nothing else wakes its loop. In a container the
server is process 1, which the kernel does not stop on SIGTERM unless the process handles it;
before, an idle eventlet server took the signal and went on sleeping. With several processes
the same signal hands the sessions over first (tests/test_cluster.py)."""

import signal
import subprocess

import pytest

from tests.realclients import tiny_server

pytestmark = pytest.mark.slow

# Far longer than a stop takes (well under a second); only a server that ignores SIGTERM waits.
STOP_BOUND = 15


def test_sigterm_stops_an_idle_server_with_exit_code_0(tmp_path, serve_mode):
    server = tiny_server(tmp_path, serve_mode).start()
    try:
        server.process.send_signal(signal.SIGTERM)
        try:
            code = server.process.wait(STOP_BOUND)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {STOP_BOUND} s after SIGTERM:\n{server.log.read_text()}")
        assert code == 0, server.log.read_text()
        assert "stopped (SIGTERM)" in server.log.read_text()
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(10)
