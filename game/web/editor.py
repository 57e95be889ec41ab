"""The deck editor over HTTP: the library and editor pages, and their JSON API.

Only a signed-in facilitator (organiser) may use it: pages send others to sign in
(`security.require_host`), the API answers 403 (`_guard`). Storage is `game.storage.deckfiles`, form edits are written into the YAML by
`game.decks.roundtrip`, and every text is checked by `game.decks.deck.load_deck_text`, the same validator as
``flask decks validate`` and live sessions. Every error is ``{"ok": false, "error", "problems"}``.
"""

import contextlib
import logging
import re
import time
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from ..decks.deck import SCALE_LABELS, DeckError, DeckProblem, load_deck_text
from ..decks.messages import Message
from ..decks.roundtrip import FormDataError, apply_form
from ..decks.sheetfiles import is_sheet_name
from ..decks.versions import changes
from ..decks.yamlsafe import YamlRefused, read_yaml
from ..errors import N_
from ..storage.deckfiles import (
    MAX_UPLOAD_BYTES,
    Conflict,
    DeckStore,
    Exists,
    StoreError,
    check_new_slug,
    slug_from,
    unified_diff,
)
from ..storage.library import scan_decks
from . import security
from .i18n import gettext as _
from .i18n import translator

bp = Blueprint("editor", __name__)
log = logging.getLogger(__name__)
STORE = "tafelronde.deckstore"


def init_app(app):
    """Register the blueprint and keep one `DeckStore` (and its lock) on the app."""
    app.extensions[STORE] = DeckStore(app.config["DECKS_DIR"])
    app.register_blueprint(bp)
    from . import deck_files

    deck_files.init_app(app)


def _store():
    return current_app.extensions[STORE]


@bp.before_request
def _guard():
    """The API needs the host sign-in and says so in JSON (pages use `require_host`)."""
    if request.path.startswith("/api/") and not security.is_host():
        return _fail(_("Sign in with the facilitator key first."), 403)
    return None


# -- pages ----------------------------------------------------------------------------------------


@bp.get("/decks")
@security.require_host
def library():
    """Every deck with its state, the trash, and buttons to create or upload one."""
    return render_template(
        "decks.html",
        decks=[_entry_summary(entry) for entry in scan_decks(_store().root)],
        trash=[_trash_summary(entry) for entry in _store().trash()],
    )


@bp.get("/decks/<slug>/edit")
@security.require_host
def edit(slug):
    """The editor: form and YAML views of one deck, with its preview and history."""
    text, revision = _store().read(slug)
    start = {
        "slug": slug,
        "revision": revision,
        **_checked(text, slug),
        "scale_labels": SCALE_LABELS,
        "urls": _deck_urls(slug),
    }
    return render_template("deck_edit.html", slug=slug, start=start)


# -- checking -------------------------------------------------------------------------------------


def _problem_json(problem, source=None):
    """A `DeckProblem` as JSON, its message in the request's language.

    `where` is the problem's place as people read it (``deck.yaml:3:5``, ``Cards!C12``).
    """
    path = [p if isinstance(p, int | str) else str(p) for p in problem.path]
    body = {
        "path": path,
        "message": problem.text(translator()),
        "line": problem.line,
        "column": problem.column,
    }
    if problem.place:
        body["where"] = problem.place
    elif source and problem.line:
        body["where"] = f"{source}:{problem.line}:{problem.column}"
    return body


def _checked(text, source):
    """What the editor needs to know about `text`: its data, problems, and whether it is valid."""
    try:
        load_deck_text(text, source)
        problems = []
    except DeckError as error:
        problems = [_problem_json(p, source) for p in error.problems]
    data = None  # without readable YAML the YAML view still works; the form needs data
    if len(text) <= MAX_UPLOAD_BYTES:
        with contextlib.suppress(YamlRefused):
            data = read_yaml(text).data
    return {"text": text, "data": data, "problems": problems, "valid": not problems}


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
    return {"ok": True, **_checked(_produced(_payload()), source)}


