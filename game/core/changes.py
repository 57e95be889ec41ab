"""Which tables an applied event changes: what the shells must send again after it.

Pure functions of the session state and one event, shared by the hub (which tables are dirty for
the coalesced facilitator updates) and the Socket.IO shell (which tables' phones hear at once).
"""


def touched_tables(state, event):
    """Which tables' views an (already applied) event changes."""
    kind = event["type"]
    if kind == "evaluation_submitted":
        return set()  # anonymous answers: nothing for the table; the facilitator's summary changes
    if "table" in event:
        tables = {event["table"]}
        if kind == "participant_seated":
            tables |= {t for t in event.get("from", ()) if t is not None}
        return tables
    if kind == "votes_revealed":
        return set(event["tables"])
    if kind in ("card_dealt", "session_ended"):
        return {t.id for t in state.tables}
    if "pid" in event:
        member = state.members.get(event["pid"])
        if member is not None and member.table is not None:
            return {member.table}
    return set()


def history_touched(state, event):
    """The tables whose earlier cards an (already applied) event changed: a new card pushes the
    current one into the history; notes can be written, edited or hidden on earlier cards."""
    kind = event["type"]
    if kind in ("card_drawn", "card_dealt", "note_edited", "note_deleted", "note_hidden"):
        return touched_tables(state, event)
    if kind == "note_added":
        current = state.tables[event["table"]].current
        return set() if current is not None and current.card == event["card"] else {event["table"]}
    return set()
