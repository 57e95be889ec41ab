"""The shipped nginx routing (deploy/tafelronde-routing.conf, deploy/tafelronde-proxy.conf) in a
real nginx in front of three tiny loopback HTTP servers that answer with their own name: every
request of a session reaches one process, other requests spread, a stopped process's sessions
move to one survivor each and no other session moves, WebSockets pass through.

No app is needed: the upstreams are plain `http.server` threads (tests/services.py starts nginx).
"""

import contextlib
import http.client
import http.server
import json
import random
import re
import socket
import threading
import time

import pytest

from tests.services import (
    DEPLOY,
    UPSTREAM_OPTIONS,
    ServiceUnavailable,
    free_port,
    nginx_check,
    nginx_server,
    unavailable,
)

# They start nginx, PostgreSQL or Redis and stand-in servers: processes of their own.
pytestmark = pytest.mark.slow

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# A fixed list of codes: enough that three upstreams each get some (each holds about a third of
# the hash ring; all 48 missing one upstream has a chance far below one in a million).
CODES = sorted({"".join(random.Random(10 + i).choices(ALPHABET, k=6)) for i in range(48)})
TIMEOUT = 10  # seconds for any one request; nothing here waits on purpose


def code_routes(code):
    """(method, path) of every request that belongs to session `code`, as phones, the
    facilitator and the projector send them."""
    return [
        ("GET", f"/j/{code}"),
        ("GET", f"/s/{code}/qr.svg"),
        ("GET", f"/host/s/{code}"),
        ("POST", f"/host/s/{code}/delete"),
        ("GET", f"/host/s/{code}/report"),
        ("GET", f"/host/s/{code}/votes.csv"),
        ("GET", f"/host/s/{code}/results.json"),
        ("GET", f"/wall/{code}?k=projector-key"),
        ("GET", f"/join?code={code}"),
        ("GET", f"/decks/social-media-dilemmas.en/print?reflections=sheet&session={code}"),
        ("GET", f"/socket.io/?code={code}&EIO=4&transport=polling&t=PaBc1"),
        ("POST", f"/socket.io/?code={code}&EIO=4&transport=polling&sid=Xy12&t=PaBc2"),
        ("GET", f"/socket.io/?code={code}&EIO=4&transport=polling&sid=Xy12&t=PaBc3"),
    ]


# Requests that name no session (or no well-formed code): any process may answer them.
NO_CODE_ROUTES = [
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/static/css/play.css"),
    ("POST", "/host"),
    ("GET", "/decks"),
    ("GET", "/api/decks/social-media-dilemmas.en"),
    ("GET", "/host/new?deck=social-media-dilemmas.en"),
    ("GET", "/host/compare?deck=social-media-dilemmas.en&s=ABC234&s=XYZ789"),
    ("GET", "/socket.io/?EIO=4&transport=polling&t=PaBc1"),  # no code
    ("GET", "/j/abc234"),  # typed in lower case: the app redirects to /j/ABC234
    ("GET", "/join?code=abc+234"),
    ("GET", "/j/ABC23"),  # too short
    ("GET", "/j/ABC2345"),  # too long
    ("GET", "/j/ABC10I"),  # characters codes never have
    ("GET", "/socket.io/?code=ABC234X&EIO=4&transport=polling"),
]


