"""HTTP routes of live sessions: create one, the facilitator's page, the phone page, the wall, QR.

Blueprints per audience: `host` (signed-in facilitator), `play` (phones, public), `wall`
(projector, with the session's read-only projector key).
"""

import hmac
import io
import time

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ...codes import normalise_code
from ...core.features.votes import MAX_ROUNDS
from ...core.rules import FACILITATOR, MAX_TABLES
from ...core.throttle import AttemptLimiter
from ...errors import GameError
from ...storage.library import deck_path, read_entry
from ..language import get_locale
from ..language import gettext as _
from ..pages.security import is_host, require_host
from ..serving import network
from . import programme_form

host = Blueprint("host", __name__, url_prefix="/host")
play = Blueprint("play", __name__)
wall = Blueprint("wall", __name__)


def init_app(app):
    """Register the three blueprints and the throttles for guessing codes and keys."""
    app.register_blueprint(host)
    app.register_blueprint(play)
    app.register_blueprint(wall)
    programme_form.init_app(app)
    app.extensions["tafelronde.join_limiter"] = AttemptLimiter(limit=30, window=600)
    app.extensions["tafelronde.signin_limiter"] = AttemptLimiter(limit=10, window=300)


def _hub():
    return current_app.extensions["tafelronde.hub"]


def _live_or_404(code):
    live = _hub().peek(code)
    if live is None:
        abort(404, description=_("There is no session with that code."))
    return live


def public_base_url():
    """The address phones should open (see `game.web.serving.network`): PUBLIC_URL, or the LAN address
    when the server listens everywhere, or the address this request came in on."""
    config = current_app.config
    finder = current_app.extensions.get("tafelronde.lan_addresses", network.lan_addresses)
    return network.base_url(request.host_url, config["HOST"], config["PUBLIC_URL"], finder)


def join_url(code):
    """The link printed under the QR code."""
    return f"{public_base_url()}/j/{code}"


# --- facilitator -------------------------------------------------------------------------------


def _entry(slug):
    """The deck `slug` of the decks folder, read and validated (None if there is no such file)."""
    path = deck_path(current_app.config["DECKS_DIR"], slug)
    return read_entry(path) if path is not None and path.is_file() else None


@host.get("/new")
@require_host
def new_session():
    """The form to start a session from a deck."""
    entry = _entry(request.args.get("deck", ""))
    if entry is None or entry.deck is None:
        abort(404, description=_("That deck does not exist or is not valid."))
    return _new_form(entry, programme_form.remembered(entry.slug), [])


def _new_form(entry, form, errors):
    """The new-session form for `entry`, filled in from `form` (posted, remembered or empty)."""
    cards, minutes = programme_form.form_cards(entry.deck, form)
    return render_template(
        "host_new.html",
        entry=entry,
        errors=errors,
        form=form,
        fresh=not form,
        cards=cards,
        minutes=minutes,
        minutes_text=programme_form.minutes_text(minutes, _),
        about_templates=programme_form.about_templates(),
        perspectives=programme_form.has_perspectives(entry.deck),
        last=_hub().last_evaluation(entry.slug),
    )


def _int(form, key, default, low, high):
    try:
        value = int(form.get(key, default))
    except (TypeError, ValueError):
        raise ValueError(key) from None
    if not low <= value <= high:
        raise ValueError(key)
    return value


def _tables_from(form, language):
    """A table count or a list of names from the form (`ValueError` names the bad field)."""
    mode = form.get("tables_mode", "count")
    if mode == "names":
        names = [line.strip() for line in form.get("table_names", "").splitlines() if line.strip()]
        if not names:
            raise ValueError("table_names")
        return names, None
    if mode == "groups":
        return 1, _int(form, "group_size", 4, 2, 20)
    return _int(form, "table_count", 4, 1, 60), None


def _devices_from(form):
    """The `devices` choice of the form as ``(session default, table ids sharing one device)``
    (`ValueError` names the bad field)."""
    mode = form.get("devices", "personal")
    if mode in ("personal", "shared"):
        return mode, []
    if mode != "mixed":
        raise ValueError("devices")
    words = form.get("shared_tables", "").replace(",", " ").split()
    try:
        numbers = sorted({int(word) for word in words})
    except ValueError:
        raise ValueError("shared_tables") from None
    if not numbers or not all(1 <= n <= MAX_TABLES for n in numbers):
        raise ValueError("shared_tables")
    return "personal", [n - 1 for n in numbers]


def _set_devices(live, default, shared):
    """Record the form's device choice as the facilitator's first commands of the session."""
    hub = _hub()
    if default != "personal":
        hub.command(live, FACILITATOR, "set_devices", {"devices": default})
    for table_id in shared:
        hub.command(live, FACILITATOR, "set_devices", {"devices": "shared", "table": table_id})


