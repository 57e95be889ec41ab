"""Retention: stored sessions past their time are deleted, at start and once a day.

Retention (``RETENTION_DAYS`` = N; 0 keeps everything): a session is purged when it *ended* more
than N days ago, or when it never ended and was *created* more than 2 × N days ago (a session
someone forgot to end). Purging is deleting: the session, its people, votes, notes and client
ids, with nothing left in the database file (see `Store.delete`). ``flask sessions purge`` runs
the same purge by hand (`game.cli.sessions`).
"""

import logging

DAY = 24 * 3600

log = logging.getLogger("tafelronde.retention")


def expired_codes(stored, days, now):
    """Codes of the sessions in `stored` (``Store.sessions()`` rows) that retention removes."""
    if not days or days <= 0:
        return []
    ended_before = now - days * DAY
    created_before = now - 2 * days * DAY
    return [
        row["code"]
        for row in stored
        if (row["ended_at"] is not None and row["ended_at"] < ended_before)
        or (row["ended_at"] is None and row["created_at"] < created_before)
    ]


def purge_expired(app, days=None, now=None):
    """Delete every session past retention (default: the app's RETENTION_DAYS); their codes."""
    days = app.config["RETENTION_DAYS"] if days is None else days
    hub = app.extensions["tafelronde.hub"]
    codes = expired_codes(hub.store.sessions(), days, hub.clock() if now is None else now)
    for code in codes:
        hub.delete(code)
    return codes


def start_retention(app, socketio):
    """Purge now (returns the line to print), then once a day in the background while serving."""
    days = app.config["RETENTION_DAYS"]
    if not days or days <= 0:
        return "Retention: off (RETENTION_DAYS = 0): sessions are kept until deleted."
    purged = purge_expired(app)

    def daily():
        while True:
            socketio.sleep(DAY)
            try:
                with app.app_context():
                    count = len(purge_expired(app))
                log.info("retention purged %d session(s)", count)
            except Exception:  # a failed purge must not stop the next one; it is logged
                log.exception("retention purge failed")

    socketio.start_background_task(daily)
    return (
        f"Retention: {days} days; purged {len(purged)} old session(s) "
        f"(ended more than {days} days ago, or started more than {2 * days} days ago)."
    )
