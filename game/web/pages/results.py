"""HTTP routes for a session's results: a print-ready report page and downloads.

Only the signed-in facilitator gets them, at any moment during or after the session. The content
comes from the pure `game.core.export` (via `Hub.results`); this module picks the language and the
local time zone, and names the downloaded files.
"""

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, render_template

from ...core import export
from ..language import gettext
from .security import require_host

results = Blueprint("results", __name__, url_prefix="/host/s/<code>")

# What each download is: (export format, MIME type, file name ending).
DOWNLOADS = {
    "results.md": ("md", "text/markdown; charset=utf-8", "report.md"),
    "votes.csv": ("votes-csv", "text/csv; charset=utf-8", "votes.csv"),
    "notes.csv": ("notes-csv", "text/csv; charset=utf-8", "notes.csv"),
    "results.json": ("json", "application/json", "results.json"),
}


def init_app(app):
    """Register the results blueprint."""
    app.register_blueprint(results)


def local_zone():
    """The server's time zone: the facilitator's laptop is usually the server."""
    return datetime.now().astimezone().tzinfo


def _results_of(code):
    data = current_app.extensions["tafelronde.hub"].results(code)
    if data is None:
        abort(404, description=gettext("There is no session with that code."))
    return data


@results.get("/report")
@require_host
def report(code):
    """The readable report as a page, styled for printing (or saving as PDF)."""
    data = _results_of(code)
    zone = local_zone()

    def when(timestamp):
        return datetime.fromtimestamp(timestamp, zone).strftime("%Y-%m-%d %H:%M")

    return render_template(
        "report.html",
        data=data,
        when=when,
        downloads=DOWNLOADS,
    )


@results.get("/<any('results.md', 'votes.csv', 'notes.csv', 'results.json'):name>")
@require_host
def download(code, name):
    """One export file, as an attachment named after the session and the day."""
    data = _results_of(code)
    fmt, mimetype, ending = DOWNLOADS[name]
    zone = local_zone()
    body = export.render(data, fmt, gettext, zone)
    if fmt.endswith("-csv"):
        body = "\ufeff" + body  # a byte-order mark, so spreadsheet programs read UTF-8 as such
    day = datetime.fromtimestamp(data["exported_at"], zone).strftime("%Y-%m-%d")
    filename = f"tafelronde-{data['session']['code']}-{day}-{ending}"
    response = Response(body, content_type=mimetype)  # the charset is in it already
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
