"""The deck editor over HTTP: the library and editor pages, and their JSON API.

Only a signed-in facilitator (organiser) may use it: pages send others to sign in
(`security.require_host`), the API answers 403 (`_guard`). Storage is `game.storage.deckfiles`, form edits are written into the YAML by
`game.decks.roundtrip`, and every text is checked by `game.decks.deck.load_deck_text`, the same validator as
``flask decks validate`` and live sessions. Every error is ``{"ok": false, "error", "problems"}``.
"""

import logging
import re
import time
from datetime import UTC, datetime

from flask import Blueprint, current_app, render_template, request

from ...decks.deck import SCALE_LABELS, DeckProblem
from ...decks.messages import Message
from ...decks.roundtrip import FormDataError, apply_form
from ...decks.sheetfiles import is_sheet_name
from ...decks.versions import changes
from ...errors import N_
from ...storage.deckfiles import (
    MAX_UPLOAD_BYTES,
    Conflict,
    StoreError,
    slug_from,
    unified_diff,
)
from ...storage.library import scan_decks
from ..language import gettext as _
from ..language import translator
from ..pages import security
from . import files, shared
from .shared import checked as check_text
from .shared import create_checked, created, deck_store, deck_urls, fail, free_slug, problem_json

bp = Blueprint("editor", __name__)
log = logging.getLogger(__name__)


def init_app(app):
    """Keep one `DeckStore` on the app and register the editor's blueprint."""
    shared.init_app(app)
    app.register_blueprint(bp)


@bp.before_request
def _guard():
    """The API needs the host sign-in and says so in JSON (pages use `require_host`)."""
    if request.path.startswith("/api/") and not security.is_host():
        return fail(_("Sign in with the facilitator key first."), 403)
    return None


# -- pages ----------------------------------------------------------------------------------------


@bp.get("/decks")
@security.require_host
def library():
    """Every deck with its state, the trash, and buttons to create or upload one."""
    return render_template(
        "decks.html",
        decks=[_entry_summary(entry) for entry in scan_decks(deck_store().root)],
        trash=[_trash_summary(entry) for entry in deck_store().trash()],
    )


@bp.get("/decks/<slug>/edit")
@security.require_host
def edit(slug):
    """The editor: form and YAML views of one deck, with its preview and history."""
    text, revision = deck_store().read(slug)
    start = {
        "slug": slug,
        "revision": revision,
        **check_text(text, slug),
        "scale_labels": SCALE_LABELS,
        "urls": deck_urls(slug),
    }
    return render_template("deck_edit.html", slug=slug, start=start)


# -- checking -------------------------------------------------------------------------------------


def _produced(payload):
    """The YAML text a request asks for: `text` as typed, or `data` from the form applied on it."""
    text = payload.get("text")
    if not isinstance(text, str):
        raise StoreError("Send the deck as `text`.")
    if "data" not in payload:
        return text
    try:
        return apply_form(text, payload["data"], payload.get("origins"))
    except FormDataError as error:
        raise StoreError(str(error)) from None  # translated by _store_error


def _payload():
    """The JSON body of the request, as a dict."""
    payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else {}


@bp.post("/api/check")
def check():
    """Validate a deck without saving it (the editor calls this as the organiser types)."""
    source = str(_payload().get("slug") or "<deck>")
    return {"ok": True, **check_text(_produced(_payload()), source)}


# -- one deck -------------------------------------------------------------------------------------


@bp.get("/api/decks/<slug>")
def read(slug):
    """The deck's text, data, problems and revision."""
    text, revision = deck_store().read(slug)
    return {"ok": True, "slug": slug, "revision": revision, **check_text(text, slug)}


@bp.put("/api/decks/<slug>")
def save(slug):
    """Save a valid deck if nobody saved it since `base_revision` (else 409); 422 if invalid."""
    payload = _payload()
    text = _produced(payload)
    checked = check_text(text, slug)
    if not checked["valid"]:
        return fail(_("The deck has problems, so it was not saved."), 422, checked["problems"])
    return _save(slug, checked, payload.get("base_revision"))


