"""The closing evaluation: when the facilitator ends a session, every phone asks three short
questions (how useful was it, what should we keep, what should we add or change).

Answers are anonymous to everyone but their author: the facilitator, the projector and the
exports get counts, an average and the texts sorted alphabetically (so the order of arrival
does not tell who wrote what), never a name. A phone may send its answers again to change them;
the last ones count.
"""

from typing import Any, Literal, TypedDict

from ...errors import N_, InvalidInput, NotFound, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import SessionState

USEFUL_MIN, USEFUL_MAX = 1, 5
MAX_ANSWER_CHARS = 500


class EvaluationSubmitted(TypedDict):
    type: Literal["evaluation_submitted"]
    pid: str
    useful: int
    keep: str
    add: str
    at: Number


def _submitted(state: SessionState, e: EvaluationSubmitted) -> None:
    """Keep (or replace) one participant's answers."""
    state.evaluations[e["pid"]] = {
        "useful": e["useful"],
        "keep": e["keep"],
        "add": e["add"],
        "at": e["at"],
    }


def _no_table(state: SessionState, e: EvaluationSubmitted) -> set[int]:
    """Anonymous answers: nothing for the table; the facilitator's summary changes."""
    return set()


class EvaluationPayload(TypedDict, total=False):
    useful: int
    keep: str
    add: str


def submit(
    state: SessionState, actor: Actor, payload: EvaluationPayload, now: float
) -> list[Event]:
    """A participant's answers (only after the session ended); sending again replaces them."""
    if not state.ended:
        raise OutOfTurn(N_("The evaluation opens when the facilitator ends the session."))
    if actor.pid not in state.members:
        raise NotFound(N_("You are not part of this session. Join again."))
    useful: int = checks.field(payload, "useful", int)
    if not USEFUL_MIN <= useful <= USEFUL_MAX:
        raise InvalidInput(N_("Choose how useful it was, from 1 to 5."))
    answers: dict[str, Any] = {
        "useful": useful,
        "keep": checks.text(payload, "keep", MAX_ANSWER_CHARS, required=False),
        "add": checks.text(payload, "add", MAX_ANSWER_CHARS, required=False),
    }
    previous = state.evaluations.get(actor.pid)
    if previous is not None and all(previous.get(k) == v for k, v in answers.items()):
        return []
    return [{"type": "evaluation_submitted", "pid": actor.pid, **answers}]


def own_answers(state: SessionState, pid: str | None) -> dict[str, Any] | None:
    """What one participant answered (for their own phone), or None."""
    answers = state.evaluations.get(pid) if pid is not None else None
    if answers is None:
        return None
    return {"useful": answers["useful"], "keep": answers["keep"], "add": answers["add"]}


def summary(state: SessionState) -> dict[str, Any] | None:
    """The evaluation as the facilitator and the exports see it: anonymous; None until the
    session ended (the evaluation opens then)."""
    if not state.ended:
        return None
    answers = list(state.evaluations.values())
    counts = [0] * (USEFUL_MAX - USEFUL_MIN + 1)
    for answer in answers:
        counts[answer["useful"] - USEFUL_MIN] += 1
    average = round(sum(a["useful"] for a in answers) / len(answers), 1) if answers else None
    return {
        "answers": len(answers),
        "people": len(state.members),
        "useful": counts,  # how many chose 1, 2, 3, 4, 5
        "useful_average": average,
        "keep": sorted((a["keep"] for a in answers if a["keep"]), key=str.casefold),
        "add": sorted((a["add"] for a in answers if a["add"]), key=str.casefold),
    }


FEATURE = Feature(
    "evaluation",
    commands=(
        Command(
            "submit_evaluation",
            "participant",
            EvaluationPayload,
            submit,
            ("evaluation_submitted",),
            after_end=True,
        ),
    ),
    events=(EventKind(EvaluationSubmitted, _submitted, tables=_no_table),),
)
