"""The plenary board: the played cards ranked by what makes a good plenary discussion.

For each card played anywhere, from every table's last revealed round: the room's distribution
in shares (with counts), how divided the room is (normalised entropy: 0 when everyone chose the
same option, 1 when the answers spread evenly over every option), how many tables' majorities
differ from the room's, how much opinions moved between rounds (share of people who changed
their mind), how many notes and calls for the facilitator it brought, the tables' conclusions
and the reasons people gave, grouped by option.

The ranking score is ``0.45 × divided + 0.25 × tables that disagree + 0.30 × moved``, each on a
0-1 scale: a split room matters most, tables that came out differently next, and a card that
changed minds is worth hearing why. Talk cards (no vote) follow the voted ones, by their notes
and conclusions. Everything here is counts and shares, never a table scaled on its own.

Pure, like the rest of the core.
"""

import math
from typing import Any

from .model import Play, SessionState, Table
from .shift import play_shift, revealed_rounds, room_shift

WEIGHTS = {"divided": 0.45, "disagree": 0.25, "moved": 0.30}
MAX_REASONS = 12  # per option on the board; the rest are counted


def latest_play(table: Table, card_id: str) -> Play | None:
    """The table's most recent play of `card_id`, or None."""
    for play in reversed(table.plays):
        if play.card == card_id:
            return play
    return None


def shown(play: Play) -> bool:
    """Whether a play's counts may be shown: revealed, and not a card the table skipped."""
    return play.revealed and not play.skipped


def played(state: SessionState, table: Table, play: Play | None) -> bool:
    """Whether `table` played the card of `play`: it got the card (drawn or dealt) and someone
    sits there, or someone there voted, chose or wrote on it. A deal reaches empty tables too;
    such a table did not play the card in any sense that matters on a screen."""
    if play is None:
        return False
    return bool(
        state.table_size(table.id)
        or play.votes
        or play.tally is not None
        or play.choice is not None
        or play.notes
        or play.earlier
    )


def last_revealed(play: Play, options: int) -> tuple[list[int], int] | None:
    """The distribution and passes of a play's last revealed round, or None."""
    rounds = revealed_rounds(play)
    if not rounds or not options:
        return None
    return rounds[-1].distribution(options), rounds[-1].pass_count()


def entropy(counts: list[int]) -> float | None:
    """Normalised entropy of a distribution: 0 (all agree) to 1 (evenly spread); None if empty."""
    total = sum(counts)
    if total == 0 or len(counts) < 2:
        return None
    h = -sum((n / total) * math.log(n / total) for n in counts if n)
    return round(h / math.log(len(counts)), 3)


def majority(counts: list[int]) -> int | None:
    """The option most chosen, or None on a tie or without votes."""
    if not sum(counts):
        return None
    best = max(counts)
    return counts.index(best) if counts.count(best) == 1 else None


def _flags_during(table: Table, play: Play) -> int:
    """Calls for the facilitator made while `play` was the table's card."""
    index = table.plays.index(play)
    ends = table.plays[index + 1].started_at if index + 1 < len(table.plays) else math.inf
    return sum(1 for flag in table.flags if play.started_at <= flag.get("at", 0) < ends)


def card_summary(state: SessionState, card_id: str) -> dict[str, Any] | None:
    """One card of the board, or None if no table played it."""
    card = state.deck.card(card_id)
    if card is None:
        return None
    options = len(card.response.options)
    scale = card.response.kind == "scale"
    total, passes, tables, shifts, majorities = [0] * options, 0, [], [], []
    conclusions, notes, calls = [], 0, 0
    reasons: dict[int, list[dict[str, Any]]] = {i: [] for i in range(options)}
    reason_counts = [0] * options
    for table in state.tables:
        play = latest_play(table, card_id)
        if not played(state, table, play) or play is None:
            continue
        tables.append(table.id)
        result = last_revealed(play, options)
        if result is not None:
            counts, passed = result
            total = [a + b for a, b in zip(total, counts, strict=True)]
            passes += passed
            majorities.append(majority(counts))
        shift = play_shift(play, options, scale)
        if shift is not None:
            shifts.append(shift)
        if play.conclusion:
            member = state.members.get(play.conclusion["pid"])
            conclusions.append(
                {
                    "table": table.name,
                    "table_id": table.id,
                    "text": play.conclusion["text"],
                    "by": member.name if member else "",
                    "at": play.conclusion["at"],
                }
            )
        calls += _flags_during(table, play)
        for note in play.notes:
            if note.hidden:
                continue
            notes += 1
            if note.option is not None and 0 <= note.option < options:
                reason_counts[note.option] += 1
                if len(reasons[note.option]) < MAX_REASONS:
                    member = state.members.get(note.pid)
                    reasons[note.option].append(
                        {
                            "id": note.id,
                            "text": note.text,
                            "table": table.name,
                            "author": member.name if member else "",
                        }
                    )
    if not tables:
        return None
    voters = sum(total) + passes
    room = room_shift(shifts, options, scale)
    divided = entropy(total)
    room_majority = majority(total)
    decided = [m for m in majorities if m is not None]
    disagree = (
        round(sum(1 for m in decided if m != room_majority) / len(decided), 3)
        if decided and room_majority is not None
        else (1.0 if len(set(decided)) > 1 else 0.0 if decided else None)
    )
    followed = (room["changed"] + room["stayed"]) if room else 0
    moved = round(room["changed"] / followed, 3) if room and followed else None
    talk = options == 0
    score = None
    if not talk:
        score = round(
            WEIGHTS["divided"] * (divided or 0)
            + WEIGHTS["disagree"] * (disagree or 0)
            + WEIGHTS["moved"] * (moved or 0),
            3,
        )
    return {
        "card": {
            "id": card.id,
            "title": card.title,
            "options": list(card.response.options),
            "type": card.response.kind,
        },
        "talk": talk,
        "tables": len(tables),
        "votes": voters,
        "total": total,
        "passes": passes,
        "shares": [round(n / sum(total), 3) for n in total] if sum(total) else None,
        "divided": divided,
        "majorities": len(set(decided)),
        "disagree": disagree,
        "moved": moved,
        "shift": room,
        "notes": notes,
        "calls": calls,
        "conclusions": conclusions,
        "reasons": [
            {"option": i, "count": reason_counts[i], "notes": reasons[i]} for i in range(options)
        ],
        "score": score,
    }


def board(state: SessionState) -> list[dict[str, Any]]:
    """Every card played anywhere, best plenary material first: voted cards by score (then
    notes), talk cards after them by notes and conclusions."""
    # Only the cards some table got: summarising every card of the deck walked every table for
    # each card never dealt (28 cards for 3 played at 500 phones, 0.1 ms of CPU per vote).
    dealt = {play.card for table in state.tables for play in table.plays}
    cards = [
        summary
        for c in state.deck.cards
        if c.id in dealt and (summary := card_summary(state, c.id))
    ]
    return sorted(
        cards,
        key=lambda s: (
            s["talk"],
            -(s["score"] or 0),
            -(s["notes"] + len(s["conclusions"])),
            s["card"]["title"],
        ),
    )
