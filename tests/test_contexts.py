"""The app's request contexts (game/web/serving/contexts.py): the handshake environ a Socket.IO
event runs in is bound and matched once per host, not per event or socket; HTTP is unchanged."""

import flask
from flask.sessions import SecureCookieSession
from werkzeug.test import EnvironBuilder


def socket_environ(app):
    """An environ like a socket's handshake, which Flask-SocketIO reuses for every event."""
    environ = EnvironBuilder(path="/socket.io/", query_string="EIO=4&code=ABCD").get_environ()
    environ["flask.app"] = app
    return environ


def test_a_handshake_is_bound_and_matched_once(app):
    environ = socket_environ(app)
    with app.request_context(environ) as first:
        adapter, error = first.url_adapter, flask.request.routing_exception
        assert flask.request.url_rule is None and error is not None  # no route serves it
        assert error.__traceback__ is None  # kept without this event's frames
    for again in (environ, socket_environ(app)):  # the same socket's next event; another socket
        with app.request_context(again) as context:
            assert context.url_adapter is adapter
            assert flask.request.routing_exception is error
            assert flask.request.args["code"] == "ABCD"
    assert len(app.socket_routing) == 1  # nothing kept per socket


def test_an_event_starts_with_its_sockets_session(app):
    environ = socket_environ(app)
    # Flask-SocketIO's copy of the session for this socket (a session object, as its own is)
    environ["saved_session"] = SecureCookieSession({"host": True})
    with app.request_context(environ):
        assert flask.session["host"] is True


def test_http_requests_are_matched_as_before(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/no-such-page").status_code == 404
