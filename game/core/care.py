"""Care at the table, and tables that share one device: the commands, their events, and how
those events change the state.

Dilemmas can touch people, so a table may skip its card (`skip_card`), a participant may pass
on a vote (`pass_vote`: counted apart from the options, and it counts as an answer, so a reveal
never waits for someone who would rather not say), and any member may call the facilitator over
(`flag_table`, reason need help / sensitive / done) until the facilitator clears the call
(`clear_flag`; the table then sees that its call was seen) or the table withdraws it
(`withdraw_flag`).

A table whose people share one device (`devices: shared`, per table or for the session, see
`set_devices`) records the table's show of hands as counts per option (`record_tally`): the
tally stands for that table's votes everywhere, marked as a tally.

Pure like the rest of the core; `game/core/rules.py` registers these commands.
"""

from ..errors import N_, Forbidden, InvalidInput, NotFound, OutOfTurn
from .checks import card_mismatch, current, everyone_present_voted, field, not_paused, seated

FLAG_REASONS = ("need_help", "sensitive", "done")
DEVICE_MODES = ("personal", "shared")
MAX_HANDS = 500  # per option in a tally: more than a table, less than a typo of 10000


# --- looking things up (small on purpose: the rules import this module) ------------------------


def _open_play(state, actor, payload):
    """The seated actor's table and its current card's play (`card`, if sent, must match)."""
    not_paused(state)
    member, table = seated(state, actor)
    play = current(table)
    if card_mismatch(play, payload):
        raise OutOfTurn(N_("The table has moved on to another card."))
    return member, table, play


def refuse_skipped(play):
    """Votes, reveals and choices are refused on a card the table skipped."""
    if play.skipped:
        raise OutOfTurn(N_("Your table skipped this card."))


def status(table, play):
    """How a play of a card stands: 'revealed', 'talking' (still the table's card, votes
    secret), 'skipped' (the table chose to), or 'abandoned' (the table moved on before a reveal)."""
    if play.skipped:
        return "skipped"
    if play.revealed:
        return "revealed"
    return "talking" if play is table.current else "abandoned"


# --- participant commands ----------------------------------------------------------------------


def skip_card(state, actor, payload, now):
    """``{"card"?}``: the table does not play its current card (before its votes are revealed)."""
    _, table, play = _open_play(state, actor, payload)
    if play.skipped:
        return []
    if play.revealed:
        raise OutOfTurn(N_("The votes are already revealed; go on to the next card instead."))
    return [{"type": "card_skipped", "table": table.id, "pid": actor.pid, "card": play.card}]


def pass_vote(state, actor, payload, now):
    """``{"card"?}``: answer the vote without choosing; replaces one's vote of this round."""
    member, table, play = _open_play(state, actor, payload)
    refuse_skipped(play)
    if not state.deck.card(play.card).response.options:
        raise OutOfTurn(N_("This card has no vote; add a note instead."))
    if member.pid in play.passes:
        return []
    events = [
        {
            "type": "vote_passed",
            "table": table.id,
            "pid": member.pid,
            "card": play.card,
            "round": play.round,
        }
    ]
    answered = set(play.votes) | play.passes | {member.pid}
    if not play.revealed and everyone_present_voted(state, table.id, answered):
        events.append({"type": "votes_revealed", "tables": [table.id], "auto": True})
    return events


def flag_table(state, actor, payload, now):
    """``{"reason": "need_help" | "sensitive" | "done"}``: call the facilitator to the table."""
    not_paused(state)
    _, table = seated(state, actor)
    reason = payload.get("reason")
    if reason not in FLAG_REASONS:
        raise InvalidInput(N_("Choose why you call the facilitator."))
    flag = current_flag(table)
    if flag is not None and flag["reason"] == reason:
        return []  # already called for that reason: one call, not a queue of them
    return [{"type": "table_flagged", "table": table.id, "pid": actor.pid, "reason": reason}]


def withdraw_flag(state, actor, payload, now):
    """``{}``: the table no longer needs the facilitator (its open call is withdrawn)."""
    _, table = seated(state, actor)
    if current_flag(table) is None:
        return []
    return [{"type": "flag_withdrawn", "table": table.id, "pid": actor.pid}]


