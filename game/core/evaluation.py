"""The closing evaluation: when the facilitator ends a session, every phone asks three short
questions (how useful was it, what should we keep, what should we add or change).

Pure, like the rest of the core. Answers are anonymous to everyone but their author: the
facilitator, the projector and the exports get counts, an average and the texts sorted
alphabetically (so the order of arrival does not tell who wrote what), never a name. A phone may
send its answers again to change them; the last ones count.
"""

from ..errors import N_, InvalidInput, NotFound, OutOfTurn
from . import checks

USEFUL_MIN, USEFUL_MAX = 1, 5
MAX_ANSWER_CHARS = 500
# Commands that are accepted only after the session ended (every other command is refused then).
AFTER_END_COMMANDS = frozenset({"submit_evaluation"})


def submit(state, actor, payload, now):
    """A participant's answers: ``{"useful": 1-5, "keep"?: text, "add"?: text}``."""
    if not state.ended:
        raise OutOfTurn(N_("The evaluation opens when the facilitator ends the session."))
    if actor.pid not in state.members:
        raise NotFound(N_("You are not part of this session. Join again."))
    useful = checks.field(payload, "useful", int)
    if not USEFUL_MIN <= useful <= USEFUL_MAX:
        raise InvalidInput(N_("Choose how useful it was, from 1 to 5."))
    answers = {
        "useful": useful,
        "keep": checks.text(payload, "keep", MAX_ANSWER_CHARS, required=False),
        "add": checks.text(payload, "add", MAX_ANSWER_CHARS, required=False),
    }
    previous = state.evaluations.get(actor.pid)
    if previous is not None and all(previous[k] == v for k, v in answers.items()):
        return []
    return [{"type": "evaluation_submitted", "pid": actor.pid, **answers}]


def apply_submitted(state, event):
    """Keep (or replace) one participant's answers."""
    state.evaluations[event["pid"]] = {
        "useful": event["useful"],
        "keep": event["keep"],
        "add": event["add"],
        "at": event["at"],
    }


def own_answers(state, pid):
    """What one participant answered (for their own phone), or None."""
    answers = state.evaluations.get(pid)
    if answers is None:
        return None
    return {"useful": answers["useful"], "keep": answers["keep"], "add": answers["add"]}


def summary(state):
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
