"""CSV and XLSX files for decks: read them with limits against hostile files, and write them.

Pure in the sense of the core: bytes in, bytes out, no files and no Flask. The layout is
`game.decks.sheets`. Before anything is parsed, a file is checked, each refusal named at its
place and nothing stored: its size (`MAX_SHEET_BYTES`); for XLSX, that it is a zip at all, its
uncompressed size and compression ratio (zip bombs), macros, and XML entity declarations; for
CSV, that it is UTF-8 text. Rows are read until `sheets.MAX_CARD_ROWS` and no further, so ten
thousand rows are refused after a few hundred. XLSX is read by openpyxl in read-only mode, with
formulas read as their text (never evaluated) and refused by `sheets.clean_text`.
"""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from ..errors import N_
from ..jsontypes import JSON
from .deck import Deck, DeckError, DeckProblem, parse_deck
from .messages import Message
from .sheets import (
    MAX_CARD_ROWS,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_DECK_ROWS,
    Cell,
    Row,
    SheetRefused,
    Table,
    card_rows,
    deck_from_tables,
    deck_rows,
    problem_at,
)

if TYPE_CHECKING:  # openpyxl is imported only when a spreadsheet arrives (see `read_xlsx`)
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# What a file holds: its Deck rows, its Cards table, and the problems found reading cells.
Tables = tuple[Table, Table, list[DeckProblem]]

MAX_SHEET_BYTES = 1_000_000  # like a YAML deck (and MAX_CONTENT_LENGTH)
MAX_UNCOMPRESSED = 8_000_000  # a 200-card deck is well under 1 MB of XML
MAX_RATIO = 100  # honest XML compresses 5 to 20 times
MAX_MEMBERS = 100
MAX_SCAN_ROWS = 2000  # rows looked at per sheet, empty ones included
MAX_FILLED_ROWS = MAX_DECK_ROWS + MAX_CARD_ROWS + 1  # the Deck rows, the Cards header, the cards
DECK_SHEET, CARDS_SHEET = "Deck", "Cards"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) format


def is_sheet_name(filename: object) -> bool:
    """True for the file names this module reads (``.csv``, ``.xlsx``, ``.xlsm``, ``.xls``)."""
    return str(filename).lower().endswith((".csv", ".xlsx", ".xlsm", ".xls", ".tsv"))


def deck_from_file(raw: bytes, filename: str) -> Deck:
    """The validated `Deck` in a CSV or XLSX file's bytes, or `DeckError` with every problem."""
    try:
        deck_table, card_table, problems = read_tables(raw, filename)
    except SheetRefused as refused:
        raise DeckError(refused.problems, filename) from None
    return deck_from_tables(deck_table, card_table, filename, problems)


