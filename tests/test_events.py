"""Events are typed records: a mistyped or missing field fails where the event is made."""

import pytest

from game.core.events import EventShapeError
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
