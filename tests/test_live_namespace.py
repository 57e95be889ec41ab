"""Every command of the rules has its handler in `LiveNamespace`, named after the event."""

from game.core.rules import FACILITATOR_COMMANDS, PARTICIPANT_COMMANDS
from game.web.live import LiveNamespace

OTHER_EVENTS = {"hello", "sync", "disconnect"}


def handled_events():
    """The event names `LiveNamespace` answers (its ``on_<event>`` methods)."""
    return {name[3:] for name in vars(LiveNamespace) if name.startswith("on_")}


def test_every_command_has_its_handler_and_no_more():
    commands = set(PARTICIPANT_COMMANDS) | set(FACILITATOR_COMMANDS)
    assert handled_events() == commands | OTHER_EVENTS


def test_every_event_is_documented_in_the_protocol():
    from pathlib import Path

    protocol = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text()
    missing = sorted(e for e in handled_events() - {"disconnect"} if f"`{e}`" not in protocol)
    assert not missing, f"docs/protocol.md does not name: {missing}"


def test_a_hello_for_another_code_than_the_handshakes_is_invalid(app, client):
    """docs/protocol.md: a router sent this connection to the process serving the handshake's
    code, so a `hello` for another session on it is refused, and the socket stays no one's."""
    from app import socketio
    from tests.test_sockets import make_session

    code = make_session(app, client)
    other = make_session(app, client)
    hello = {"code": code, "role": "projector"}
    hello["key"] = app.extensions["tafelronde.hub"].get(code).projector_key
    wrong = socketio.test_client(app, query_string=f"code={other}")
    answer = wrong.emit("hello", hello, callback=True)
    assert answer["ok"] is False and answer["code"] == "invalid"
    assert "another session" in answer["error"]
    assert wrong.emit("sync", {}, callback=True)["ok"] is False  # not attached to `code`
    # The same hello on a connection opened for its own code (as typed: any case) is welcome,
    # and so is one without a code in the handshake (a single process needs no routing).
    for query in (f"code={code.lower()}", None):
        right = socketio.test_client(app, query_string=query)
        assert right.emit("hello", hello, callback=True)["ok"] is True
