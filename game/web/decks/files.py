"""Decks as files for organisers: print as cards, spreadsheets (CSV, XLSX) in and out.

Routes for signed-in organisers only, beside the editor (`game.web.decks.editor`), with its error shape.
The spreadsheet format and its limits are `game.decks.sheets` and `game.decks.sheetfiles`; an
imported spreadsheet becomes YAML and is checked by the one validator like any deck text.
`print_page` renders the printable cards; `flask decks print` uses it to make a PDF.
"""

import io

import segno
from flask import Blueprint, current_app, render_template, request

from ...decks.deck import DeckError, load_deck_text
from ...decks.roundtrip import apply_form
from ...decks.sheetfiles import (
    CSV_TYPE,
    MAX_SHEET_BYTES,
    XLSX_TYPE,
    deck_from_file,
    deck_to_csv,
    deck_to_xlsx,
    template_deck,
)
from ...storage.deckfiles import slug_from
from ..language import get_locale, gettext
from ..pages import security
from . import shared

bp = Blueprint("deck_files", __name__)
PER_SHEET = 4  # cards per A4 sheet: 2 x 2, each 95 x 138 mm
REFLECTIONS = ("sheet", "backs", "none")


def init_app(app):
    """Register the routes."""
    app.register_blueprint(bp)


@bp.before_request
def _guard():
    """Only the organiser (facilitator sign-in); the API says so in JSON."""
    if not security.is_host():
        if request.path.startswith("/api/"):
            return shared.fail(gettext("Sign in with the facilitator key first."), 403)
        return security.require_host(lambda: None)()
    return None


def _deck(slug):
    """The valid deck `slug` (a deck with problems cannot be printed or exported)."""
    text, _revision = shared.deck_store().read(slug)
    return load_deck_text(text, slug)


@bp.errorhandler(DeckError)
def _invalid(error):
    problems = [shared.problem_json(p) for p in error.problems]
    return shared.fail(gettext("The deck has problems; fix them first."), 422, problems)


# -- spreadsheets ---------------------------------------------------------------------------------


def _attachment(body, mimetype, filename):
    response = current_app.response_class(body, content_type=mimetype)  # charset included
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/api/decks/<slug>/export.<kind>")
def export(slug, kind):
    """The deck as a CSV or XLSX spreadsheet."""
    deck = _deck(slug)
    if kind == "csv":
        return _attachment(deck_to_csv(deck), CSV_TYPE, f"{slug}.csv")
    if kind == "xlsx":
        return _attachment(deck_to_xlsx(deck), XLSX_TYPE, f"{slug}.xlsx")
    return shared.fail(gettext("Choose CSV or XLSX."), 404)


@bp.get("/api/sheets/template.<kind>")
def template(kind):
    """The spreadsheet template: a small example deck in the interface's language."""
    deck = template_deck(request.args.get("lang") or get_locale())
    if kind == "csv":
        return _attachment(deck_to_csv(deck), CSV_TYPE, "tafelronde-template.csv")
    if kind == "xlsx":
        return _attachment(deck_to_xlsx(deck), XLSX_TYPE, "tafelronde-template.xlsx")
    return shared.fail(gettext("Choose CSV or XLSX."), 404)


def sheet_to_checked(raw, filename):
    """A spreadsheet's deck as the editor's check answer (YAML text, data, problems)."""
    try:
        deck = deck_from_file(raw, filename)
    except DeckError as error:
        problems = [shared.problem_json(p, filename) for p in error.problems]
        return {"text": None, "data": None, "problems": problems, "valid": False}
    header = "# yaml-language-server: $schema=schema.json\n\n"
    text = header + apply_form("", deck.to_data())
    return shared.checked(text, filename)


def _uploaded():
    """(raw bytes, file name) of the uploaded spreadsheet; never more than the limit is read."""
    file = request.files.get("file")
    if file is None:
        return None, None
    return file.stream.read(MAX_SHEET_BYTES + 1), file.filename or "deck.xlsx"


