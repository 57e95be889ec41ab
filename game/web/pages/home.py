"""HTTP routes everyone sees: the home page, facilitator sign-in and sign-out, liveness
(`/healthz`; readiness is `/readyz`, game/web/probes.py), and the error pages."""

import time
from datetime import datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ...errors import Unavailable
from ...storage.library import scan_decks
from ..language import gettext as _
from . import security

bp = Blueprint("web", __name__)


def init_app(app):
    """Register the blueprint, the error pages and the `has_endpoint` template helper."""
    app.register_blueprint(bp)
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.jinja_env.filters["datetime"] = _datetime
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(Unavailable, _unavailable_page)


def _datetime(timestamp):
    """A stored timestamp as local date and time, the way people read it on a list."""
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M") if timestamp else ""


def _error_page(error):
    """A plain, translated error page (or JSON for API callers) instead of a stack trace."""
    titles = {
        400: _("That request did not make sense."),
        403: _("You are not allowed to do that."),
        404: _("Not found."),
        405: _("That is not possible here."),
        413: _("That is too large."),
        429: _("Too many attempts. Wait a moment and try again."),
    }
    title = titles.get(error.code, _("Something went wrong."))
    detail = error.description if error.description and error.code in (400, 413, 429) else ""
    if request.path.startswith("/api/") or request.is_json:
        return {"ok": False, "error": detail or title}, error.code
    return render_template("error.html", title=title, detail=detail), error.code


def _unavailable_page(error):
    """503 while the store is away (or its disk full): it resolves by itself, so say so and ask
    the browser to try again (`Retry-After`), instead of a 500."""
    title = _("Saving is paused for a moment")
    detail = _("The server cannot reach its storage right now. This page tries again by itself.")
    retry = {"Retry-After": str(int(error.params.get("retry_after", 2)) or 1)}
    if request.path.startswith("/api/") or request.is_json:
        return {"ok": False, "code": error.code, "error": detail}, 503, retry
    page = render_template("error.html", title=title, detail=detail, retry=retry["Retry-After"])
    return page, 503, retry


@bp.get("/")
def home():
    """Join form for participants; decks and sessions for the facilitator."""
    decks, groups = [], []
    if security.is_host():
        decks = scan_decks(current_app.config["DECKS_DIR"])
        from .compare import runs_by_deck  # the sessions list grouped by deck

        groups = runs_by_deck()
    return render_template("home.html", decks=decks, groups=groups)


@bp.get("/healthz")
def health():
    """A cheap liveness check for load balancers and start-up scripts."""
    return {"ok": True}


@bp.route("/host", methods=["GET", "POST"])
def sign_in():
    """The facilitator signs in with the host key printed at start."""
    target = request.values.get("next") or url_for("web.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.home")
    if request.method == "POST":
        limiter = current_app.extensions["tafelronde.signin_limiter"]
        address, now = request.remote_addr or "?", time.monotonic()
        if limiter.blocked(address, now):
            flash(_("Too many attempts. Wait a moment and try again."))
            return render_template("sign_in.html", next=target), 429
        if security.check_host_key(request.form.get("key")):
            security.sign_in()
            return redirect(target)
        limiter.fail(address, now)
        flash(_("That key is not right. It was printed where Tafelronde was started."))
        return render_template("sign_in.html", next=target), 403
    return render_template("sign_in.html", next=target)


@bp.post("/host/sign-out")
def sign_out():
    """End this browser's facilitator sign-in, on the server too."""
    security.sign_out()
    return redirect(url_for("web.home"))