class Upstream:
    """A loopback HTTP server that answers every request with its name and what it received
    (JSON), and a WebSocket upgrade with 101, then echoes one line prefixed with its name."""

    def __init__(self, name):
        self.name = name
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.upstream_name = name
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def stop(self):
        """Stop serving and close the listening socket: connections are refused from now on."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(TIMEOUT)


class _Handler(http.server.BaseHTTPRequestHandler):
    """One request to an `Upstream`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        """Quiet: the test reads answers, not logs."""

    def _answer(self):
        """Read the body and answer with the upstream's name, the request and its headers."""
        self.connection.settimeout(TIMEOUT)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.headers.get("Upgrade", "").lower() == "websocket":
            return self._upgrade()
        body = json.dumps(
            {
                "upstream": self.server.upstream_name,
                "method": self.command,
                "path": self.path,
                "headers": {key.lower(): value for key, value in self.headers.items()},
                "body_length": length,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _upgrade(self):
        """Switch protocols, say which headers arrived, echo one line with the name before it."""
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("X-Upstream", self.server.upstream_name)
        self.send_header("X-Seen-Upgrade", self.headers.get("Upgrade", ""))
        self.send_header("X-Seen-Connection", self.headers.get("Connection", ""))
        self.end_headers()
        self.wfile.flush()
        line = self.rfile.readline(200)
        self.wfile.write(self.server.upstream_name.encode() + b":" + line)
        self.wfile.flush()
        self.close_connection = True

    do_GET = do_POST = _answer


def send(proxy, method, path, body=b""):
    """Send one request through nginx on a fresh connection; (status, answer as JSON or None)."""
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=TIMEOUT)
    try:
        headers = {"Content-Type": "application/octet-stream"} if method == "POST" else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    if response.status != 200:
        return response.status, None
    return response.status, json.loads(data)


def reach(proxy, method, path):
    """The name of the upstream that answered the request (nginx's log in the failure message)."""
    status, answer = send(proxy, method, path, b"2" if method == "POST" else b"")
    assert status == 200, f"{method} {path}: {status}\n{proxy.error_log()[-2000:]}"
    return answer["upstream"]


def websocket(proxy, code):
    """Upgrade `code`'s Socket.IO request to a WebSocket through nginx, send one line through
    the tunnel; (status line, response headers, echoed line)."""
    path = f"/socket.io/?code={code}&EIO=4&transport=websocket&sid=Xy12"
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{proxy.port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT) as connection:
        connection.sendall(request.encode())
        received = b""
        for _ in range(100):  # bounded: the head is one or a few reads
            if b"\r\n\r\n" in received:
                break
            chunk = connection.recv(4096)
            if not chunk:
                break
            received += chunk
        head, _, rest = received.partition(b"\r\n\r\n")
        status, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines)}
        if not status.startswith("HTTP/1.1 101"):
            return status, headers, b""
        connection.sendall(b"through the tunnel\n")
        for _ in range(100):
            if rest.endswith(b"\n"):
                break
            chunk = connection.recv(4096)
            if not chunk:
                break
            rest += chunk
        return status, headers, rest


@pytest.fixture
def cluster():
    """Three upstreams `a`, `b`, `c` and nginx in front of them with the shipped routing."""
    upstreams = [Upstream(name) for name in "abc"]
    try:
        with nginx_server([u.port for u in upstreams]) as proxy:
            yield proxy, {u.name: u for u in upstreams}
    except ServiceUnavailable as error:
        unavailable(str(error))
    finally:
        for upstream in upstreams:
            with contextlib.suppress(OSError):
                upstream.stop()


def where(proxy, code):
    """The set of upstreams that answered the requests of session `code`, WebSocket included."""
    places = {reach(proxy, method, path) for method, path in code_routes(code)}
    status, headers, _ = websocket(proxy, code)
    assert status.startswith("HTTP/1.1 101"), status
    return places | {headers["x-upstream"]}


def test_every_request_of_a_session_reaches_one_upstream_and_sessions_spread(cluster):
    proxy, upstreams = cluster
    placed = {}
    for code in CODES:
        places = where(proxy, code)
        assert len(places) == 1, f"{code} reached {sorted(places)}"
        placed[code] = places.pop()
    assert set(placed.values()) == set(upstreams), "codes all on some upstreams: " + repr(placed)
    # And again: the hash is stable, not a coincidence of the order of requests.
    assert {code: reach(proxy, "GET", f"/j/{code}") for code in CODES} == placed


def test_requests_without_a_code_go_round_robin(cluster):
    proxy, upstreams = cluster
    for method, path in NO_CODE_ROUTES:
        seen = [reach(proxy, method, path) for _ in range(len(upstreams))]
        assert sorted(seen) == sorted(upstreams), f"{method} {path} reached {seen}"


def test_metrics_are_never_passed_on(cluster):
    proxy, _ = cluster
    assert send(proxy, "GET", "/metrics") == (404, None)
    deadline = time.monotonic() + TIMEOUT  # nginx logs a request just after answering it
    while "GET /metrics" not in proxy.access_log() and time.monotonic() < deadline:
        time.sleep(0.05)
    (line,) = [line for line in proxy.access_log().splitlines() if "GET /metrics" in line]
    assert line.startswith("- 404 "), line  # answered by nginx, no upstream asked
    assert reach(proxy, "GET", "/readyz") in "abc"  # the probes pass, like any page


