"""Comparing runs of a deck (facilitator only): a page and CSV / JSON downloads, and the
sessions list of the home page grouped by deck.

The comparison itself is pure (`game.core.compare`); this module finds the sessions, reads past
ones from the store without keeping them in memory, and keeps a small summary per session (its
tables and evaluation), recomputed only when the session's log grew.
"""

from flask import Blueprint, Response, abort, current_app, render_template, request

from ...codes import normalise_code
from ...core import compare as comparing
from ...core import export
from ...core.registry import replay
from ..language import gettext as _
from .security import require_host

bp = Blueprint("compare", __name__, url_prefix="/host")

MAX_RUNS = 12  # columns a page can still show side by side


def init_app(app):
    """Register the blueprint and the summaries' cache (on the app, never a module global)."""
    app.register_blueprint(bp)
    app.extensions["tafelronde.run_summaries"] = {}


def _hub():
    return current_app.extensions["tafelronde.hub"]


def _state(code):
    """The session's state: the live copy if this process holds it, else replayed from the log
    (the old session is not kept in memory)."""
    hub = _hub()
    live = hub.sessions.get(code)
    if live is not None:
        with live.lock:
            return export.results(live.state, hub.clock())
    events = hub.store.load(code)
    return export.results(replay(events), hub.clock()) if events else None


def _summary(row):
    """Tables and the evaluation's average of one stored session, cached per log length."""
    cache = current_app.extensions["tafelronde.run_summaries"]
    count = _hub().store.event_count(row["code"])
    cached = cache.get(row["code"])
    if cached is None or cached[0] != count:
        data = _state(row["code"])
        summary = data["evaluation"] if data else None
        cached = cache[row["code"]] = (
            count,
            {
                "name": data["session"].get("name", "") if data else "",
                "tables": len(data["tables"]) if data else 0,
                "answers": summary["answers"] if summary else 0,
                "useful_average": summary["useful_average"] if summary else None,
            },
        )
    return {**row, **cached[1]}


def runs_by_deck():
    """Every stored session grouped by deck (decks by their newest session; sessions newest
    first), each with its date, people, tables and the evaluation's average."""
    groups = {}
    for row in _hub().store.sessions():
        group = groups.setdefault(
            row["deck_id"], {"deck_id": row["deck_id"], "deck_title": row["deck_title"], "runs": []}
        )
        group["runs"].append(_summary(row))
    return list(groups.values())


def _comparison():
    """The comparison the query asks for: ``?deck=<id>&s=CODE&s=CODE...`` (400/404 if not)."""
    deck_id = request.args.get("deck", "")
    codes = list(dict.fromkeys(normalise_code(c) for c in request.args.getlist("s")))
    if None in codes:
        abort(400, description=_("That is not a session code."))
    if not comparing.MIN_RUNS <= len(codes) <= MAX_RUNS:
        abort(400, description=_("Choose 2 to %(max)d sessions to compare.", max=MAX_RUNS))
    rows = {row["code"]: row for row in _hub().store.sessions()}
    results = []
    for code in codes:
        row = rows.get(code)
        if row is None or row["deck_id"] != deck_id:
            abort(404, description=_("There is no session %(code)s of this deck.", code=code))
        results.append(_state(code))
    return comparing.compare(results)


@bp.get("/compare")
@require_host
def page():
    """Choose runs of a deck (``?deck=<id>``), and see them compared (with ``&s=...``)."""
    deck_id = request.args.get("deck", "")
    group = next((g for g in runs_by_deck() if g["deck_id"] == deck_id), None)
    if group is None:
        abort(404, description=_("No sessions of that deck were found."))
    comparison = _comparison() if request.args.getlist("s") else None
    chosen = set(request.args.getlist("s"))
    return render_template("compare.html", group=group, comparison=comparison, chosen=chosen)


@bp.get("/compare.<any(csv, json):fmt>")
@require_host
def download(fmt):
    """The comparison as CSV (UTF-8 with BOM, one row per card, run and option) or JSON."""
    comparison = _comparison()
    if fmt == "csv":
        body, mimetype = "\ufeff" + comparing.to_csv(comparison), "text/csv; charset=utf-8"
    else:
        body, mimetype = comparing.to_json(comparison), "application/json"
    response = Response(body, content_type=mimetype)  # the charset is in it already
    name = f"tafelronde-compare-{comparison['deck']['id']}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