def record_tally(state, actor, payload, now):
    """``{"counts": [n per option], "passes"?: n, "card"?}``: a shared device's show of hands."""
    _, table, play = _open_play(state, actor, payload)
    if state.devices(table.id) != "shared":
        raise Forbidden(N_("At this table everyone votes on their own phone."))
    refuse_skipped(play)
    options = len(state.deck.card(play.card).response.options)
    if not options:
        raise OutOfTurn(N_("This card has no vote; add a note instead."))
    counts = payload.get("counts")
    if not isinstance(counts, list) or len(counts) != options or not all(_hands(n) for n in counts):
        raise InvalidInput(N_("Give a number of hands (0 to 500) for every option."))
    passes = field(payload, "passes", int, required=False) or 0
    if not _hands(passes):
        raise InvalidInput(N_("Give a number of hands (0 to 500) for every option."))
    if not sum(counts) + passes:
        raise InvalidInput(N_("Count at least one hand."))
    if play.tally == counts and play.tally_passes == passes:
        return []
    return [
        {
            "type": "tally_recorded",
            "table": table.id,
            "card": play.card,
            "round": play.round,
            "counts": list(counts),
            "passes": passes,
        }
    ]


def _hands(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_HANDS


# --- facilitator commands ----------------------------------------------------------------------


def _table_of(state, payload):
    table_id = payload.get("table")
    if not isinstance(table_id, int) or isinstance(table_id, bool):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="table")
    if not 0 <= table_id < len(state.tables):
        raise NotFound(N_("There is no such table."))
    return state.tables[table_id]


def clear_flag(state, actor, payload, now):
    """``{"table": 0}``: the facilitator has seen (or answered) the table's call."""
    table = _table_of(state, payload)
    return [{"type": "flag_cleared", "table": table.id}] if current_flag(table) else []


def set_devices(state, actor, payload, now):
    """``{"devices": "personal" | "shared", "table"?: 0}``: one table, or the whole session
    (every table, and tables added later)."""
    devices = payload.get("devices")
    if devices not in DEVICE_MODES:
        raise InvalidInput(N_("Devices are 'personal' or 'shared'."))
    if payload.get("table") is not None:
        table = _table_of(state, payload)
        if state.devices(table.id) == devices:
            return []
        return [{"type": "devices_set", "table": table.id, "devices": devices}]
    events = []
    if state.settings.devices != devices:
        events.append({"type": "default_devices_set", "devices": devices})
    for table in state.tables:
        if table.devices is not None or state.settings.devices != devices:
            events.append({"type": "devices_set", "table": table.id, "devices": devices})
    return events


PARTICIPANT_COMMANDS = {
    "skip_card": skip_card,
    "pass_vote": pass_vote,
    "flag_table": flag_table,
    "withdraw_flag": withdraw_flag,
    "record_tally": record_tally,
}
FACILITATOR_COMMANDS = {"clear_flag": clear_flag, "set_devices": set_devices}


# --- the state ---------------------------------------------------------------------------------


def current_flag(table):
    """The table's open call for the facilitator, or None."""
    if table.flags and table.flags[-1]["cleared_at"] is None:
        return table.flags[-1]
    return None


def seen_flag(table):
    """The table's last call once the facilitator cleared it, while that card is on the table
    (so the phones can say it was seen); None otherwise."""
    if not table.flags or table.flags[-1]["cleared_at"] is None:
        return None
    flag, play = table.flags[-1], table.current
    if flag.get("withdrawn") or (play is not None and play.started_at > flag["cleared_at"]):
        return None
    return flag


def _card_skipped(state, e):
    state.tables[e["table"]].current.skipped = True


def _vote_passed(state, e):
    play = state.tables[e["table"]].current
    play.votes.pop(e["pid"], None)
    play.passes.add(e["pid"])


def _table_flagged(state, e):
    table = state.tables[e["table"]]
    flag = current_flag(table)
    if flag is not None:
        flag["cleared_at"] = e["at"]  # a new reason replaces the open call
    table.flags.append({"reason": e["reason"], "pid": e["pid"], "at": e["at"], "cleared_at": None})


def _flag_cleared(state, e):
    flag = current_flag(state.tables[e["table"]])
    if flag is not None:
        flag["cleared_at"] = e["at"]
        flag["seen"] = True


def _flag_withdrawn(state, e):
    flag = current_flag(state.tables[e["table"]])
    if flag is not None:
        flag["cleared_at"] = e["at"]
        flag["withdrawn"] = True


def _tally_recorded(state, e):
    play = state.tables[e["table"]].current
    play.tally = list(e["counts"])
    play.tally_passes = e["passes"]
    play.revealed = True  # a show of hands is seen by everyone at the table


def _devices_set(state, e):
    state.tables[e["table"]].devices = e["devices"]


def _default_devices_set(state, e):
    state.settings.devices = e["devices"]


APPLY = {
    "card_skipped": _card_skipped,
    "vote_passed": _vote_passed,
    "table_flagged": _table_flagged,
    "flag_cleared": _flag_cleared,
    "flag_withdrawn": _flag_withdrawn,
    "tally_recorded": _tally_recorded,
    "devices_set": _devices_set,
    "default_devices_set": _default_devices_set,
}