def test_the_app_gets_the_phones_address_scheme_and_host(cluster):
    proxy, _ = cluster
    status, answer = send(proxy, "GET", "/socket.io/?code=ABC234&EIO=4&transport=polling")
    assert status == 200
    headers = answer["headers"]
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    # With its port, so the browser's Origin matches it (Socket.IO's same-origin check).
    assert headers["host"] == f"127.0.0.1:{proxy.port}"
    assert headers["connection"] == "close" and "upgrade" not in headers


def test_bodies_up_to_the_apps_limit_pass_and_larger_ones_are_refused(cluster):
    proxy, _ = cluster
    limit = 1024 * 1024  # the app's MAX_CONTENT_LENGTH
    status, answer = send(proxy, "POST", "/api/upload", b"x" * limit)
    assert status == 200 and answer["body_length"] == limit
    status, answer = send(proxy, "POST", "/api/upload", b"x" * (limit + 1))
    assert status == 413 and answer is None


def test_a_websocket_upgrade_passes_through_to_the_sessions_upstream(cluster):
    proxy, _ = cluster
    code = CODES[0]
    status, headers, echoed = websocket(proxy, code)
    assert status.startswith("HTTP/1.1 101"), status
    assert headers["x-seen-upgrade"] == "websocket"
    assert headers["x-seen-connection"].lower() == "upgrade"
    assert headers["upgrade"] == "websocket"
    owner = reach(proxy, "GET", f"/j/{code}")
    assert headers["x-upstream"] == owner
    assert echoed == f"{owner}:through the tunnel\n".encode()


def test_a_stopped_upstreams_sessions_move_to_one_survivor_each_and_no_other_moves(cluster):
    proxy, upstreams = cluster
    before = {code: reach(proxy, "GET", f"/j/{code}") for code in CODES}
    counts = {name: list(before.values()).count(name) for name in upstreams}
    gone = max(counts, key=counts.get)  # the one with most sessions: the largest move
    assert counts[gone] > 0
    upstreams[gone].stop()
    moved = {}
    for code in CODES:
        places = where(proxy, code)
        assert len(places) == 1, f"{code} reached {sorted(places)} after {gone} stopped"
        place = places.pop()
        if before[code] == gone:
            assert place != gone
            moved[code] = place
        else:
            assert place == before[code], f"{code} moved from {before[code]} to {place}"
    assert len(moved) == counts[gone]
    # Requests without a code go to the survivors.
    for method, path in NO_CODE_ROUTES[:3]:
        assert {reach(proxy, method, path) for _ in range(4)} <= set(upstreams) - {gone}


def test_removing_an_upstream_from_the_list_moves_only_its_sessions_where_failover_sent_them(
    cluster,
):
    """Consistent hashing: with one server line fewer, only that server's sessions move, and
    each to the process that took it over while the server was down, so taking a dead process
    out of the configuration moves no session a second time."""
    proxy, upstreams = cluster
    before = {code: reach(proxy, "GET", f"/j/{code}") for code in CODES}
    gone = before[CODES[0]]
    upstreams[gone].stop()
    failover = {code: reach(proxy, "GET", f"/j/{code}") for code in CODES}
    rest = [u.port for name, u in upstreams.items() if name != gone]
    with nginx_server(rest) as smaller:
        after = {code: reach(smaller, "GET", f"/j/{code}") for code in CODES}
    assert after == failover
    assert {code: place for code, place in after.items() if before[code] != gone} == {
        code: place for code, place in before.items() if place != gone
    }
    assert set(after.values()) == set(upstreams) - {gone}


def test_the_shipped_site_file_is_valid_and_has_the_tested_upstream():
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstream = re.search(r"^upstream tafelronde \{(.*?)^\}", site, re.S | re.M).group(1)
    directives = [
        line.split("#")[0].strip() for line in upstream.splitlines() if line.split("#")[0].strip()
    ]
    assert directives[0] == "hash $tafelronde_code consistent;"
    servers = directives[1:]
    assert servers and all(re.fullmatch(rf"server \S+ {UPSTREAM_OPTIONS};", s) for s in servers)
    # The site file as nginx reads it, with the include files from this tree.
    for name in ("tafelronde-routing.conf", "tafelronde-proxy.conf"):
        assert f"include /etc/nginx/{name};" in site
        site = site.replace(f"/etc/nginx/{name}", str(DEPLOY / name))
    site = re.sub(r"^\s*listen .*$", "", site, flags=re.M)
    site = site.replace("server_name", f"listen 127.0.0.1:{free_port()};\n    server_name")
    try:
        valid, output = nginx_check(site)
    except ServiceUnavailable as error:
        unavailable(str(error))
    assert valid, output
