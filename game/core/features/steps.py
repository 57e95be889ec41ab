"""The script of a card at a table: the table's current step, moved on by any member
(`next_step`) or by the facilitator for one table or all (`advance_tables`).

A deck (or a card) may give a script (``steps``, game/decks/scripts.py): read and vote alone,
each says why, talk, vote again, one sentence. A table starts every card at its first step; the
phones show the step, its instruction and a gentle timer, and anyone moves the table on. Steps
with a kind tie into the rounds (`features.votes`): moving on from a `vote` or `round` step
reveals the table's votes, entering a `round` step opens the next round. After the last step
the script is done (the step is the number of steps). On an open card (no vote) every step is
played as talk.
"""

from typing import Literal, NotRequired, TypedDict

from ...decks.deck import Card, Step
from ...errors import N_, InvalidInput, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import Play, SessionState, Table
from .votes import MAX_ROUNDS, new_round


class StepMoved(TypedDict):
    type: Literal["step_moved"]
    table: int
    card: str
    step: int  # the step the table is on now (the number of steps: the script is done)
    by: NotRequired[str]  # the member who moved the table on; absent: the facilitator
    at: Number


def _step_moved(state: SessionState, e: StepMoved) -> None:
    play = state.tables[e["table"]].current
    if play is not None and play.card == e["card"]:
        play.step = e["step"]
        play.step_at = e["at"]


def script(state: SessionState, card_id: str) -> tuple[Step, ...]:
    """The steps the card `card_id` is played with (the card's own, else the deck's)."""
    card = state.deck.card(card_id)
    return state.deck.steps_for(card) if card is not None else ()


def kind_of(step: Step, card: Card) -> str:
    """What a step does with this card: on an open card every step is talk."""
    if step.kind in ("vote", "round") and not card.response.options:
        return "talk"
    return step.kind


def move_on(state: SessionState, table: Table, play: Play, by: str | None) -> list[Event]:
    """The events that move `table` from its step to the next: reveal when leaving a vote or a
    round, the step, and a new round when entering a `round` step (after a reveal)."""
    card = state.deck.card(play.card)
    steps = script(state, play.card)
    if card is None or play.step >= len(steps):
        return []
    events: list[Event] = []
    voting = not play.skipped and bool(card.response.options)
    leaving_vote = voting and kind_of(steps[play.step], card) in ("vote", "round")
    answered = play.votes or play.passes or play.tally is not None
    if leaving_vote and not play.revealed and answered:
        events.append({"type": "votes_revealed", "tables": [table.id], "auto": False})
    moved: Event = {
        "type": "step_moved",
        "table": table.id,
        "card": play.card,
        "step": play.step + 1,
    }
    if by is not None:
        moved["by"] = by
    events.append(moved)
    entering = steps[play.step + 1] if play.step + 1 < len(steps) else None
    revealed = play.revealed or bool(events[:-1])
    if (
        voting
        and entering is not None
        and kind_of(entering, card) == "round"
        and revealed
        and play.round + 1 < MAX_ROUNDS
    ):
        events += new_round(table, play)
    return events


class NextStepPayload(TypedDict, total=False):
    step: int  # the step the phone shows: a second tap on a step already left does nothing
    card: str


class AdvancePayload(TypedDict, total=False):
    table: int


def next_step(
    state: SessionState, actor: Actor, payload: NextStepPayload, now: float
) -> list[Event]:
    """Move the table on to the next step of the card's script (leaving a vote reveals it,
    entering a round opens it)."""
    checks.not_paused(state)
    member, table = checks.seated(state, actor)
    play = checks.current(table)
    if checks.card_mismatch(play, payload):
        raise OutOfTurn(N_("The table has moved on to another card."))
    seen = checks.field(payload, "step", int, required=False)
    steps = script(state, play.card)
    if not steps:
        raise OutOfTurn(N_("This card has no script."))
    if seen is not None and not 0 <= seen <= len(steps):
        raise InvalidInput(N_("There is no such step."))
    if seen is not None and seen != play.step:
        return []  # someone else at the table moved it on already: this tap is that one's twin
    if play.step >= len(steps):
        raise OutOfTurn(N_("The script of this card is done."))
    return move_on(state, table, play, member.pid)


def advance_tables(
    state: SessionState, actor: Actor, payload: AdvancePayload, now: float
) -> list[Event]:
    """Move one table, or (without `table`) every table whose card has a script, on to its
    next step."""
    if payload.get("table") is None:
        tables = state.tables
    else:
        tables = [checks.table(state, payload.get("table"))]
    events: list[Event] = []
    for table in tables:
        play = table.current
        if play is not None:
            events += move_on(state, table, play, None)
    return events


def step_view(state: SessionState, play: Play, card: Card) -> dict[str, object] | None:
    """The table's step on its card as screens show it (None without a script, and on a card the
    table skipped): which one, of how many, its label, instruction, minutes and kind, since when;
    and the script's labels."""
    steps = state.deck.steps_for(card)
    if not steps or play.skipped:
        return None
    current = steps[play.step] if play.step < len(steps) else None
    return {
        "index": play.step,
        "count": len(steps),
        "done": current is None,
        "label": current.label if current else None,
        "instruction": current.instruction if current else None,
        "minutes": current.minutes if current else None,
        "kind": kind_of(current, card) if current else None,
        "since": play.step_at if play.step_at is not None else play.started_at,
        "steps": [
            {"label": s.label, "minutes": s.minutes, "kind": kind_of(s, card)} for s in steps
        ],
    }


FEATURE = Feature(
    "steps",
    commands=(
        Command(
            "next_step",
            "participant",
            NextStepPayload,
            next_step,
            ("votes_revealed", "step_moved", "votes_cleared"),
        ),
        Command(
            "advance_tables",
            "facilitator",
            AdvancePayload,
            advance_tables,
            ("votes_revealed", "step_moved", "votes_cleared"),
        ),
    ),
    events=(EventKind(StepMoved, _step_moved),),
)
