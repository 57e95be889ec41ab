"""Every command of the rules has its handler in `LiveNamespace`, named after the event."""

from game.core.rules import FACILITATOR_COMMANDS, PARTICIPANT_COMMANDS
from game.web.live.namespace import LiveNamespace

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


def test_each_handler_sends_its_command_as_its_declared_sender():
    import inspect

    from game.core.registry import COMMANDS

    wrong = []
    for name, command in COMMANDS.items():
        if name == "join":  # the phone's token makes its seat: the hub's own path (`Hub.join`)
            continue
        source = inspect.getsource(getattr(LiveNamespace, f"on_{name}"))
        if f'{command.sender}(data, name="{name}")' not in source:
            wrong.append(f"on_{name} does not call {command.sender}(data, name={name!r})")
    assert not wrong, "\n".join(wrong)


def _protocol_payload_fields():
    """``{command: set of payload fields}`` from the command tables of docs/protocol.md: the
    object keys written in the payload column (``"choice": 1``, ``"card"?: ...``, ``"cid"?``)."""
    import re
    from pathlib import Path

    protocol = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text()
    fields = {}
    section = None
    for line in protocol.splitlines():
        if line.startswith("### "):
            section = line
        if not (section and "commands" in section and line.startswith("| `")):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        name = cells[0].strip("`")
        spans = " ".join(re.findall(r"`([^`]*)`", cells[1]))
        keys = re.findall(r'"(\w+)"\??\s*:|"(\w+)"\?|\{"(\w+)"\}', spans)
        fields[name] = {next(k for k in groups if k) for groups in keys}
    return fields


def test_the_protocol_documents_each_commands_payload_fields():
    from typing import get_type_hints

    from game.core.registry import COMMANDS

    documented = _protocol_payload_fields()
    problems = []
    for name, command in COMMANDS.items():
        declared = set(get_type_hints(command.payload))
        if name not in documented:
            problems.append(f"{name}: no row in a command table of docs/protocol.md")
        elif documented[name] - {"cid"} != declared:
            problems.append(
                f"{name}: documented {sorted(documented[name])}, declared {sorted(declared)}"
            )
    assert not problems, "\n".join(problems)


def test_the_payload_check_reads_the_tables():
    fields = _protocol_payload_fields()
    assert fields["cast_vote"] == {"choice", "card", "cid"}
    assert fields["flag_table"] == {"reason", "cid"}
    assert fields["rename"] == {"name"}


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
