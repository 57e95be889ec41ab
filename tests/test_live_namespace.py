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
