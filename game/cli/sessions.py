"""Stored sessions from the command line, and the retention purge.

``flask --app app sessions list``, ``sessions purge [--days N]``, ``sessions delete CODE`` and
``sessions export CODE [--format md|votes-csv|notes-csv|json]``.

Retention (``RETENTION_DAYS`` = N; 0 keeps everything): a session is purged when it *ended* more
than N days ago, or when it never ended and was *created* more than 2 × N days ago (a session
someone forgot to end). `python app.py` purges at start and then once a day while it runs.
Purging is deleting: the session, its people, votes, notes and client ids, with nothing left in
the database file (see `Store.delete`).
"""

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from ..codes import normalise_code
from ..core import export
from ..web.serving.retention import purge_expired

sessions = AppGroup("sessions", help="List, purge and delete stored sessions.")


def init_app(app):
    """Register the ``sessions`` command group."""
    app.cli.add_command(sessions)


def _when(timestamp):
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


@sessions.command("list")
def list_command():
    """List stored sessions, newest first: code, state, started, ended, people, deck."""
    rows = current_app.extensions["tafelronde.hub"].store.sessions()
    if not rows:
        click.echo("No sessions stored.")
    for row in rows:
        state = "ended" if row["ended_at"] is not None else "running"
        click.echo(
            f"{row['code']}  {state:7}  started {_when(row['created_at'])}  "
            f"ended {_when(row['ended_at'])}  {row['people']} people  {row['deck_title']}"
        )


@sessions.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Purge sessions ended more than DAYS days ago (or started 2 x DAYS ago and never "
    "ended). Default: RETENTION_DAYS.",
)
def purge_command(days):
    """Delete sessions past retention, with everything recorded in them."""
    if days is None and not current_app.config["RETENTION_DAYS"]:
        click.echo("Retention is off (RETENTION_DAYS = 0); give --days to purge anyway.")
        return
    codes = purge_expired(current_app, days=days)
    click.echo(f"Purged {len(codes)} session(s){': ' + ' '.join(codes) if codes else '.'}")


@sessions.command("delete")
@click.argument("code")
def delete_command(code):
    """Delete one session (by its join code) and everything recorded in it."""
    hub = current_app.extensions["tafelronde.hub"]
    normal = normalise_code(code)
    if normal is None or not hub.store.exists(normal):
        click.echo(f"No session with code {code!r}.", err=True)
        raise click.exceptions.Exit(1)
    hub.delete(normal)
    click.echo(f"Deleted session {normal} and all its data.")


@sessions.command("export")
@click.argument("code")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(export.FORMATS),
    default="md",
    show_default=True,
    help="md: the readable report; votes-csv / notes-csv: a spreadsheet; json: everything.",
)
def export_command(code, fmt):
    """Print a session's results (the same files the facilitator downloads)."""
    from ..web.language import gettext
    from ..web.pages.results import local_zone

    data = current_app.extensions["tafelronde.hub"].results(code)
    if data is None:
        click.echo(f"No session with code {code!r}.", err=True)
        raise click.exceptions.Exit(1)
    click.echo(export.render(data, fmt, gettext, local_zone()), nl=False)