@bp.post("/api/sheets/preview")
def preview():
    """The deck a spreadsheet gives, and its problems, without saving anything."""
    raw, filename = _uploaded()
    if raw is None:
        return shared.fail(gettext("Choose a CSV or XLSX file."), 400)
    checked = sheet_to_checked(raw, filename)
    status = 200 if checked["valid"] else 422
    return {"ok": checked["valid"], **checked, "error": _refusal(checked)}, status


def _refusal(checked):
    return None if checked["valid"] else gettext("This spreadsheet is not a valid deck.")


@bp.post("/api/sheets/import")
def import_sheet():
    """Add a deck from a spreadsheet; refused (nothing stored) unless it is valid."""
    raw, filename = _uploaded()
    if raw is None:
        return shared.fail(gettext("Choose a CSV or XLSX file."), 400)
    checked = sheet_to_checked(raw, filename)
    if not checked["valid"]:
        return shared.fail(_refusal(checked), 422, checked["problems"])
    name = request.form.get("slug") or slug_from(filename.rsplit(".", 1)[0])
    return shared.create_checked(name, checked["text"])


# -- printing -------------------------------------------------------------------------------------


@bp.get("/decks/<slug>/print")
def print_cards(slug):
    """The deck as A4 sheets of cards to print (or save as PDF from the browser)."""
    reflections = request.args.get("reflections", "sheet")
    code = (request.args.get("session") or "").strip().upper()
    try:
        blank = min(max(int(request.args.get("blank", 0)), 0), MAX_BLANK)
    except ValueError:
        blank = 0
    return print_page(_deck(slug), slug, reflections=reflections, code=code, blank=blank)


def join_for(code):
    """The join link, code and QR (inline SVG) of the session `code`, or None."""
    if not code:
        return None
    live = current_app.extensions["tafelronde.hub"].get(code)
    if live is None:
        return None
    from ..live.routes import join_url

    url = join_url(live.code)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", border=0, xmldecl=False, svgns=True, omitsize=True
    )
    return {"code": live.code, "url": url, "svg": buffer.getvalue().decode()}


def print_page(deck, slug, *, reflections="sheet", code="", blank=0):
    """The HTML of the printable cards: fronts, and backs or a facilitator sheet for reflections;
    with `blank`, that many blank cards at the end for tables to write their own dilemma on."""
    if reflections not in REFLECTIONS:
        reflections = "sheet"
    language = deck.language if deck.language in current_app.config["LANGUAGES"] else "en"
    cards = [_print_card(deck, i, card) for i, card in enumerate(deck.cards)]
    cards += [_blank_card(len(cards) + n) for n in range(blank)]
    sheets = [cards[i : i + PER_SHEET] for i in range(0, len(cards), PER_SHEET)]
    return render_template(
        "deck_print.html",
        deck=deck,
        slug=slug,
        sheets=sheets,
        backs=[_backs(sheet) for sheet in sheets],
        reflections=reflections,
        join=join_for(code),
        code=code,
        deck_gettext=lambda message, **kw: gettext(message, locale=language, **kw),
        deck_language=language,
        blank=blank,
    )


def _backs(sheet):
    """The backs of one sheet in the order they print: each row mirrored (flip on the long edge)."""
    padded = sheet + [None] * (PER_SHEET - len(sheet))
    return [padded[1], padded[0], padded[3], padded[2]]


def _print_card(deck, index, card):
    """What the template needs of one card, with a size class for long texts."""
    category = deck.category(card.category) if card.category else None
    colour = (category.colour if category else None) or "#5b6b66"
    length = len(card.text) + sum(len(o) + 20 for o in card.response.options)
    length += len(card.response.statement) + sum(len(p) + 10 for p in card.prompts)
    size = "size-s" if length > 700 else "size-m" if length > 450 else "size-l"
    return {
        "card": card,
        "number": index + 1,
        "category": category,
        "colour": colour,
        "dark": _is_dark(colour),
        "size": size,
    }


MAX_BLANK = 8  # blank cards for the room's own dilemmas: two sheets at most


def _blank_card(index):
    """A blank card: lines for a title, the situation and options, written at the table."""
    return {"card": None, "blank": True, "number": index + 1, "colour": "#5b6b66", "dark": True}


def _is_dark(colour):
    """True when white text reads better than black on `colour` ("#rrggbb")."""
    r, g_, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g_ + 0.0722 * b < 150