def read_tables(raw: bytes, filename: str) -> Tables:
    """The Deck and Cards tables of a file, and problems found while reading cells."""
    name = str(filename).lower()
    if len(raw) > MAX_SHEET_BYTES:
        message = N_("the file is too large: %(size)s bytes, at most %(limit)s")
        size, limit = f"{len(raw):,}", f"{MAX_SHEET_BYTES:,}"
        raise _refused(filename, Message(message, size=size, limit=limit))
    if raw.startswith(OLE_MAGIC) or name.endswith(".xls"):
        message = N_("this is an old Excel file (.xls); save it as .xlsx or as CSV UTF-8")
        raise _refused(filename, Message(message))
    if raw.startswith(ZIP_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        return read_xlsx(raw, filename)
    return read_csv(raw, filename)


def _refused(source: str, message: str, cell: Cell | None = None) -> SheetRefused:
    return SheetRefused([problem_at(cell, source, message)])


# -- CSV ------------------------------------------------------------------------------------------


def read_csv(raw: bytes, source: str) -> Tables:
    """Deck rows and Cards rows from CSV bytes (UTF-8; comma, semicolon or tab separated)."""
    text = _csv_text(raw, source)
    delimiter = _delimiter(text)
    problems: list[DeckProblem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Every line of a CSV counts, empty ones too: unlike a sheet, it has no reason to hold
        # long runs of empty (formatted) rows.
        rows = _read_rows(None, reader, source, problems, scan=MAX_FILLED_ROWS)
    except csv.Error as error:
        line = reader.line_num
        message = Message(N_("this is not readable CSV here (%(reason)s)"), reason=str(error))
        raise _refused(source, message, Cell(None, line, 1)) from None
    deck_table, card_table = _split(rows, None)
    return deck_table, card_table, problems


def _csv_text(raw: bytes, source: str) -> str:
    """The text of a CSV file, refusing what is not UTF-8 text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = N_("the file is saved as UTF-16; save it as CSV UTF-8")
        raise _refused(source, Message(message))
    if b"\x00" in raw[:4096] or b"\x00" in raw:
        message = N_("this is not a spreadsheet: the file holds binary data, not text")
        raise _refused(source, Message(message))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = raw.count(b"\n", 0, error.start) + 1
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
        message = N_(
            "the file is not UTF-8 text (byte %(byte)s); in your spreadsheet, save it as CSV UTF-8"
        )
        message = Message(message, byte=f"0x{raw[error.start]:02x}")
        raise _refused(source, message, Cell(None, row, column)) from None


def _delimiter(text: str) -> str:
    """The separator of the Cards header row (``id,…``, ``id;…``), else a comma.

    Spreadsheets in Dutch (and other) locales save CSV with semicolons.
    """
    match = re.search(r'^"?id"?\s*([,;\t])', text[:200_000], re.MULTILINE | re.IGNORECASE)
    return match.group(1) if match else ","


def _row(
    sheet: str | None,
    number: int,
    values: Iterable[str | None],
    source: str,
    problems: list[DeckProblem],
) -> Row:
    """One row as a list of (Cell, text) for its non-empty cells; overlong cells refused."""
    row: Row = []
    for column, value in enumerate(values, start=1):
        if value is None or value == "":
            continue
        cell = Cell(sheet, number, column)
        if column > MAX_COLUMNS:
            message: str = Message(
                N_("too many columns: a deck uses at most %(max)s"), max=MAX_COLUMNS
            )
            raise _refused(source, message, cell)
        if len(value) > MAX_CELL_CHARS:
            message = N_("this cell is too long: %(num)s characters, at most %(max)s")
            message = Message(message, num=f"{len(value):,}", max=f"{MAX_CELL_CHARS:,}")
            problems.append(problem_at(cell, source, message))
            value = value[:MAX_CELL_CHARS]
        if value.strip():
            row.append((cell, value))
    return row


def _read_rows(
    sheet: str | None,
    value_rows: Iterable[Iterable[str | None]],
    source: str,
    problems: list[DeckProblem],
    scan: int,
) -> list[Row]:
    """The rows of a CSV file or a sheet (`value_rows`: each row's cell texts) as `_row` makes
    them, refusing at the row past `scan` rows or past `MAX_FILLED_ROWS` non-empty ones."""
    rows: list[Row] = []
    filled = 0
    for number, values in enumerate(value_rows, start=1):
        if number > scan:
            raise _too_many_rows(source, Cell(sheet, number, 1))
        row = _row(sheet, number, values, source, problems)
        if row:
            filled += 1
            if filled > MAX_FILLED_ROWS:
                raise _too_many_rows(source, Cell(sheet, number, 1))
        rows.append(row)
    return rows


def _too_many_rows(source: str, cell: Cell) -> SheetRefused:
    message = N_("too many rows: a deck has at most %(max)s cards; reading stopped here")
    return _refused(source, Message(message, max=200), cell)


def _split(rows: list[Row], sheet: str | None) -> tuple[Table, Table]:
    """One table of Deck rows above a Cards table (whose header row starts with `id`)."""
    for index, row in enumerate(rows):
        if row and row[0][0].column == 1 and row[0][1].strip().lower() == "id":
            return Table(rows[:index], sheet), Table(rows[index:], sheet)
    return Table(rows, sheet), Table([], sheet)


# -- XLSX -----------------------------------------------------------------------------------------


def read_xlsx(raw: bytes, source: str) -> Tables:
    """Deck rows and Cards rows from XLSX bytes, after checking the zip before parsing."""
    _check_zip(raw, source)
    import openpyxl  # only when a spreadsheet arrives: it is a large import

    try:
        book = openpyxl.load_workbook(
            io.BytesIO(raw), read_only=True, data_only=False, keep_links=False, keep_vba=False
        )
    except Exception as error:  # noqa: BLE001 - hostile input may break the parser anywhere
        message = N_("this XLSX file cannot be read (%(reason)s)")
        raise _refused(source, Message(message, reason=type(error).__name__)) from None
    try:
        return _xlsx_tables(book, source)
    finally:
        book.close()


def _check_zip(raw: bytes, source: str) -> None:
    """Refuse what is not a zip, or would unpack too large (a zip bomb), or carries macros."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError):
        message = N_("this is not an XLSX file (not a readable zip archive)")
        raise _refused(source, Message(message)) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            message = N_("this XLSX file holds too many parts (%(num)s); refused")
            raise _refused(source, Message(message, num=len(members)))
        total = sum(m.file_size for m in members)
        worst = max(members, key=lambda m: m.file_size / max(m.compress_size, 1), default=None)
        if total > MAX_UNCOMPRESSED or (
            worst
            and worst.file_size > 100_000
            and worst.file_size / max(worst.compress_size, 1) > MAX_RATIO
        ):
            message = N_(
                "this XLSX file would unpack to %(size)s bytes (at most %(limit)s, and at most "
                "%(ratio)s times its packed size): it looks like a zip bomb; refused"
            )
            limit = f"{MAX_UNCOMPRESSED:,}"
            raise _refused(
                source, Message(message, size=f"{total:,}", limit=limit, ratio=MAX_RATIO)
            )
        names = [m.filename for m in members]
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            message = N_("this file contains macros; save it as .xlsx without macros")
            raise _refused(source, Message(message))
        if "xl/workbook.xml" not in names:
            message = N_("this is not an XLSX file (it has no workbook)")
            raise _refused(source, Message(message))
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as f:
                    head = f.read(MAX_UNCOMPRESSED)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    message = N_("this XLSX file declares XML entities (%(part)s); refused")
                    raise _refused(source, Message(message, part=member.filename))


def _xlsx_tables(book: "Workbook", source: str) -> Tables:
    """Find the Deck and Cards sheets (or split a single sheet) and read their rows."""
    sheets = {ws.title.strip().lower(): ws for ws in book.worksheets}
    problems: list[DeckProblem] = []
    if CARDS_SHEET.lower() in sheets:
        cards_ws = sheets[CARDS_SHEET.lower()]
        deck_ws = sheets.get(DECK_SHEET.lower())
        deck_rows_ = _sheet_rows(deck_ws, source, problems) if deck_ws else []
        deck_table = Table(deck_rows_, deck_ws.title if deck_ws else DECK_SHEET)
        card_table = Table(_sheet_rows(cards_ws, source, problems), cards_ws.title)
        return deck_table, card_table, problems
    if len(book.worksheets) == 1:
        ws = book.worksheets[0]
        deck_table, card_table = _split(_sheet_rows(ws, source, problems), ws.title)
        return deck_table, card_table, problems
    message = N_(
        "this workbook has no sheet named `Cards` (the cards) and `Deck` (title, language)"
    )
    raise _refused(source, Message(message))


def _sheet_rows(ws: "Worksheet", source: str, problems: list[DeckProblem]) -> list[Row]:
    """The rows of one sheet, stopping with a refusal at too many rows."""
    values = (
        [_cell_text(c.value) for c in cells] for cells in ws.iter_rows(max_col=MAX_COLUMNS + 1)
    )
    return _read_rows(ws.title, values, source, problems, scan=MAX_SCAN_ROWS)


def _cell_text(value: object) -> str:
    """A cell's value as the text a deck holds (numbers and dates as people wrote them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


# -- writing --------------------------------------------------------------------------------------


def deck_to_csv(deck: Deck) -> bytes:
    """The deck as CSV bytes: UTF-8 with a BOM (so Excel reads it as UTF-8), Deck rows first."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(deck_rows(deck))
    writer.writerow([])
    writer.writerows(card_rows(deck))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def deck_to_xlsx(deck: Deck) -> bytes:
    """The deck as XLSX bytes: the sheets `Cards` and `Deck`."""
    import openpyxl
    import openpyxl.utils
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    # A new workbook has one sheet, a worksheet, and it is the active one.
    cards = cast("Worksheet", book.active)
    cards.title = CARDS_SHEET
    deck_ws = book.create_sheet(DECK_SHEET)
    for row in card_rows(deck):
        cards.append(row)
    for row in deck_rows(deck):
        deck_ws.append(row)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells in cards.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = wrap
    for cell in cards[1]:
        cell.font = Font(bold=True)
    cards.freeze_panes = "A2"
    widths = {"id": 18, "title": 28, "text": 60, "reflection": 50, "statement": 30}
    for index, name in enumerate(card_rows(deck)[0], start=1):
        letter = openpyxl.utils.get_column_letter(index)
        cards.column_dimensions[letter].width = widths.get(name, 20)
    deck_ws.column_dimensions["A"].width = 14
    deck_ws.column_dimensions["B"].width = 50
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TEMPLATES: dict[str, dict[str, JSON]] = {
    "en": {
        "title": "My deck",
        "language": "en",
        "description": "Who plays this deck, and what it is for.",
        "categories": {
            "visibility": {"label": "Visibility", "colour": "#2f6f9f"},
            "discussion": {"label": "Discussion", "colour": "#b5532a"},
        },
        "cards": [
            {
                "id": "first-dilemma",
                "title": "The first dilemma",
                "category": "visibility",
                "text": "Describe a situation in two to four sentences. End with the question.",
                "response": {"type": "choice", "options": ["One way to go", "Another way"]},
                "prompts": ["What would you do, and why?"],
                "reflection": "What the organiser learnt, shown after the vote.",
            },
            {
                "id": "second-dilemma",
                "title": "A statement",
                "category": "discussion",
                "text": "A card with a five-point scale from disagree to agree.",
                "response": {"type": "scale", "statement": "We should answer every comment."},
            },
        ],
    },
    "nl": {
        "title": "Mijn kaartspel",
        "language": "nl",
        "description": "Wie dit spel speelt, en waarvoor.",
        "categories": {
            "zichtbaarheid": {"label": "Zichtbaarheid", "colour": "#2f6f9f"},
            "discussie": {"label": "Discussie", "colour": "#b5532a"},
        },
        "cards": [
            {
                "id": "eerste-dilemma",
                "title": "Het eerste dilemma",
                "category": "zichtbaarheid",
                "text": "Beschrijf een situatie in twee tot vier zinnen. Eindig met de vraag.",
                "response": {"type": "choice", "options": ["De ene kant op", "De andere kant op"]},
                "prompts": ["Wat zou jij doen, en waarom?"],
                "reflection": "Wat de organisator leerde, te zien na de stemming.",
            },
            {
                "id": "tweede-dilemma",
                "title": "Een stelling",
                "category": "discussie",
                "text": "Een kaart met een schaal van vijf punten, van oneens tot eens.",
                "response": {"type": "scale", "statement": "We reageren op elke opmerking."},
            },
        ],
    },
}


def template_deck(language: str) -> Deck:
    """The example deck behind the downloadable spreadsheet template, in `language` if we have it."""
    return parse_deck(TEMPLATES.get(language, TEMPLATES["en"]))
