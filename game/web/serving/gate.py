"""The door of the HTTP server: what is refused before the app sees it, and how, at once.

Two refusals happen here, both answered immediately and with the connection released, because a
request left hanging holds a connection of the pool (and a file descriptor) for as long as the
client likes, and a few hundred of those lock a whole room out:

- `BodyLimit`, a WSGI middleware in front of Socket.IO: a long-polling POST to ``/socket.io/``
  larger than ``MAX_MESSAGE_BYTES`` (the same limit Socket.IO applies to one WebSocket message)
  is answered ``413`` and its connection closed. The size is checked from ``Content-Length``
  before the body is read; a body without one is read only up to the limit.
- `refuse_full`, called by the server (`game.web.serving.http`) when every connection of the pool is
  taken: the client gets a short ``503`` page (JSON for Socket.IO), in Dutch and English since
  the request was not read, and ``Retry-After``.

Nothing here counts addresses: a whole hall may come from one venue's NAT address.
"""

import contextlib
import io
import json
import socket

# Bodies up to this size are read (and dropped) before the 413 goes out, so closing the
# connection does not reset it while the answer is still on its way (the client reads it).
DRAIN_BYTES = 64 * 1024
SOCKET_KEY = "tafelronde.socket"  # the client's socket, put in the environ by the server

FULL_TEXT = (
    "De zaal is vol, we proberen het zo opnieuw. / The room is full, trying again in a moment."
)
FULL_PAGE = (
    '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="5">'
    '<meta name="viewport" content="width=device-width">'
    f"<title>Tafelronde</title><p>{FULL_TEXT}</p>"
)


class BodyLimit:
    """Refuse oversize Socket.IO long-polling POSTs with 413 and close their connection."""

    def __init__(self, app, limit, prefix="/socket.io/", on_refused=None):
        self.app, self.limit, self.prefix = app, limit, prefix
        # Called with the refused request's Engine.IO sid (or None), to end that connection too:
        # the poll its browser keeps open then hears the close at once.
        self.on_refused = on_refused

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or not environ.get("PATH_INFO", "").startswith(
            self.prefix
        ):
            return self.app(environ, start_response)
        body = environ["wsgi.input"]
        length = _content_length(environ)
        if length is None:
            # No length (chunked, or a liar): read at most one byte over the limit ourselves.
            data = body.read(self.limit + 1)
            if len(data) > self.limit:
                return self._refuse(environ, start_response, drained=False)
            environ["wsgi.input"] = io.BytesIO(data)
            environ["CONTENT_LENGTH"] = str(len(data))
        elif length > self.limit:
            drained = length <= DRAIN_BYTES
            if drained:
                _drain(body, length)
            return self._refuse(environ, start_response, drained)
        return self.app(environ, start_response)

    def _refuse(self, environ, start_response, drained):
        if self.on_refused is not None:
            self.on_refused(_sid(environ.get("QUERY_STRING", "")))
        text = json.dumps(
            {"ok": False, "code": "too_large", "error": f"At most {self.limit} bytes."}
        ).encode()
        start_response(
            "413 Content Too Large",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(text))),
                ("Connection", "close"),
            ],
        )
        return _ThenClose([text], environ.get(SOCKET_KEY), drained)


class _ThenClose:
    """A response body whose `close` (called once it is written) shuts the connection, so the
    server neither reads the rest of an oversize body nor waits for the client's next request."""

    def __init__(self, chunks, sock, drained):
        self.chunks, self.sock, self.drained = chunks, sock, drained

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        if self.sock is None:
            return
        with contextlib.suppress(OSError):  # the client may already have gone
            self.sock.shutdown(socket.SHUT_RDWR)


def _sid(query):
    """The ``sid`` of an Engine.IO query string, or None."""
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "sid" and value:
            return value
    return None


def _content_length(environ):
    """The request's Content-Length as a number; None when absent or not a number."""
    try:
        value = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return value if value >= 0 else None


def _drain(body, length):
    """Read and drop `length` bytes of a small body (bounded by the socket's timeout)."""
    left = length
    try:
        while left > 0:
            chunk = body.read(min(left, 16 * 1024))
            if not chunk:
                return
            left -= len(chunk)
    except OSError:
        return


def full_response():
    """The bytes of the 503 a client gets when every connection is taken."""
    body = FULL_PAGE.encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Retry-After: 5\r\n"
        "Cache-Control: no-store\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def refuse_full(sock, wait=2.0):
    """Answer 503 on a client socket the pool has no room for, then close it.

    The request is read first (one read, `wait` seconds at most): closing a socket with unread
    data resets the connection, and the client would lose the answer."""
    try:
        sock.settimeout(wait)
        with contextlib.suppress(OSError):
            sock.recv(16 * 1024)
        sock.sendall(full_response())
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(0.5)
        for _ in range(4):  # until the client closes too, the timeout, or 64 KB
            if not sock.recv(16 * 1024):
                break
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sock.close()