@bp.get("/api/decks/<slug>/download")
def download(slug):
    """The deck file as it is on disk, as an attachment."""
    text, _revision = deck_store().read(slug)
    response = current_app.response_class(text, mimetype="application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.yaml"'
    return response


@bp.get("/api/decks/<slug>/history")
def history(slug):
    """Earlier versions of the deck, newest first."""
    versions = [
        {"id": v.id, "saved": _iso(v.saved), "replaced": _iso(v.replaced), "size": v.size}
        for v in deck_store().history(slug)
    ]
    return {"ok": True, "versions": versions}


@bp.get("/api/decks/<slug>/history/<version>")
def version(slug, version):
    """One earlier version, what changed since in words (`changes`), and a diff to the deck now."""
    old = deck_store().version_text(slug, version)
    current, _revision = deck_store().read(slug)
    diff = unified_diff(old, current, _("that version"), _("now"))
    return {"ok": True, "id": version, "text": old, "diff": diff, "changes": changes(old, current)}


@bp.post("/api/decks/<slug>/history/<version>/restore")
def restore_version(slug, version):
    """Make an earlier version current again (the current one goes to the history)."""
    text = deck_store().version_text(slug, version)
    checked = check_text(text, slug)
    if not checked["valid"]:
        message = _("This version has problems, so it cannot be restored as it is.")
        return fail(message, 422, checked["problems"])
    return _save(slug, checked, _payload().get("base_revision"))


def _save(slug, checked, base_revision):
    """Save checked text; a conflict answers 409 with the other version and a diff to this one."""
    try:
        revision = deck_store().save(slug, checked["text"], base_revision)
    except Conflict as conflict:
        theirs = conflict.details["current_text"]
        diff = unified_diff(theirs, checked["text"], _("saved by someone else"), _("yours"))
        return fail(
            _(conflict.message),
            409,
            current_revision=conflict.details["current_revision"],
            diff=diff,
        )
    return {"ok": True, "slug": slug, "revision": revision, **checked}


# -- the library ----------------------------------------------------------------------------------


@bp.get("/api/decks")
def list_decks():
    """Every deck with title, language, cards, last change and whether it is valid."""
    return {"ok": True, "decks": [_entry_summary(e) for e in scan_decks(deck_store().root)]}


@bp.post("/api/decks")
def create():
    """A new deck from the short template, named after its title unless `slug` is given."""
    payload = _payload()
    title = str(payload.get("title") or "").strip() or _("New deck")
    language = str(payload.get("language") or "en").strip().lower()
    slug = payload.get("slug") or free_slug(f"{title}.{language}")
    text = new_deck_text(title, language)
    checked = check_text(text, slug)
    if not checked["valid"]:
        return fail(_("The deck has problems, so it was not saved."), 422, checked["problems"])
    revision = deck_store().create(slug, text)
    return created(slug, revision)


@bp.post("/api/decks/<slug>/duplicate")
def duplicate(slug):
    """A copy of the deck under a new name, its title marked as a copy."""
    text, _revision = deck_store().read(slug)
    # "talk.en" becomes "talk-copy.en": the language stays at the end of the name.
    new_slug = _payload().get("slug") or free_slug(
        re.sub(r"(\.[a-z]{2})?$", r"-copy\1", slug, count=1)
    )
    original = check_text(text, slug)
    if original["valid"]:
        # Two decks with one title would be hard to tell apart on the home page.
        title = _("%(title)s (copy)", title=original["data"]["title"].strip())
        copy = apply_form(text, {**original["data"], "title": title})
        if check_text(copy, new_slug)["valid"]:
            text = copy
    return created(new_slug, deck_store().create(new_slug, text))


@bp.post("/api/decks/<slug>/rename")
def rename(slug):
    """Give the deck a new file name (its history moves along)."""
    new_slug = deck_store().rename(slug, _payload().get("slug"))
    return {"ok": True, "slug": new_slug, "urls": deck_urls(new_slug)}


@bp.delete("/api/decks/<slug>")
def delete(slug):
    """Move the deck (and its history) to the trash."""
    entry = deck_store().delete(slug)
    return {"ok": True, "trash": _trash_summary(entry)}


@bp.get("/api/trash")
def trash():
    """Deleted decks that can be restored."""
    return {"ok": True, "trash": [_trash_summary(e) for e in deck_store().trash()]}


@bp.post("/api/trash/<entry>/restore")
def restore_from_trash(entry):
    """Bring a deleted deck back, under its old name or a new `slug`."""
    slug = deck_store().restore_from_trash(entry, _payload().get("slug"))
    return {"ok": True, "slug": slug, "urls": deck_urls(slug)}


@bp.post("/api/upload")
def upload():
    """Add a deck from an uploaded YAML file; refused unless it is valid (and small, and safe)."""
    started = time.perf_counter()
    file = request.files.get("file")
    if file is None:
        return fail(_("Choose a YAML file to upload."), 400)
    if is_sheet_name(file.filename or ""):
        return files.import_sheet()  # a spreadsheet: converted, checked, and stored only if valid
    raw = file.stream.read(MAX_UPLOAD_BYTES + 1)  # never more than the limit is read
    if len(raw) > MAX_UPLOAD_BYTES:
        return fail(_("This file is larger than 1 MB."), 413)
    name = request.form.get("slug") or slug_from(file.filename or "deck")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problem = DeckProblem((), Message(N_("the file is not UTF-8 text; save it as UTF-8")))
        return fail(_("This file is not a valid deck."), 422, [problem_json(problem)])
    checked = check_text(text, file.filename or name)
    if not checked["valid"]:
        log.info("refused upload %r in %.1f ms", file.filename, _ms(started))
        return fail(_("This file is not a valid deck."), 422, checked["problems"])
    return create_checked(name, text)


# -- helpers --------------------------------------------------------------------------------------


@bp.errorhandler(StoreError)
def _store_error(error):
    """Storage refusals (no such deck, name taken, too large...) as the one error shape."""
    if not request.path.startswith("/api/"):
        page = render_template("error.html", title=_(error.message), detail="")
        return page, error.status
    return fail(_(error.message), error.status)


def _entry_summary(entry):
    """A `decklib.DeckEntry` for the library."""
    deck = entry.deck
    return {
        "slug": entry.slug,
        "title": deck.title if deck else None,
        "language": deck.language if deck else None,
        "cards": len(deck.cards) if deck else None,
        "modified": _iso(datetime.fromtimestamp(entry.modified, UTC)),
        "valid": deck is not None,
        "problems": [p.line_for(str(entry.path), translator()) for p in entry.problems],
        "urls": deck_urls(entry.slug),
    }


def _trash_summary(entry):
    """A `deckstore.TrashEntry` for the library."""
    return {"id": entry.id, "slug": entry.slug, "deleted": _iso(entry.deleted)}


def _iso(moment):
    """A time as ISO 8601 in UTC; the browser shows it in local time."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _ms(started):
    return (time.perf_counter() - started) * 1000


def new_deck_text(title, language):
    """The short template a new deck starts from, in the deck's language where we have one."""
    sample = NEW_DECK_SAMPLES.get(language, NEW_DECK_SAMPLES["en"])
    card = {
        "id": "first-dilemma",
        "title": sample["card_title"],
        "text": sample["card_text"],
        "response": {"type": "choice", "options": sample["options"]},
        "prompts": [sample["prompt"]],
    }
    data = {"title": title, "language": language, "description": sample["description"]}
    header = f"# yaml-language-server: $schema=schema.json\n#\n# {sample['comment']}\n\n"
    # Written by ruamel.yaml, so any title an organiser types is quoted as YAML needs.
    return header + apply_form("", {**data, "cards": [card]})


NEW_DECK_SAMPLES = {
    "en": {
        "comment": "A new deck. The format is explained in docs/decks.md.",
        "description": "Who plays this deck, and what it is for.",
        "card_title": "The first dilemma",
        "card_text": "Describe a situation in two to four sentences. End with the question.",
        "options": ["One way to go", "Another way to go"],
        "prompt": "What would you do, and why?",
    },
    "nl": {
        "comment": "Een nieuw kaartspel. Het formaat staat beschreven in docs/decks.md.",
        "description": "Wie dit spel speelt, en waarvoor.",
        "card_title": "Het eerste dilemma",
        "card_text": "Beschrijf een situatie in twee tot vier zinnen. Eindig met de vraag.",
        "options": ["De ene kant op", "De andere kant op"],
        "prompt": "Wat zou jij doen, en waarom?",
    },
}
