"""The throwaway test services start, answer and go away (tests/services.py)."""

import http.server
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.services import (
    ServiceUnavailable,
    _listens,
    _redis_answers,
    nginx_server,
    redis_server,
    unavailable,
)

# They start nginx, PostgreSQL or Redis and stand-in servers: processes of their own.
pytestmark = pytest.mark.slow


def test_a_redis_server_answers_on_loopback_and_is_gone_after():
    try:
        with redis_server() as url:
            port = int(url.rsplit(":", 1)[1].split("/")[0])
            assert url.startswith("redis://127.0.0.1:") and _redis_answers(port)
    except ServiceUnavailable as error:
        unavailable(str(error))
    assert not _redis_answers(port)


def test_the_postgres_server_is_the_one_the_store_tests_use(postgres):
    import psycopg

    with psycopg.connect(postgres.url) as connection:
        (address,) = connection.execute("SELECT inet_server_addr()::text").fetchone()
        assert address.startswith("127.0.0.1")


class _Hello(http.server.BaseHTTPRequestHandler):
    """Answers every GET with "hello" and the path it got."""

    def do_GET(self):
        body = f"hello {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        """Quiet."""


def test_an_nginx_server_passes_to_its_upstream_on_loopback_and_is_gone_after():
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=upstream.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with nginx_server([upstream.server_address[1]]) as proxy:
            folder, port = proxy.folder, proxy.port
            assert proxy.url == f"http://127.0.0.1:{port}" and folder.is_dir()
            with urllib.request.urlopen(f"{proxy.url}/j/ABC234", timeout=10) as answer:
                assert answer.read() == b"hello /j/ABC234"
            deadline = time.monotonic() + 10  # nginx logs a request just after answering it
            while not proxy.access_log() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert proxy.access_log().startswith(f"127.0.0.1:{upstream.server_address[1]} 200")
            upstream.shutdown()
            upstream.server_close()
            try:  # nginx itself still answers, with 502: no upstream left
                urllib.request.urlopen(f"{proxy.url}/healthz", timeout=10)
            except urllib.error.HTTPError as error:
                assert error.code == 502
            else:
                raise AssertionError("a stopped upstream still answered")
    except ServiceUnavailable as error:
        unavailable(str(error))
    finally:
        upstream.shutdown()
        upstream.server_close()
        thread.join(10)
    assert not _listens(port) and not folder.exists()
