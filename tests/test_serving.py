"""The HTTP server's door, against real servers under eventlet and under gevent: a full pool
answers 503 at once, an oversize long-polling POST gets 413 and its socket closed (also 1,100 of
them from one address, while /healthz and new phones are answered), a half-sent request times
out. Raw sockets, so nothing a client library does hides what the server does."""

import re
import socket
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from game.web.serving import http as serving
from tests.ci import need
from tests.realclients import close_client, connect, tiny_server
from tests.waiting import until

pytestmark = pytest.mark.slow


def raw_request(port, head, body=b"", timeout=5):
    """Send one HTTP request on a new socket; return (answer bytes, whether the server closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + body)
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return answer, True
            answer += chunk
            if b"\r\n\r\n" in answer and _complete(answer):
                # The whole answer is here: does the server close the socket now?
                try:
                    sock.settimeout(2)
                    return answer, sock.recv(1) == b""
                except TimeoutError:
                    return answer, False


def _complete(answer):
    head, _, body = answer.partition(b"\r\n\r\n")
    found = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
    return found is not None and len(body) >= int(found.group(1))


def polling_sid(url):
    """Open an Engine.IO long-polling connection; return its sid."""
    with urllib.request.urlopen(f"{url}/socket.io/?EIO=4&transport=polling", timeout=5) as r:
        return re.search(r'"sid":"([^"]+)"', r.read().decode()).group(1)


def oversize_post(port, sid, size=17_000):
    body = b"4" + b"x" * size
    head = (
        f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return raw_request(port, head, body)


def healthz(url, timeout=5):
    with urllib.request.urlopen(f"{url}/healthz", timeout=timeout) as r:
        return r.status


@pytest.fixture
def started(tmp_path, serve_mode):
    servers = []

    def start(**env):
        server = tiny_server(tmp_path / f"s{len(servers)}", serve_mode, **env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def test_an_oversize_polling_post_gets_413_and_its_socket_is_closed(started):
    server = started()
    answer, closed = oversize_post(server.port, polling_sid(server.url))
    assert answer.startswith(b"HTTP/1.1 413")
    assert closed
    # A body with no length is read only up to the limit, then refused the same way.
    sid = polling_sid(server.url)
    chunk = b"x" * 20_000
    head = (
        f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    body = b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n"
    answer, closed = raw_request(server.port, head, body)
    assert answer.startswith(b"HTTP/1.1 413") and closed
    assert healthz(server.url) == 200


def test_1100_oversize_posts_leave_the_server_answering(started):
    server = started()
    sids = [polling_sid(server.url) for _ in range(20)]
    answers = []
    checks = []
    # The last 400 posts wait until the checks are done, so the checks are made while the
    # attack goes on by construction, not by how fast this machine happens to be.
    held = threading.Event()

    def attack(i):
        if i >= 700:
            held.wait(60)
        answer, closed = oversize_post(server.port, sids[i % len(sids)])
        return answer[:12], closed

    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = [pool.submit(attack, i) for i in range(1100)]
        try:
            for i, future in enumerate(futures):
                answers.append(future.result(timeout=60))
                if i % 100 == 0 and i < 400:  # the health check and a new phone get in *during* it:
                    checks.append(healthz(server.url, timeout=30))
                    close_client(connect(server.url, timeout=30))
                    checks.append(sum(not f.done() for f in futures) >= 100)
                if i == 300:
                    held.set()
        finally:
            held.set()
    assert all(a == (b"HTTP/1.1 413", True) for a in answers)
    assert checks == [200, True] * 4
    assert healthz(server.url) == 200  # and after
    close_client(connect(server.url))


def test_a_full_server_answers_503_at_once(started):
    server = started(TAFELRONDE_MAX_CONNECTIONS="4")
    holders = []
    try:
        for _ in range(4):  # four idle connections fill the pool
            holders.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        # Once the server has taken all four, the next request is refused while they still hold
        # their places (so not by waiting for one to go: they stay until the end).
        refused = until(lambda: refusal(server), "a request refused by the full server")
        assert refused.code == 503
        page = refused.read().decode()
        assert "The room is full" in page and "De zaal is vol" in page
        assert refused.headers["Retry-After"] == "5"
    finally:
        for sock in holders:
            sock.close()
    until(lambda: refusal(server) is None, "room again once the four go")


def refusal(server):
    """The HTTP error /healthz answers with, or None when it answers 200."""
    try:
        assert healthz(server.url, timeout=30) == 200
    except urllib.error.HTTPError as error:
        return error
    return None


def test_a_half_sent_request_times_out(started):
    server = started(TAFELRONDE_HTTP_TIMEOUT="1")
    # A 1 s timeout, and a client that would wait 30 s: the server lets go of it first
    # (a recv() that ends is the server closing; the client's own timeout raises instead).
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no end of headers
        while sock.recv(4096):
            pass
    assert healthz(server.url) == 200


def test_capacity_follows_the_open_file_limit():
    pool, lines = serving.capacity({"MAX_CONNECTIONS": 5000}, limit_files=lambda wanted: 1024)
    assert pool == 1024 - serving.RESERVED_FILES
    assert "open-file limit 1,024" in lines[0] and "Warning" in lines[1]
    pool, lines = serving.capacity({"MAX_CONNECTIONS": 5000}, limit_files=lambda wanted: None)
    assert pool == 5000 and lines == ["  Connections:            up to 5,000 at once"]


def test_the_soft_open_file_limit_is_raised_when_allowed():
    resource = need("resource", "a POSIX system: Linux or macOS")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        assert serving.open_file_limit(512) == min(512, hard)
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == min(512, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
