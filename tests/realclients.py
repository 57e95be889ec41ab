"""Clients of a real server (`tests.servers.Server`): a signed-in facilitator and phones.

The facilitator signs in over HTTP like a browser (sign-in page, CSRF token, host key) with
`requests`; phones and the facilitator's screen talk Socket.IO with python-socketio's own client,
over a real websocket. Used by the durability and hardening tests.
"""

import contextlib
import re
import secrets
import time

import requests
import socketio

from tests.conftest import TINY_DECK
from tests.servers import HOST_KEY, Server

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def tiny_server(workdir, mode=None, **env):
    """A `Server` (not started) whose decks folder also holds the tests' tiny deck; `mode` is the
    async mode it serves with (eventlet when not given)."""
    if mode is not None:
        env["TAFELRONDE_ASYNC_MODE"] = mode
    server = Server(workdir, extra_env=env or None)
    (server.workdir / "decks" / "tiny.yaml").write_text(TINY_DECK, encoding="utf-8")
    return server


def csrf_from(html):
    """The CSRF token in a page's hidden form field."""
    found = CSRF_FIELD.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


class Facilitator:
    """A browser signed in with the host key: creates sessions, opens the facilitator socket."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()
        page = self.http.get(f"{url}/host", timeout=5)
        answer = self.http.post(
            f"{url}/host",
            data={"key": HOST_KEY, "csrf_token": csrf_from(page.text)},
            allow_redirects=False,
            timeout=5,
        )
        assert answer.status_code == 302, answer.text
        # Signing in starts a fresh browser session; the home page carries its new CSRF token.
        self.csrf = csrf_from(self.http.get(f"{url}/", timeout=5).text)

    def create_session(self, **form):
        """Create a session of the tiny deck; return its code."""
        data = {
            "deck": "tiny",
            "tables_mode": "count",
            "table_count": "3",
            "seating": "choose",
            "flow": "draw",
            "csrf_token": self.csrf,
            **form,
        }
        answer = self.http.post(
            f"{self.url}/host/sessions", data=data, allow_redirects=False, timeout=5
        )
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    def close(self):
        """Forget the HTTP connections."""
        self.http.close()

    def cookie(self):
        """The Cookie header a browser would send with its Socket.IO connection."""
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def socket(self, code):
        """A connected facilitator socket that said hello; returns ``(client, view)``."""
        sio = connect(self.url, headers={"Cookie": self.cookie()}, code=code)
        hello = sio.call("hello", {"code": code, "role": "facilitator"}, timeout=5)
        assert hello["ok"], hello
        return sio, hello["view"]


def connect(url, headers=None, timeout=5, code=None):
    """A python-socketio client connected over a websocket (no automatic reconnection), with the
    session's `code` in the handshake as the pages send it."""
    sio = socketio.Client(reconnection=False)
    if code is not None:
        url = f"{url}?code={code}"
    try:
        sio.connect(url, headers=headers or {}, transports=["websocket"], wait_timeout=timeout)
    except Exception:
        close_client(sio)
        raise
    return sio


class RealPhone:
    """A participant's phone: a token it keeps, and a socket it can lose and open again."""

    def __init__(self, url, code, name, token=None):
        self.url, self.code, self.name = url, code, name
        self.token = token or secrets.token_urlsafe(24)
        self.sio = None
        self.pid = None
        self.view = None

    def open(self, timeout=5):
        """Connect and say hello with the token; the view (``me`` is None before joining)."""
        self.sio = connect(self.url, timeout=timeout, code=self.code)
        hello = self.call("hello", code=self.code, role="participant", token=self.token)
        assert hello["ok"], hello
        self.view = hello["view"]
        return self.view

    def try_open(self, url=None, timeout=5):
        """Connect (to `url`, or the phone's server) and say hello; the answer, ok or not."""
        self.close()
        self.sio = connect(url or self.url, timeout=timeout, code=self.code)
        return self.call("hello", code=self.code, role="participant", token=self.token)

    def join(self):
        """Open and join; keeps the pid."""
        self.open()
        joined = self.call("join", token=self.token, name=self.name)
        assert joined["ok"], joined
        self.pid = joined["pid"]
        self.view = joined["view"]
        return joined

    def call(self, event, timeout=5, **payload):
        """Emit a command and wait for its acknowledgement."""
        return self.sio.call(event, payload, timeout=timeout)

    def come_back(self, deadline):
        """Keep trying to reconnect (as a phone does while its server is away, or while another
        process takes its session over: `moved`); returns the hello's view once it is back."""
        while True:
            try:
                answer = self.try_open(timeout=2)
            except (socketio.exceptions.SocketIOError, OSError):  # refused or cut: away
                self.close()
                answer = {"code": "offline", "retry_after": 0.05}
            if answer.get("ok"):
                self.view = answer["view"]
                return self.view
            assert answer["code"] in ("moved", "offline"), answer
            assert time.monotonic() < deadline, f"{self.name} not back in its seat: {answer}"
            time.sleep(min(answer["retry_after"], 1.0))

    def close(self):
        """Drop the socket (quietly if it is already gone)."""
        if self.sio is not None:
            close_client(self.sio)
            self.sio = None


def close_client(sio):
    """Disconnect a client and close its websocket even if the server vanished under it
    (python-socketio leaves that socket open when the other side dies)."""
    ws = getattr(sio.eio, "ws", None)
    with contextlib.suppress(Exception):  # a dead socket may complain while closing
        sio.disconnect()
    if ws is not None:
        with contextlib.suppress(Exception):
            ws.shutdown()
