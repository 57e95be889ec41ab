"""What the deck editor's API and its files routes (print, spreadsheets) share: the deck store
of the app, the one error shape, a deck text checked for the editor, and creating a checked deck.
"""

import contextlib

from flask import current_app, jsonify, url_for

from ...decks.deck import DeckError, load_deck_text
from ...decks.yamlsafe import YamlRefused, read_yaml
from ...storage.deckfiles import MAX_UPLOAD_BYTES, DeckStore, Exists, check_new_slug, slug_from
from ...storage.library import scan_decks
from ..language import gettext as _
from ..language import translator

STORE = "tafelronde.deckstore"


def init_app(app):
    """Keep one `DeckStore` (and its lock) on the app."""
    app.extensions[STORE] = DeckStore(app.config["DECKS_DIR"])


def deck_store():
    return current_app.extensions[STORE]


def problem_json(problem, source=None):
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


def checked(text, source):
    """What the editor needs to know about `text`: its data, problems, and whether it is valid."""
    try:
        load_deck_text(text, source)
        problems = []
    except DeckError as error:
        problems = [problem_json(p, source) for p in error.problems]
    data = None  # without readable YAML the YAML view still works; the form needs data
    if len(text) <= MAX_UPLOAD_BYTES:
        with contextlib.suppress(YamlRefused):
            data = read_yaml(text).data
    return {"text": text, "data": data, "problems": problems, "valid": not problems}


def create_checked(name, text):
    """Store checked deck `text` as the new deck `name` (409 with a free name if it is taken)."""
    try:
        revision = deck_store().create(check_new_slug(name), text)
    except Exists:
        return fail(_("A deck with this name exists already."), 409, suggestion=free_slug(name))
    return created(name, revision)


def fail(message, status, problems=(), **extra):
    """The one error shape of the editor's API."""
    body = {"ok": False, "error": message, "problems": list(problems), **extra}
    return jsonify(body), status


def created(slug, revision):
    """The answer to creating a deck: where it lives now."""
    return {"ok": True, "slug": slug, "revision": revision, "urls": deck_urls(slug)}, 201


def free_slug(base):
    """`base`, or `base-2`, `base-3`... whichever no deck uses yet."""
    base = slug_from(base)
    taken = {entry.slug for entry in scan_decks(deck_store().root)}
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def deck_urls(slug):
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