@host.post("/sessions")
@require_host
def create_session():
    """Create a session from the form and open the facilitator's view."""
    form = request.form
    entry = _entry(form.get("deck", ""))
    if entry is None or entry.deck is None:
        abort(404, description=_("That deck does not exist or is not valid."))
    errors = []
    try:
        tables, group_size = _tables_from(form, entry.deck.language)
    except ValueError as bad:
        errors.append(_("Check the tables: %(field)s is not valid.", field=str(bad)))
        tables, group_size = 1, None
    try:
        devices, shared = _devices_from(form)
    except ValueError as bad:
        errors.append(_("Check the phones: %(field)s is not valid.", field=str(bad)))
        devices, shared = "personal", []
    try:
        programme = programme_form.programme_from(form, entry.deck)
    except ValueError as bad:
        errors.append(_("Check the cards: %(field)s is not valid.", field=str(bad)))
        programme = {}
    count = len(tables) if isinstance(tables, list) else tables
    if shared and max(shared) >= count and not errors:
        errors.append(_("Check the phones: %(field)s is not valid.", field="shared_tables"))
    try:
        rounds = _int(form, "rounds", 1, 1, MAX_ROUNDS) if form.get("rounds") else None
    except ValueError as bad:
        errors.append(_("Check the rounds: %(field)s is not valid.", field=str(bad)))
        rounds = None
    seating = form.get("seating", "choose")
    if group_size:
        seating = "balance"  # groups of N are formed by placing people as they arrive
    if not errors:
        try:
            live = _hub().create(
                deck_id=entry.slug,
                deck=entry.deck,
                tables=tables,
                seating=seating,
                flow=form.get("flow", "draw"),
                names_required=form.get("names_required") == "on",
                group_size=group_size,
                max_note_chars=current_app.config["MAX_NOTE_CHARS"],
                max_name_chars=current_app.config["MAX_NAME_CHARS"],
                same_order=form.get("same_order") == "on",
                rounds=rounds,
                language=get_locale(),
                **programme,
            )
        except GameError as error:
            errors.append(_(error.message, **error.params))
        else:
            _set_devices(live, devices, shared)
            _hub().done_creating(live)
            programme_form.remember(entry.slug, form)
            return redirect(url_for("host.session_view", code=live.code))
    return _new_form(entry, form, errors), 400


@host.get("/s/<code>")
@require_host
def session_view(code):
    """The facilitator's live view of one session."""
    live = _live_or_404(code)
    return render_template(
        "host_session.html",
        code=live.code,
        name=live.state.settings.name,
        deck_title=live.state.deck.title,
        join_url=join_url(live.code),
        qr_url=url_for("play.qr", code=live.code),
        wall_url=url_for("wall.projector", code=live.code, k=live.projector_key),
        ended=live.state.ended,
    )


@host.post("/s/<code>/delete")
@require_host
def delete_session(code):
    """Delete a session and everything recorded in it (privacy)."""
    live = _live_or_404(code)
    _hub().delete(live.code)
    flash(_("Session %(code)s and all its data were deleted.", code=live.code))
    return redirect(url_for("web.home"))


# --- phones ------------------------------------------------------------------------------------


@play.get("/join")
def join_by_code():
    """The home page's code form: normalise the typed code and go to the session."""
    limiter = current_app.extensions["tafelronde.join_limiter"]
    address = request.remote_addr or "?"
    now = time.monotonic()
    if limiter.blocked(address, now):
        abort(429, description=_("Too many wrong codes. Wait a few minutes and try again."))
    typed = request.args.get("code", "")
    code = normalise_code(typed)
    if code is None or _hub().peek(code) is None:
        limiter.fail(address, now)
        return render_template("join_unknown.html", typed=typed[:20]), 404
    return redirect(url_for("play.phone", code=code))


def _guessed_live(code, key=None):
    """The session a public page names, or None; unknown codes count as this address's guesses.

    A blocked address gets 429 whether the code exists or not, so it learns nothing, unless it
    shows more than a code: the facilitator's sign-in, or (for the wall) the projector key.
    With `key`, a wrong projector key counts as a guess too.
    """
    limiter = current_app.extensions["tafelronde.join_limiter"]
    address, now = request.remote_addr or "?", time.monotonic()
    live = _hub().peek(code)
    key_ok = key is not None and _projector_key_ok(live, key)
    if limiter.blocked(address, now) and not key_ok and not is_host():
        abort(429, description=_("Too many wrong codes. Wait a few minutes and try again."))
    if live is None or (key is not None and not key_ok):
        limiter.fail(address, now)
    return live


def _projector_key_ok(live, key):
    return live is not None and hmac.compare_digest(key.encode(), live.projector_key.encode())


@play.get("/j/<code>")
def phone(code):
    """The phone page of a session."""
    normal = normalise_code(code)
    if normal is not None and normal != code:
        return redirect(url_for("play.phone", code=normal))
    live = _guessed_live(code)
    if live is None:
        return render_template("join_unknown.html", typed=code[:20]), 404
    return render_template(
        "play.html",
        code=live.code,
        deck_title=live.state.deck.title,
        deck_language=live.state.deck.language,
    )


@play.get("/s/<code>/qr.svg")
def qr(code):
    """The QR code of the join link, drawn here (no third-party service)."""
    live = _guessed_live(code)
    if live is None:
        abort(404, description=_("There is no session with that code."))
    buffer = io.BytesIO()
    segno.make(join_url(live.code), error="m").save(
        buffer, kind="svg", scale=10, border=2, dark="#1c2623", light="#ffffff", xmldecl=False
    )
    response = current_app.response_class(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# --- projector ---------------------------------------------------------------------------------


@wall.get("/wall/<code>")
def projector(code):
    """The projector page; the key in the link is the only thing that opens it."""
    key = request.args.get("k", "")
    live = _guessed_live(code, key)
    if not _projector_key_ok(live, key):  # no such session, or not its key: the same answer
        abort(403)
    return render_template(
        "wall.html",
        code=live.code,
        projector_key=key,
        join_url=join_url(live.code),
        qr_url=url_for("play.qr", code=live.code),
        deck_title=live.state.deck.title,
    )