# -- one deck -------------------------------------------------------------------------------------


@bp.get("/api/decks/<slug>")
def read(slug):
    """The deck's text, data, problems and revision."""
    text, revision = _store().read(slug)
    return {"ok": True, "slug": slug, "revision": revision, **_checked(text, slug)}


@bp.put("/api/decks/<slug>")
def save(slug):
    """Save a valid deck if nobody saved it since `base_revision` (else 409); 422 if invalid."""
    payload = _payload()
    text = _produced(payload)
    checked = _checked(text, slug)
    if not checked["valid"]:
        return _fail(_("The deck has problems, so it was not saved."), 422, checked["problems"])
    return _save(slug, checked, payload.get("base_revision"))


@bp.get("/api/decks/<slug>/download")
def download(slug):
    """The deck file as it is on disk, as an attachment."""
    text, _revision = _store().read(slug)
    response = current_app.response_class(text, mimetype="application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.yaml"'
    return response


@bp.get("/api/decks/<slug>/history")
def history(slug):
    """Earlier versions of the deck, newest first."""
    versions = [
        {"id": v.id, "saved": _iso(v.saved), "replaced": _iso(v.replaced), "size": v.size}
        for v in _store().history(slug)
    ]
    return {"ok": True, "versions": versions}


@bp.get("/api/decks/<slug>/history/<version>")
def version(slug, version):
    """One earlier version, what changed since in words (`changes`), and a diff to the deck now."""
    old = _store().version_text(slug, version)
    current, _revision = _store().read(slug)
    diff = unified_diff(old, current, _("that version"), _("now"))
    return {"ok": True, "id": version, "text": old, "diff": diff, "changes": changes(old, current)}


@bp.post("/api/decks/<slug>/history/<version>/restore")
def restore_version(slug, version):
    """Make an earlier version current again (the current one goes to the history)."""
    text = _store().version_text(slug, version)
    checked = _checked(text, slug)
    if not checked["valid"]:
        message = _("This version has problems, so it cannot be restored as it is.")
        return _fail(message, 422, checked["problems"])
    return _save(slug, checked, _payload().get("base_revision"))


def _save(slug, checked, base_revision):
    """Save checked text; a conflict answers 409 with the other version and a diff to this one."""
    try:
        revision = _store().save(slug, checked["text"], base_revision)
    except Conflict as conflict:
        theirs = conflict.details["current_text"]
        diff = unified_diff(theirs, checked["text"], _("saved by someone else"), _("yours"))
        return _fail(
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
    return {"ok": True, "decks": [_entry_summary(e) for e in scan_decks(_store().root)]}


@bp.post("/api/decks")
def create():
    """A new deck from the short template, named after its title unless `slug` is given."""
    payload = _payload()
    title = str(payload.get("title") or "").strip() or _("New deck")
    language = str(payload.get("language") or "en").strip().lower()
    slug = payload.get("slug") or _free_slug(f"{title}.{language}")
    text = new_deck_text(title, language)
    checked = _checked(text, slug)
    if not checked["valid"]:
        return _fail(_("The deck has problems, so it was not saved."), 422, checked["problems"])
    revision = _store().create(slug, text)
    return _created(slug, revision)


@bp.post("/api/decks/<slug>/duplicate")
def duplicate(slug):
    """A copy of the deck under a new name, its title marked as a copy."""
    text, _revision = _store().read(slug)
    # "talk.en" becomes "talk-copy.en": the language stays at the end of the name.
    new_slug = _payload().get("slug") or _free_slug(
        re.sub(r"(\.[a-z]{2})?$", r"-copy\1", slug, count=1)
    )
    original = _checked(text, slug)
    if original["valid"]:
        # Two decks with one title would be hard to tell apart on the home page.
        title = _("%(title)s (copy)", title=original["data"]["title"].strip())
        copy = apply_form(text, {**original["data"], "title": title})
        if _checked(copy, new_slug)["valid"]:
            text = copy
    return _created(new_slug, _store().create(new_slug, text))


@bp.post("/api/decks/<slug>/rename")
def rename(slug):
    """Give the deck a new file name (its history moves along)."""
    new_slug = _store().rename(slug, _payload().get("slug"))
    return {"ok": True, "slug": new_slug, "urls": _deck_urls(new_slug)}


@bp.delete("/api/decks/<slug>")
def delete(slug):
    """Move the deck (and its history) to the trash."""
    entry = _store().delete(slug)
    return {"ok": True, "trash": _trash_summary(entry)}


@bp.get("/api/trash")
def trash():
    """Deleted decks that can be restored."""
    return {"ok": True, "trash": [_trash_summary(e) for e in _store().trash()]}


@bp.post("/api/trash/<entry>/restore")
def restore_from_trash(entry):
    """Bring a deleted deck back, under its old name or a new `slug`."""
    slug = _store().restore_from_trash(entry, _payload().get("slug"))
    return {"ok": True, "slug": slug, "urls": _deck_urls(slug)}


@bp.post("/api/upload")
def upload():
    """Add a deck from an uploaded YAML file; refused unless it is valid (and small, and safe)."""
    started = time.perf_counter()
    file = request.files.get("file")
    if file is None:
        return _fail(_("Choose a YAML file to upload."), 400)
    if is_sheet_name(file.filename or ""):
        from .deck_files import import_sheet

        return import_sheet()  # a spreadsheet: converted, checked, and stored only if valid
    raw = file.stream.read(MAX_UPLOAD_BYTES + 1)  # never more than the limit is read
    if len(raw) > MAX_UPLOAD_BYTES:
        return _fail(_("This file is larger than 1 MB."), 413)
    name = request.form.get("slug") or slug_from(file.filename or "deck")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problem = DeckProblem((), Message(N_("the file is not UTF-8 text; save it as UTF-8")))
        return _fail(_("This file is not a valid deck."), 422, [_problem_json(problem)])
    checked = _checked(text, file.filename or name)
    if not checked["valid"]:
        log.info("refused upload %r in %.1f ms", file.filename, _ms(started))
        return _fail(_("This file is not a valid deck."), 422, checked["problems"])
    return create_checked(name, text)


def create_checked(name, text):
    """Store checked deck `text` as the new deck `name` (409 with a free name if it is taken)."""
    try:
        revision = _store().create(check_new_slug(name), text)
    except Exists:
        return _fail(_("A deck with this name exists already."), 409, suggestion=_free_slug(name))
    return _created(name, revision)


# -- helpers --------------------------------------------------------------------------------------


@bp.errorhandler(StoreError)
def _store_error(error):
    """Storage refusals (no such deck, name taken, too large...) as the one error shape."""
    if not request.path.startswith("/api/"):
        page = render_template("error.html", title=_(error.message), detail="")
        return page, error.status
    return _fail(_(error.message), error.status)


def _fail(message, status, problems=(), **extra):
    """The one error shape of the editor's API."""
    body = {"ok": False, "error": message, "problems": list(problems), **extra}
    return jsonify(body), status


def _created(slug, revision):
    """The answer to creating a deck: where it lives now."""
    return {"ok": True, "slug": slug, "revision": revision, "urls": _deck_urls(slug)}, 201


def _free_slug(base):
    """`base`, or `base-2`, `base-3`... whichever no deck uses yet."""
    base = slug_from(base)
    taken = {entry.slug for entry in scan_decks(_store().root)}
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _deck_urls(slug):
    """The addresses the browser needs for one deck."""
    return {
        "edit": url_for("editor.edit", slug=slug),
        "api": url_for("editor.read", slug=slug),
        "download": url_for("editor.download", slug=slug),
        "history": url_for("editor.history", slug=slug),
        "print": url_for("deck_files.print_cards", slug=slug),
        "csv": url_for("deck_files.export", slug=slug, kind="csv"),
        "xlsx": url_for("deck_files.export", slug=slug, kind="xlsx"),
        "sheet_preview": url_for("deck_files.preview"),
    }


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
        "urls": _deck_urls(entry.slug),
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
