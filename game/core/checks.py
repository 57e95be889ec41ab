"""Checks shared by the core's command handlers (rules, care, evaluation): the fields of a
payload, and whether the sender may act on its table's current card right now.

Each returns the cleaned value (or what it looked up) or raises a `GameError` with a message
people can act on.
"""

import re

from ..errors import N_, InvalidInput, NotFound, OutOfTurn

# Bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): typed
# into a name or note they reorder the text around them ("Bea \u202egnp.exe" reads "Bea exe.png").
# Nobody needs them to write Dutch, English, Arabic or Hebrew; the browser orders those itself.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def field(payload, key, kind, required=True):
    """`payload[key]` if it is a `kind` (None when missing and not `required`)."""
    value = payload.get(key)
    if value is None and not required:
        return None
    # bool is an int in Python; a vote of `true` is not a vote for option 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field=key)
    return value


def text(payload, key, limit, required=True):
    """`payload[key]` as stripped text of at most `limit` characters ("" when optional).

    Bidirectional control characters are removed first, so no typed text can reorder the page
    or an export around it.
    """
    value = field(payload, key, str, required)
    if value is None:
        return ""
    value = BIDI_CONTROLS.sub("", value).strip()
    if required and not value:
        raise InvalidInput(N_("`%(field)s` is empty."), field=key)
    if len(value) > limit:
        raise InvalidInput(N_("That text is too long: at most %(limit)d characters."), limit=limit)
    return value


# --- who may act on which card (the rules' and care's commands) --------------------------------


def not_paused(state):
    """Refuse table commands while the facilitator has paused the session."""
    if state.paused:
        raise OutOfTurn(N_("The session is paused."))


def member(state, pid):
    """The session's member `pid`; `NotFound` when that phone is not (or no longer) in it."""
    found = state.members.get(pid)
    if found is None:
        raise NotFound(N_("You are not part of this session. Join again."))
    return found


def seated(state, actor):
    """The actor's member and table; refused until the actor has taken a seat."""
    found = member(state, actor.pid)
    if found.table is None:
        raise OutOfTurn(N_("Take a seat at a table first."))
    return found, state.tables[found.table]


def current(table):
    """The play of the card on the table now; refused before the first card is drawn or dealt."""
    if table.current is None:
        raise OutOfTurn(N_("No card has been drawn at this table yet."))
    return table.current


def card_mismatch(play, payload):
    """True when the phone says which card it acts on and that is not the current card."""
    card = payload.get("card")
    return card is not None and card != play.card


def everyone_present_voted(state, table_id, voted):
    """True when every connected member of the table is in `voted` (a pass is an answer)."""
    present = [m.pid for m in state.table_members(table_id) if m.connected]
    return bool(present) and all(pid in voted for pid in present)
