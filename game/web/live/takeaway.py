"""The takeaway page: once the session ended, a phone opens its table's page to keep (the cards
played, the reflections, the table's notes and conclusions), in the phone's language, readable
offline (the phone page's service worker keeps a copy) and printable (print or save as PDF in
the browser). The address holds the table's key (`features.takeaway`), which only that table's
phones are given; the page shows nothing of any other table.
"""

from flask import Blueprint, abort, current_app, render_template

from ...core.features import takeaway as offering
from ...core.takeaway import takeaway_view
from ...core.vocabulary import NOTE_KINDS, PLAY_STATUSES
from ..language import gettext as _

bp = Blueprint("takeaway", __name__)


def init_app(app):
    """Register the blueprint."""
    app.register_blueprint(bp)


@bp.get("/j/<code>/takeaway/<int:table>/<key>")
def page(code, table, key):
    """Table `table`'s takeaway of session `code`; 404 for a wrong code, table or key, and while
    it is not offered (before the end, or switched off by the facilitator)."""
    hub = current_app.extensions["tafelronde.hub"]
    live = hub.peek(code)
    if live is None or len(key) > 64:
        abort(404, description=_("There is no session with that code."))
    with live.lock:
        state = live.state
        if not 0 <= table < len(state.tables) or not offering.key_matches(state, table, key):
            abort(404, description=_("There is no session with that code."))
        if not offering.offered(state):
            abort(404, description=_("This page is not offered (yet)."))
        view = takeaway_view(state, table)
    response = current_app.make_response(
        render_template("takeaway.html", view=view, note_kinds=NOTE_KINDS, statuses=PLAY_STATUSES)
    )
    # Only this phone keeps it (and its service worker, for reading offline); never a shared cache.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"  # the key stays off other sites' logs
    return response
