"""How opinions moved on a card: from the first revealed round to the last, at one table and
across the room.

A move is counted per person who answered in both rounds (a pass is an answer: "pass" in a
move); someone who answered only in the later round *joined*, only in the first *left*. A
shared device's tally has counts, not people: its shift is the distributions only. For
agree/disagree scale cards the mean position (1-5) moves too. Only revealed rounds count: a
round the facilitator reset before its reveal stays secret.

Pure, like the rest of the core.
"""

from collections import Counter
from typing import Any

from .model import Play, Round

PASS = "pass"


def _answers(round_: Round) -> dict[str, int | str]:
    answers: dict[str, int | str] = dict(round_.votes)
    answers.update({pid: PASS for pid in round_.passes})
    return answers


def _mean(counts: list[int]) -> float | None:
    total = sum(counts)
    if not total:
        return None
    return round(sum((i + 1) * n for i, n in enumerate(counts)) / total, 2)


def revealed_rounds(play: Play) -> list[Round]:
    """The rounds of a play whose votes were shown, oldest first."""
    return [r for r in play.rounds() if r.revealed] if not play.skipped else []


def round_shift(first: Round, last: Round, options: int, scale: bool) -> dict[str, Any]:
    """The shift from `first` to `last` (two revealed rounds of one table's card)."""
    before, after = first.distribution(options), last.distribution(options)
    tally = first.tally is not None or last.tally is not None
    result: dict[str, Any] = {
        "from_round": first.number + 1,
        "to_round": last.number + 1,
        "before": before,
        "after": after,
        "passes_before": first.pass_count(),
        "passes_after": last.pass_count(),
        "tally": tally,
        "moves": None,
        "changed": None,
        "stayed": None,
        "joined": None,
        "left": None,
        "mean_before": _mean(before) if scale else None,
        "mean_after": _mean(after) if scale else None,
    }
    if tally:
        return result  # a show of hands has no people to follow
    was, now = _answers(first), _answers(last)
    both = was.keys() & now.keys()
    moves = Counter((was[pid], now[pid]) for pid in both if was[pid] != now[pid])
    result.update(
        moves=[
            {"from": a, "to": b, "count": n}
            for (a, b), n in sorted(moves.items(), key=lambda item: (-item[1], str(item[0])))
        ],
        changed=sum(moves.values()),
        stayed=len(both) - sum(moves.values()),
        joined=len(now.keys() - was.keys()),
        left=len(was.keys() - now.keys()),
    )
    return result


def play_shift(play: Play, options: int, scale: bool = False) -> dict[str, Any] | None:
    """The shift of one table's card from its first to its last revealed round; None until a
    second round was revealed (or on a talk card)."""
    rounds = revealed_rounds(play)
    if options == 0 or len(rounds) < 2:
        return None
    return round_shift(rounds[0], rounds[-1], options, scale)


def room_shift(shifts: list[dict[str, Any]], options: int, scale: bool) -> dict[str, Any] | None:
    """The tables' shifts on one card added up: the room's before and after, and its moves."""
    if not shifts:
        return None
    before, after = [0] * options, [0] * options
    moves: Counter[tuple[int | str, int | str]] = Counter()
    people = {"changed": 0, "stayed": 0, "joined": 0, "left": 0}
    passes_before = passes_after = 0
    for shift in shifts:
        before = [a + b for a, b in zip(before, shift["before"], strict=True)]
        after = [a + b for a, b in zip(after, shift["after"], strict=True)]
        passes_before += shift["passes_before"]
        passes_after += shift["passes_after"]
        for move in shift["moves"] or ():
            moves[(move["from"], move["to"])] += move["count"]
        for key in people:
            people[key] += shift[key] or 0
    return {
        "tables": len(shifts),
        "before": before,
        "after": after,
        "passes_before": passes_before,
        "passes_after": passes_after,
        "moves": [
            {"from": a, "to": b, "count": n}
            for (a, b), n in sorted(moves.items(), key=lambda item: (-item[1], str(item[0])))
        ],
        **people,
        "mean_before": _mean(before) if scale else None,
        "mean_after": _mean(after) if scale else None,
    }
