"""Time and words for the whole room: the facilitator's round timer and a message on every
phone (and the projector)."""

from typing import Literal, TypedDict

from ...errors import N_, InvalidInput
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import SessionState

MAX_MESSAGE_CHARS = 280
MAX_TIMER_SECONDS = 3 * 3600


class TimerStarted(TypedDict):
    type: Literal["timer_started"]
    seconds: int
    at: Number


class TimerStopped(TypedDict):
    type: Literal["timer_stopped"]
    at: Number


class MessageSent(TypedDict):
    type: Literal["message_sent"]
    text: str
    at: Number


def _timer_started(state: SessionState, e: TimerStarted) -> None:
    state.timer_seconds = e["seconds"]
    state.timer_ends_at = e["at"] + e["seconds"]
    state.timer_left = e["seconds"] if state.paused else None  # started in a pause: waits


def _timer_stopped(state: SessionState, e: TimerStopped) -> None:
    state.timer_seconds = None
    state.timer_ends_at = None
    state.timer_left = None


def _message_sent(state: SessionState, e: MessageSent) -> None:
    state.message = {"text": e["text"], "at": e["at"]} if e["text"] else None


class TimerPayload(TypedDict):
    seconds: int


class NoPayload(TypedDict):
    pass


class MessagePayload(TypedDict, total=False):
    text: str


def start_timer(
    state: SessionState, actor: Actor, payload: TimerPayload, now: float
) -> list[Event]:
    """Start the round timer (10 s to 3 h) on every screen."""
    seconds: int = checks.field(payload, "seconds", int)
    if not 10 <= seconds <= MAX_TIMER_SECONDS:
        raise InvalidInput(N_("A timer runs from 10 seconds to 3 hours."))
    return [{"type": "timer_started", "seconds": seconds}]


def stop_timer(state: SessionState, actor: Actor, payload: NoPayload, now: float) -> list[Event]:
    """Stop the round timer."""
    return [{"type": "timer_stopped"}] if state.timer_ends_at is not None else []


def send_message(
    state: SessionState, actor: Actor, payload: MessagePayload, now: float
) -> list[Event]:
    """Put a message on every phone and the projector (empty text clears it)."""
    text = checks.text(payload, "text", MAX_MESSAGE_CHARS, required=False)
    return [{"type": "message_sent", "text": text}]


FEATURE = Feature(
    "timer",
    commands=(
        Command("start_timer", "facilitator", TimerPayload, start_timer, ("timer_started",)),
        Command("stop_timer", "facilitator", NoPayload, stop_timer, ("timer_stopped",)),
        Command("send_message", "facilitator", MessagePayload, send_message, ("message_sent",)),
    ),
    events=(
        EventKind(TimerStarted, _timer_started),
        EventKind(TimerStopped, _timer_stopped),
        EventKind(MessageSent, _message_sent),
    ),
)
