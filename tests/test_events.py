"""Events are typed records: a mistyped or missing field fails where the event is made."""

from typing import Any, Literal, NotRequired, TypedDict

import pytest

from game.core.command import EventKind, Number, record_name
from game.core.events import EventShapeError, Shape
from game.core.registry import APPLY as _APPLY
from game.core.registry import EVENT_TYPES, check_event


def test_every_event_the_model_applies_is_declared_and_back():
    # session_created starts a state (model.state_from_created) instead of changing one.
    assert set(EVENT_TYPES) == set(_APPLY) | {"session_created"}


def test_a_good_event_passes_unchanged():
    event = {"type": "vote_cast", "table": 0, "pid": "p1", "card": "c", "round": 0, "choice": 1}
    event["at"] = 10.5
    assert check_event(event) is event


@pytest.mark.parametrize(
    "event, problem",
    [
        (
            {"type": "vote_cast", "table": 0, "pid": "p1", "card": "c", "round": 0, "at": 1},
            "missing",
        ),
        (
            {
                "type": "vote_cast",
                "table": 0,
                "pid": "p1",
                "card": "c",
                "round": 0,
                "choise": 1,
                "at": 1,
            },
            "unknown",
        ),
        ({"type": "paused", "paused": "yes", "at": 1}, "paused"),
        ({"type": "timer_started", "seconds": True, "at": 1}, "seconds"),
        ({"type": "no_such_event", "at": 1}, "unknown event"),
        ("not a dict", "unknown event"),
    ],
)
def test_a_mistyped_event_fails_at_once(event, problem):
    with pytest.raises(EventShapeError, match=problem):
        check_event(event)


def test_optional_fields_may_be_left_out_or_given():
    check_event({"type": "participant_seated", "pid": "p", "table": 1, "at": 0})
    check_event(
        {
            "type": "participant_seated",
            "pid": "p",
            "table": 1,
            "moved": True,
            "from": [None],
            "at": 0,
        }
    )
    check_event({"type": "choice_recorded", "table": 0, "card": "c", "choice": None, "at": 0})


class Sample(TypedDict):
    """A declaration with every kind of field the events use."""

    type: Literal["sample_made"]
    count: int
    share: Number
    name: str | None
    tags: list[str]
    meta: dict[str, Any]
    kind: Literal["a", "b"]
    extra: NotRequired[bool]
    at: Number


def test_a_shape_is_read_from_its_declaration():
    """What `check_event` holds events to is read from the `TypedDict` (at test time here, so
    a wrong reading fails this test, not only the import)."""
    shape = Shape.of(Sample)
    assert shape.name == "sample_made" == record_name(Sample) == EventKind(Sample, None).name
    assert shape.required == {"type", "count", "share", "name", "tags", "meta", "kind", "at"}
    assert shape.kinds == {
        "type": (str,),
        "count": (int,),
        "share": (int, float),
        "name": (str, type(None)),
        "tags": (list,),
        "meta": (dict,),
        "kind": (str,),
        "extra": (bool,),
        "at": (int, float),
    }
    good = {"type": "sample_made", "count": 1, "share": 0.5, "name": None, "tags": []}
    good |= {"meta": {}, "kind": "a", "at": 3}
    shape.check(good)
    shape.check({**good, "extra": False})
    for wrong in ({"count": True}, {"share": "1"}, {"extra": 1}, {"tags": {}}, {"name": 1}):
        with pytest.raises(EventShapeError):
            shape.check({**good, **wrong})
