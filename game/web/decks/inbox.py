"""The deck editor's inbox: the dilemmas tables wrote during sessions ("from session …, table
…"), for the organiser to edit and add to a deck, or set aside.

Adding goes the ordinary way: the card is written into the deck's YAML (comments kept,
`game.decks.roundtrip`), the whole deck is checked by the one validator (problems with their
places, in the page's language), and saved by the deck store, which keeps the previous version
in the deck's history. The session then records where the proposal went (`file_dilemma`), so
the inbox shows each proposal once. Past sessions are read from the store, a summary kept per
session and recomputed only when its log grew.
"""

import re
import unicodedata

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ...core.command import FACILITATOR
from ...core.registry import replay
from ...decks.deck import ID_PATTERN, OPTIONS_MAX
from ...decks.roundtrip import FormDataError, apply_form
from ...errors import GameError
from ...storage.deckfiles import Conflict, StoreError
from ...storage.library import scan_decks
from ..language import gettext as _
from ..pages.security import require_host
from .shared import checked, deck_store

bp = Blueprint("inbox", __name__)
CACHE = "tafelronde.inbox"


def init_app(app):
    """Register the blueprint and the per-session cache (on the app, never a module global)."""
    app.register_blueprint(bp)
    app.extensions[CACHE] = {}


def _hub():
    return current_app.extensions["tafelronde.hub"]


def _proposals_of(row):
    """The proposals of one stored session, each with where it came from; cached per log length."""
    cache = current_app.extensions[CACHE]
    hub = _hub()
    count = hub.store.event_count(row["code"])
    cached = cache.get(row["code"])
    if cached is None or cached[0] != count:
        live = hub.sessions.get(row["code"])
        if live is not None:
            with live.lock:
                found = _from_state(live.state)
        else:
            events = hub.store.load(row["code"])
            found = _from_state(replay(events)) if events else []
        cached = cache[row["code"]] = (count, found)
    return cached[1]


def _from_state(state):
    """Every proposal of a session as the inbox lists it."""
    return [
        {
            "code": state.code,
            "session_name": state.settings.name,
            "deck_id": state.deck_id,
            "deck_title": state.deck.title,
            "table": state.tables[p.table].name,
            "proposal": p.id,
            "at": p.at,
            "card": p.data,
            "dealt": p.dealt,
            "filed": p.filed,
        }
        for p in state.proposals
    ]


def waiting():
    """The proposals nobody filed yet, newest session first."""
    found = []
    for row in _hub().store.sessions():
        found += [p for p in _proposals_of(row) if p["filed"] is None]
    return found


@bp.get("/decks/inbox")
@require_host
def page():
    """Every proposal waiting, each with a form to add it to a deck or set it aside."""
    return _page(waiting(), {}, {})


def _page(items, problems, sent):
    """The inbox page: `problems` and `sent` (the form as posted) by ``code/proposal``."""
    decks = [e for e in scan_decks(deck_store().root) if e.deck is not None]
    by_slug = {e.slug: e.deck for e in decks}
    items = [dict(item) for item in items]  # the cached ones stay as they are
    for item in items:
        item["target"] = item["deck_id"] if item["deck_id"] in by_slug else None
        item["suggested_id"] = suggested_id(item, by_slug.get(item["target"]))
    return render_template("inbox.html", items=items, decks=decks, problems=problems, sent=sent)


@bp.post("/decks/inbox/<code>/<proposal>")
@require_host
def file(code, proposal):
    """Add the proposal (as edited in the form) to the chosen deck, or set it aside."""
    item = next((p for p in waiting() if (p["code"], p["proposal"]) == (code, proposal)), None)
    if item is None:
        flash(_("That proposal is not in the inbox (any more)."))
        return redirect(url_for("inbox.page"))
    if request.form.get("action") == "aside":
        _record(code, proposal, "")
        flash(_("The dilemma was set aside."))
        return redirect(url_for("inbox.page"))
    slug = request.form.get("deck", "")
    problems = _add(slug, _card_from(request.form))
    if problems:
        key = f"{code}/{proposal}"
        return _page(waiting(), {key: problems}, {key: request.form}), 422
    _record(code, proposal, slug)
    flash(_("The dilemma was added to the deck %(deck)s.", deck=slug))
    return redirect(url_for("inbox.page"))


def _card_from(form):
    """The card the form describes, in the deck format (options one per line)."""
    options = [line.strip() for line in form.get("options", "").splitlines() if line.strip()]
    card = {
        "id": form.get("id", "").strip(),
        "title": form.get("title", "").strip(),
        "text": form.get("text", "").strip(),
    }
    if options:
        card["response"] = {"type": "choice", "options": options[: OPTIONS_MAX + 1]}
    else:
        card["response"] = {"type": "open"}
    return card


def _add(slug, card):
    """Write `card` at the end of deck `slug` and save it if the deck stays valid; the problems
    (as `where: message` lines) otherwise."""
    try:
        text, revision = deck_store().read(slug)
    except StoreError as error:
        return [_(error.message)]
    data = checked(text, slug)["data"]
    if not isinstance(data, dict) or not isinstance(data.get("cards"), list):
        return [_("That deck cannot be edited in the form; open it in the editor.")]
    try:
        new_text = apply_form(text, {**data, "cards": [*data["cards"], card]})
    except FormDataError as error:
        return [str(error)]
    result = checked(new_text, f"{slug}.yaml")
    if not result["valid"]:
        return [f"{p.get('where') or slug}: {p['message']}" for p in result["problems"]]
    try:
        deck_store().save(slug, new_text, revision)  # the previous version goes to the history
    except Conflict as conflict:
        return [_(conflict.message)]
    return []


def _record(code, proposal, deck):
    """Tell the session where the proposal went (`file_dilemma`), so the inbox lists it no more."""
    hub = _hub()
    live = hub.get(code)
    if live is None:
        return
    try:
        hub.command(live, FACILITATOR, "file_dilemma", {"proposal": proposal, "deck": deck})
    except GameError as error:
        flash(_(error.message, **error.params))


def suggested_id(item, deck):
    """A card id for the proposal that the deck does not use yet: its title as an id."""
    title = unicodedata.normalize("NFKD", str(item["card"].get("title", "")).lower())
    title = "".join(ch for ch in title if not unicodedata.combining(ch))
    base = re.sub(r"[^a-z0-9]+", "-", title).strip("-")[:50]
    base = base.strip("-") or "room-dilemma"
    taken = {card.id for card in deck.cards} if deck is not None else set()
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    assert re.match(ID_PATTERN, candidate)
    return candidate
