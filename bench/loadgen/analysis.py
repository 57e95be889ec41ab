"""From what the clients recorded to figures: visibility and acknowledgement latencies,
percentiles, updates per event and dropped connections. Pure functions, no I/O."""

import math


def percentiles(values):
    """count, p50, p90, p99, max and mean of `values` (seconds), or just the count when empty."""
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(fraction):
        # Nearest rank: the smallest value with at least `fraction` of all values at or below it.
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    return {
        "n": len(ordered),
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": ordered[-1],
        "mean": sum(ordered) / len(ordered),
    }


def visibility_latencies(commands, updates):
    """Seconds from sending each vote (note) until the facilitator's view provably shows it.

    Votes: the facilitator sees only a count per table, and the server applies a table's votes in
    an order the phones cannot see. The count that surely includes vote v is U = the number of
    accepted votes at v's table sent before v's acknowledgement arrived (every vote applied before
    v was sent before v was acknowledged). v is visible at the first `host_updated` at or after
    its sending whose table shows votes_in >= U for that card. This never reports a vote earlier
    than it was visible; it can report it later only when votes of one table overlap in flight.
    Notes are exact: the acknowledgement names the note, the view lists note ids.
    Returns (vote latencies, note latencies, votes never seen, notes never seen).
    """
    by_table = {}
    for arrived, table, card, votes, notes in updates:
        by_table.setdefault((table, card), []).append((arrived, votes, notes))
    votes = [c for c in commands if c.kind == "vote" and c.ok]
    sent_by_table = {}
    for vote in votes:
        sent_by_table.setdefault((vote.table, vote.card), []).append(vote.sent)
    for times in sent_by_table.values():
        times.sort()
    vote_lat, note_lat, vote_missing, note_missing = [], [], 0, 0
    for vote in votes:
        sent = sent_by_table[(vote.table, vote.card)]
        needed = _count_le(sent, vote.acked)
        seen = next(
            (
                t
                for t, n, _ in by_table.get((vote.table, vote.card), ())
                if t >= vote.sent and n >= needed
            ),
            None,
        )
        if seen is None:
            vote_missing += 1
        else:
            vote_lat.append(seen - vote.sent)
    for note in (c for c in commands if c.kind == "note" and c.ok and c.note):
        seen = next(
            (
                t
                for t, _, ids in by_table.get((note.table, note.card), ())
                if t >= note.sent and note.note in ids
            ),
            None,
        )
        if seen is None:
            note_missing += 1
        else:
            note_lat.append(seen - note.sent)
    return vote_lat, note_lat, vote_missing, note_missing


def _count_le(sorted_times, limit):
    """How many of `sorted_times` are <= `limit` (binary search)."""
    low, high = 0, len(sorted_times)
    while low < high:
        middle = (low + high) // 2
        if sorted_times[middle] <= limit:
            low = middle + 1
        else:
            high = middle
    return low


def count_by_event(phones):
    """Updates the phones received so far, per event name."""
    totals = {}
    for phone in phones:
        for event, count in phone.by_event.items():
            totals[event] = totals.get(event, 0) + count
    return totals


def dropped_connections(phones, rounds_start):
    """Phones whose connection ended before the end of the run: when, and the reasons given."""
    dropped = [p.dropped for p in phones if p.dropped is not None]
    reasons = {}
    for _, reason in dropped:
        reasons[reason] = reasons.get(reason, 0) + 1
    return {
        "before_rounds": sum(1 for t, _ in dropped if t < rounds_start),
        "during_rounds": sum(1 for t, _ in dropped if t >= rounds_start),
        "reasons": reasons,
    }


def ack_figures(commands, kind):
    """Acknowledgement latencies of one kind of command, and how many were lost or refused."""
    mine = [c for c in commands if c.kind == kind]
    ok = [c.acked - c.sent for c in mine if c.ok]
    errors = {}
    for c in mine:
        if not c.ok:
            errors[c.error] = errors.get(c.error, 0) + 1
    return {
        "sent": len(mine),
        "ok": len(ok),
        "lost_or_refused": len(mine) - len(ok),
        "errors": errors,
        "latency": percentiles(ok),
        # The slowest few: one far slower than the p99 points at a single unlucky command.
        "slowest": sorted(ok)[-5:][::-1],
    }
