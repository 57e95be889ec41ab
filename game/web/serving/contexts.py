"""The app's Flask class: a Socket.IO event's request context without routing work per event.

Flask-SocketIO runs every event inside a request context made from its socket's handshake
environ (``/socket.io/``). For each one Flask bound a URL adapter to that environ (checking its
host), matched the path, which no route serves, against every route of the app, and read and
verified the session cookie, only for Flask-SocketIO to replace that session with the socket's
own copy at once: about 40 µs of CPU per event, more than deciding a vote. So:

- the adapter and the (failed) match of a handshake path depend only on the host, scheme and
  script name: they are kept per such triple (a few at most; never per socket, which would cost
  memory per phone) and reused;
- an event's context starts with its socket's session (Flask-SocketIO keeps it in the environ).

Any other request is bound and matched as Flask does.
"""

from flask import Flask
from flask.ctx import RequestContext

SOCKET_PATH = "/socket.io/"  # Flask-SocketIO's default, which app.py keeps
SOCKET_SESSION = "saved_session"  # where Flask-SocketIO keeps a socket's session
KEPT_AT_MOST = 64  # (host, scheme, script name) triples; the Host header is the client's


def _socket_key(request):
    """What a handshake's routing depends on, or None when `request` is not a handshake."""
    environ = request.environ
    if environ.get("PATH_INFO") != SOCKET_PATH:
        return None
    return (
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("wsgi.url_scheme"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("REQUEST_METHOD"),
    )


class EventContext(RequestContext):
    """A request context that takes a handshake's match from the ones kept."""

    def match_request(self):
        """Flask's matching, once per kind of handshake."""
        request, kept = self.request, self.app.socket_routing
        key = _socket_key(request)
        if key is None:
            super().match_request()
            return
        found = kept.get(key)
        if found is not None:
            request.url_rule, request.view_args, request.routing_exception = found[1]
            return
        super().match_request()
        error = request.routing_exception
        if error is not None:
            error.__traceback__ = None  # kept: it must not keep this event's frames alive
        if len(kept) >= KEPT_AT_MOST:
            kept.clear()
        kept[key] = (self.url_adapter, (request.url_rule, request.view_args, error))


class App(Flask):
    """Flask, with the request contexts of Socket.IO events routed once (see the module)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.socket_routing = {}  # handshake key -> (URL adapter, its match)

    def request_context(self, environ):
        """A request context for `environ`; a Socket.IO event's starts with its socket's
        session, which Flask-SocketIO would put in it as soon as it is pushed."""
        return EventContext(self, environ, session=environ.get(SOCKET_SESSION))

    def create_url_adapter(self, request):
        """Flask's URL adapter; a handshake's is the one kept for its kind."""
        found = self.socket_routing.get(_socket_key(request)) if request is not None else None
        if found is None:
            return super().create_url_adapter(request)
        if (trusted := self.config["TRUSTED_HOSTS"]) is not None:
            request.trusted_hosts = trusted  # as Flask sets it, for `request.host`
        return found[0]
