"""Events are typed records, and this is how a record is held to its declaration.

Events are what the log stores and a restart replays, so a mistyped or missing field must fail
where the event is made, in a test, not months later on replay. Each kind of event is declared
as a `TypedDict` in its feature module (plain dicts at run time: they go to JSON and SQLite as
they are); `Shape` reads a declaration once, and `game.core.registry.check_event` holds every
event the rules and the hub make against the declaration of its type: unknown type, missing or
unknown field, or a value of the wrong kind raises `EventShapeError`. Replay does not check (a
stored log is what it is). A type checker reads the same declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin, get_type_hints


class EventShapeError(TypeError):
    """An event that does not match its declaration (a bug in the rules, never user input)."""


def _kinds(hint: Any) -> tuple[type, ...]:
    """The run-time classes a field's declared type allows."""
    origin = get_origin(hint)
    if origin is None:
        return (hint,) if isinstance(hint, type) else (object,)
    if origin in (list, dict):
        return (origin,)
    if origin is Literal:
        return tuple({type(value) for value in get_args(hint)})
    kinds: tuple[type, ...] = ()
    for arg in get_args(hint):  # a union: int | None, int | float
        kinds += (type(None),) if arg is type(None) else _kinds(arg)
    return kinds


@dataclass(frozen=True)
class Shape:
    """What one declaration allows: each field's run-time classes, and which are required."""

    name: str
    kinds: dict[str, tuple[type, ...]]
    required: frozenset[str]

    @classmethod
    def of(cls, record: type) -> Shape:
        """The shape of a `TypedDict` declaration."""
        hints = get_type_hints(record)
        name = get_args(hints["type"])[0]
        kinds = {field: _kinds(hint) for field, hint in hints.items()}
        required: frozenset[str] = getattr(record, "__required_keys__", frozenset())
        return cls(name, kinds, frozenset(required))

    def check(self, event: dict[str, Any]) -> None:
        """Raise `EventShapeError` unless `event` has exactly the declared fields and kinds."""
        kinds = self.kinds
        # Every command's events pass here: the set arithmetic only when the fields differ.
        if not (self.required <= event.keys() <= kinds.keys()):
            missing = sorted(self.required - event.keys())
            unknown = sorted(event.keys() - kinds.keys())
            raise EventShapeError(f"{event['type']}: missing {missing}, unknown {unknown}")
        for name, value in event.items():
            allowed = kinds[name]
            # bool is an int in Python; a count must not silently be True.
            if not isinstance(value, allowed) or (
                value.__class__ is bool and bool not in allowed and object not in allowed
            ):
                raise EventShapeError(f"{event['type']}.{name}: {value!r} is not {allowed}")
