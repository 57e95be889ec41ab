"""The results of a session as one plain structure (JSON data), made from the state and the clock.

Exports show what the facilitator may see, no more: a table's votes appear only once they were
revealed (before that, only how many are in), and votes are counted, never tied to a name.
"""

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from ...decks.model import Card
from ..features import care, dilemmas, evaluation, perspectives
from ..model import Flag, Note, Play, Proposal, Round, SessionState, Table
from ..plenary import board
from ..shift import play_shift, revealed_rounds
from ..views import conclusion_view

# Results are plain JSON data (what the exports are made of).
Data = dict[str, Any]
# The shell's translation: a message template and its parameters in, text out.
Translate = Callable[..., str]

FORMAT = "tafelronde-results/2"  # 2: rounds, the shift, reasons, conclusions, the board

# The statuses the exports spell out under a card (the others show the distribution).
REPORTED_STATUSES = ("skipped", "abandoned")


def iso(timestamp: float | None, tz: tzinfo = UTC) -> str | None:
    return (
        datetime.fromtimestamp(timestamp, tz).isoformat(timespec="seconds") if timestamp else None
    )


def _option(card: Card, index: int | None) -> str | None:
    options = card.response.options
    return options[index] if index is not None and 0 <= index < len(options) else None


def _note(state: SessionState, note: Note, card: Card, play: Play | None = None) -> Data:
    member = state.members.get(note.pid)
    return {
        # The perspective its author argued from on this card, if perspectives were dealt.
        "perspective": perspectives.label_of(state, play, note.pid) if play else None,
        "kind": note.kind,
        "author": member.name if member else "",
        "text": note.text,
        "at": note.at,
        "edited": note.edited,
        "hidden": note.hidden,
        # A reason for this option (its label), or None for a note that argues for none.
        "reason_for": _option(card, note.option),
    }


def _round(round_: Round, options: int) -> Data:
    """One revealed round of a play: its counts, passes and the late votes kept apart."""
    late = [0] * options
    for choice in round_.late.values():
        if 0 <= choice < options:
            late[choice] += 1
    return {
        "round": round_.number + 1,
        "distribution": round_.distribution(options),
        "passes": round_.pass_count(),
        "tally": round_.tally is not None,
        "late": late,
    }


def _play(state: SessionState, table: Table, play: Play, card: Card) -> Data:
    options = len(card.response.options)
    shown = play.revealed and not play.skipped and options
    return {
        "table": table.name,
        "table_id": table.id,
        "started_at": play.started_at,
        "dealt": play.dealt,
        "round": play.round,
        "revealed": play.revealed,
        # revealed / talking / skipped (by the table) / abandoned (moved on before a reveal)
        "status": care.status(table, play, talk=not options),
        "tally": play.tally is not None,  # the counts are a shared device's show of hands
        "votes_in": play.responses(),
        "distribution": play.distribution(options) if shown else None,
        "passes": play.pass_count() if shown else None,
        # Every revealed round, oldest first (the current one last if it was revealed).
        "rounds": [_round(r, options) for r in revealed_rounds(play)] if options else [],
        "shift": play_shift(play, options, card.response.kind == "scale"),
        "conclusion": conclusion_view(state, play),
        "choice": _option(card, play.choice),
        "notes": [_note(state, note, card, play) for note in play.notes],
        # How far the table got in the card's script: the step it was on, of how many.
        "steps": {"reached": play.step, "count": len(state.deck.steps_for(card))},
        # Each revealed round's votes counted by the perspective their voters argued from.
        "by_perspective": _by_perspective(state, play, options) if options else [],
    }


def _by_perspective(state: SessionState, play: Play, options: int) -> list[Data]:
    """Per revealed round, ``{perspective label: counts per option}`` (votes of phones only: a
    show of hands has no voters); empty when no perspectives were dealt on this play."""
    if not play.perspectives:
        return []
    rounds = []
    for round_ in revealed_rounds(play):
        counts: dict[str, list[int]] = {}
        for pid, choice in round_.votes.items():
            label = perspectives.label_of(state, play, pid)
            if label is not None and 0 <= choice < options:
                counts.setdefault(label, [0] * options)[choice] += 1
        rounds.append({"round": round_.number + 1, "counts": counts})
    return rounds


def _flag(state: SessionState, table: Table, flag: Flag) -> Data:
    """One call for the facilitator: why, when, who, and when it was cleared (if it was)."""
    member = state.members.get(flag["pid"])
    return {
        "reason": flag["reason"],
        "by": member.name if member else "",
        "at": flag["at"],
        "cleared_at": flag["cleared_at"],
    }


def results(state: SessionState, now: float) -> Data:
    """Everything a session produced, as plain data: the source of every export format.

    Cards appear in deck order, only those played somewhere; each has one entry per play (a
    table that played a card twice has two) and the total over all revealed plays.
    """
    cards = []
    for card in state.deck.cards:
        plays = [
            _play(state, table, play, card)
            for table in state.tables
            for play in table.plays
            if play.card == card.id
        ]
        if not plays:
            continue
        total = None
        if card.response.options:
            total = [0] * len(card.response.options)
            for play in plays:  # each table's last revealed round
                last = play["rounds"][-1]["distribution"] if play["rounds"] else ()
                for index, count in enumerate(last):
                    total[index] += count
        category = state.deck.category(card.category) if card.category else None
        cards.append(
            {
                "id": card.id,
                "from_room": dilemmas.find(state, card.id) is not None,
                "title": card.title,
                "category": category.label if category else None,
                "text": card.text,
                "response": card.response.kind,
                "statement": card.response.statement or None,
                "options": list(card.response.options),
                "total": total,
                "plays": plays,
            }
        )
    return {
        "format": FORMAT,
        "exported_at": now,
        "session": {
            "code": state.code,
            "name": state.settings.name,
            "deck": {
                "id": state.deck_id,
                "title": state.deck.title,
                "language": state.deck.language,
            },
            "created_at": state.created_at,
            "ended_at": state.ended_at,
            "seating": state.settings.seating,
            "flow": state.settings.flow,
            "people": len(state.members),
            # The programme: the cards chosen in order (None: the whole deck), openers, closers.
            "programme": state.settings.programme,
            "openers": state.settings.openers,
            "closers": state.settings.closers,
            "perspectives": state.settings.perspectives,
        },
        "tables": [
            {
                "id": table.id,
                "name": table.name,
                "members": [m.name for m in state.table_members(table.id)],
                "cards_played": len(table.plays),
                "devices": state.devices(table.id),
                "flags": [_flag(state, table, flag) for flag in table.flags],
            }
            for table in state.tables
        ],
        "cards": cards,
        # The plenary board: the played cards ranked by how divided the room is and how much
        # opinions moved (see game/core/plenary.py).
        "board": [
            {k: v for k, v in item.items() if k not in ("reasons",)} for item in board(state)
        ],
        # Anonymous, like everywhere; None until the session ended (see game/evaluation.py).
        "evaluation": evaluation.summary(state),
        # Dilemmas the tables wrote (features/dilemmas.py), dealt or not.
        "proposals": [_proposal(state, p) for p in state.proposals],
    }


def _proposal(state: SessionState, proposal: Proposal) -> Data:
    view = dilemmas.proposal_view(state, proposal)
    del view["table_name"]
    return {**view, "table": state.tables[proposal.table].name, "card": proposal.data}
