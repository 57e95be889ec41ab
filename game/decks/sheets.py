"""Decks as spreadsheets: rows in and out, every problem at its cell. Pure (no files, no Flask).

A spreadsheet deck is two tables (docs/decks.md, "Spreadsheets"):

- the **Deck** rows, a name in column A: ``title``, ``language``, ``description`` with the value
  in B, and one ``category`` row per category (id in B, label in C, colour in D);
- the **Cards** table: a header row that starts with ``id``, then one row per card, with the
  columns in `CARD_COLUMNS` (any order; only ``id``, ``title`` and ``text`` are required).

An XLSX file has them on the sheets ``Deck`` and ``Cards``; a CSV file (or an XLSX with one sheet)
has the Deck rows first and the Cards table below them. `deck_from_rows` builds the deck data in
the YAML shape and validates it with `parse_deck`, the one validator, translating its data paths
back into cells: ``Cards!C12`` for XLSX, ``file.csv:12:3`` for CSV. The readers and writers of the
two file formats, with their limits against hostile files, are in `game.decks.sheetfiles`.

Formulas are never evaluated: a cell that is a formula, or whose text starts with ``=``, is
refused at its place. On export, a text that a spreadsheet would take for a formula (it starts
with ``=``, ``+``, ``-`` or ``@``) gets a leading ``'``, which import removes again.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TypeAlias, cast

from ..errors import N_
from ..jsontypes import JSON
from .deck import DeckError, parse_deck
from .messages import Message
from .model import SCALE_POINTS, Deck, DeckProblem
from .yamlsafe import KEY, DataPath, Positions

OPTION_COLUMNS = tuple(f"option {i}" for i in range(1, 7))
PROMPT_COLUMNS = tuple(f"prompt {i}" for i in range(1, 7))
CARD_COLUMNS = (
    "id",
    "category",
    "title",
    "text",
    "response",
    "statement",
    *OPTION_COLUMNS,
    *PROMPT_COLUMNS,
    "reflection",
)
DECK_FIELDS = ("title", "language", "description", "rounds")
FORMULA_START = "="
# What spreadsheets take for the start of a formula when a CSV is opened (CSV injection).
DEFUSE_START = ("=", "+", "-", "@")
MAX_CARD_ROWS = 250  # the validator allows 200 cards; a little room for blank rows
MAX_DECK_ROWS = 60
MAX_COLUMNS = 40
MAX_CELL_CHARS = 5000  # longer than any deck text may be; bounds memory before validating


@dataclass(frozen=True)
class Cell:
    """Where a value sits: sheet (None for CSV), 1-based row and column, and the name of its
    column when it is a card's field (``response``)."""

    sheet: str | None
    row: int
    column: int
    name: str | None = field(default=None, compare=False)

    def place(self, source: str) -> str:
        """``Cards!C12`` for a sheet, ``source:12:3`` for CSV; `` (title)`` after it when the
        column has a name, so people find the cell by its column's name too."""
        named = f" ({self.name})" if self.name else ""
        if self.sheet is not None:
            return f"{self.sheet}!{column_letter(self.column)}{self.row}{named}"
        return f"{source}:{self.row}:{self.column}{named}"


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Table:
    """Rows of text read from a file: ``rows[i]`` is a list of (Cell, text) for non-empty cells."""

    rows: list["Row"]
    sheet: str | None = None


# A row read from a file: (Cell, text) for each of its non-empty cells.
Row: TypeAlias = list[tuple[Cell, str]]
# The cell behind each synthetic (line, column) given to the validator; looked up by a
# problem's line and column, which are None for a problem without a place.
Places: TypeAlias = dict[tuple[int | None, int | None], Cell]


class SheetRefused(Exception):
    """The file cannot be read as a spreadsheet deck at all (too big, a zip bomb, macros...)."""

    def __init__(self, problems: Iterable[DeckProblem]) -> None:
        super().__init__("; ".join(str(p.message) for p in problems))
        self.problems = tuple(problems)


def problem_at(cell: Cell | None, source: str, message: str) -> DeckProblem:
    """A `DeckProblem` at `cell` (or at the whole file when `cell` is None)."""
    if cell is None:
        return DeckProblem((), message, place=source)
    return DeckProblem((), message, cell.row, cell.column, place=_place(cell, source))


def _place(cell: Cell, source: str) -> str | None:
    """A cell's place for people (None for an unnamed CSV cell: the file, line and column of the
    problem say it already)."""
    return cell.place(source) if cell.sheet is not None or cell.name else None


def clean_text(cell: Cell, value: str, source: str, problems: list[DeckProblem]) -> str:
    """A cell's value as text; formulas (``=...``) are refused; a defusing ``'`` is taken off."""
    if value.startswith(FORMULA_START):
        message = N_(
            "this cell holds a formula (`%(start)s`); formulas are never run: type the text "
            "itself, or start it with ' to keep the = as text"
        )
        problems.append(problem_at(cell, source, Message(message, start=value[:20])))
        return value  # kept (refused above) so the validator does not also call it missing
    if value.startswith("'") and value[1:2] in DEFUSE_START:
        return value[1:]
    return value


def defuse(text: str) -> str:
    """`text` as written into a spreadsheet: never taken for a formula when opened."""
    return "'" + text if text.startswith(DEFUSE_START) else text


# -- rows -> deck ---------------------------------------------------------------------------------


def deck_from_tables(
    deck_table: Table, card_table: Table, source: str, problems: Iterable[DeckProblem] = ()
) -> Deck:
    """Build and validate a deck from its Deck rows and Cards rows.

    Returns the `Deck`, or raises `DeckError` with every problem (those found while reading the
    file, `problems`, first), each at its cell.
    """
    problems = list(problems)
    data: dict[str, JSON] = {}
    positions: Positions = {(): (0, 0)}
    places: Places = {}
    places[(0, 0)] = Cell(deck_table.sheet, 1, 1)  # the whole deck: its first cell
    builder = _Builder(data, positions, places)
    _deck_rows(builder, deck_table, source, problems)
    _card_rows(builder, card_table, source, problems)
    try:
        deck = parse_deck(data, source=source, positions=positions)
    except DeckError as error:
        problems += [_located(p, places, source) for p in error.problems]
    else:
        if not problems:
            return deck
    # In the order of the file: the Deck rows (or sheet) first, then the cards, row by row.
    order = {deck_table.sheet: 0, card_table.sheet: 1}
    problems.sort(key=lambda p: (order.get(_sheet_of(p), 0), p.line or 0, p.column or 0))
    raise DeckError(problems, source)


def _sheet_of(problem: DeckProblem) -> str | None:
    """The sheet a problem's place names (None for CSV and whole-file problems)."""
    return problem.place.split("!", 1)[0] if problem.place and "!" in problem.place else None


def _located(problem: DeckProblem, places: Places, source: str) -> DeckProblem:
    """A validator problem, its synthetic position turned back into its cell."""
    cell = places.get((problem.line, problem.column))
    if cell is None:
        return replace(problem, place=source, line=None, column=None)
    return replace(problem, line=cell.row, column=cell.column, place=_place(cell, source))


class _Builder:
    """Deck data in the YAML shape, with a unique position per cell for the validator."""

    def __init__(self, data: dict[str, JSON], positions: Positions, places: Places) -> None:
        self.data, self.positions, self.places = data, positions, places
        self.counter = 0

    def mark(self, path: DataPath, cell: Cell, key_cell: Cell | None = None) -> None:
        """Record that the value at `path` is in `cell` (and its name, for "unknown key", too)."""
        # Positions only need to be distinct and in reading order; `places` maps them back.
        self.counter += 1
        position = (self.counter, 1)
        self.positions[tuple(path)] = position
        self.places[position] = cell
        if key_cell is not None:
            self.counter += 1
            self.positions[(*path, KEY)] = (self.counter, 1)
            self.places[(self.counter, 1)] = key_cell


def _deck_rows(builder: _Builder, table: Table, source: str, problems: list[DeckProblem]) -> None:
    """The Deck rows: title, language, description, and categories."""
    data = builder.data
    for row in table.rows:
        if not row:
            continue
        name_cell, name = row[0]
        values = {cell.column - name_cell.column: (cell, text) for cell, text in row[1:]}
        name = name.strip().lower()
        if name_cell.column != 1:
            name = ""
        if name in DECK_FIELDS:
            cell, value = values.get(1, (Cell(name_cell.sheet, name_cell.row, 2), None))
            if name in data:
                message: str = Message(N_("`%(name)s` is given twice"), name=name)
                problems.append(problem_at(name_cell, source, message))
                continue
            data[name] = clean_text(cell, value, source, problems) if value is not None else None
            builder.mark((name,), cell, name_cell)
        elif name == "category":
            _category_row(builder, name_cell, values, source, problems)
        elif name in LIST_ROWS:
            _list_row(builder, name, name_cell, values)
        else:
            message = N_(
                "unknown row `%(name)s`: a deck row starts with `title`, `language`, "
                "`description`, `rounds`, `category`, `step` or `perspective`, and the cards "
                "start with a row of column names beginning with `id`"
            )
            problems.append(problem_at(name_cell, source, Message(message, name=row[0][1][:40])))


def _category_row(
    builder: _Builder,
    name_cell: Cell,
    values: dict[int, tuple[Cell, str]],
    source: str,
    problems: list[DeckProblem],
) -> None:
    """``category | id | label | colour``."""
    # Only this function puts `categories` in the data: always a mapping.
    categories = cast(dict[str, JSON], builder.data.setdefault("categories", {}))
    id_cell, cat_id = values.get(1, (Cell(name_cell.sheet, name_cell.row, 2), None))
    if not cat_id or not cat_id.strip():
        message = Message(N_("a `category` row needs the category's id in the next cell"))
        problems.append(problem_at(id_cell, source, message))
        return
    cat_id = cat_id.strip()
    if cat_id in categories:
        message = Message(N_("category `%(id)s` is given twice"), id=cat_id)
        problems.append(problem_at(id_cell, source, message))
        return
    entry: dict[str, JSON] = {}
    categories[cat_id] = entry
    builder.mark(("categories", cat_id), name_cell, id_cell)
    for offset, key in ((2, "label"), (3, "colour")):
        if offset in values:
            cell, text = values[offset]
            entry[key] = clean_text(cell, text, source, problems)
            builder.mark(("categories", cat_id, key), cell, cell)
        else:
            builder.mark(("categories", cat_id, key), id_cell)


# Rows that add one entry to a list of the deck: the list, and the keys of the cells after the name.
LIST_ROWS = {
    "step": ("steps", ("label", "instruction", "minutes", "kind")),
    "perspective": ("perspectives", ("label", "description")),
}


def _list_row(
    builder: _Builder, name: str, name_cell: Cell, values: dict[int, tuple[Cell, str]]
) -> None:
    """``step | label | instruction | minutes | kind`` or ``perspective | label | description``:
    one more entry of the deck's script or perspectives (checked by the validator, at its cells)."""
    key, fields = LIST_ROWS[name]
    entries = cast(list[JSON], builder.data.setdefault(key, []))
    # The size is the validator's to judge, but a hostile sheet cannot make this list long:
    # MAX_DECK_ROWS bounds the Deck rows.
    path: DataPath = (key, len(entries))
    entry: dict[str, JSON] = {}
    entries.append(entry)
    builder.mark(path, name_cell)
    for offset, key_name in enumerate(fields, start=1):
        if offset in values and values[offset][1].strip():
            cell, text = values[offset]
            entry[key_name] = text.strip()
            builder.mark((*path, key_name), cell, cell)


def _card_rows(builder: _Builder, table: Table, source: str, problems: list[DeckProblem]) -> None:
    """The Cards table: its header row, then one card per non-empty row."""
    rows = [row for row in table.rows if row]
    if not rows:
        builder.data["cards"] = None
        return
    header_row, *card_rows = rows
    columns: dict[int, str] = {}
    for cell, text in header_row:
        name = " ".join(text.strip().lower().split())
        if name not in CARD_COLUMNS:
            message = N_("unknown column `%(name)s`; the columns are %(names)s")
            names = ", ".join(f"`{c}`" for c in CARD_COLUMNS)
            problems.append(problem_at(cell, source, Message(message, name=text[:40], names=names)))
        elif name in columns.values():
            message = Message(N_("column `%(name)s` is there twice"), name=name)
            problems.append(problem_at(cell, source, message))
        else:
            columns[cell.column] = name
    builder.mark(("cards",), header_row[0][0], header_row[0][0])
    cards: list[JSON] = []
    builder.data["cards"] = cards
    for row in card_rows:
        card = _card(builder, len(cards), row, columns, header_row, source, problems)
        cards.append(card)


def _card(
    builder: _Builder,
    index: int,
    row: Row,
    columns: dict[int, str],
    header_row: Row,
    source: str,
    problems: list[DeckProblem],
) -> dict[str, JSON]:
    """One card row as card data."""
    path = ("cards", index)
    sheet, number = row[0][0].sheet, row[0][0].row
    builder.mark(path, Cell(sheet, number, 1))
    by_name: dict[str, tuple[Cell, str]] = {}
    for cell, text in row:
        name = columns.get(cell.column)
        if name is None:
            if not any(c.column == cell.column for c, _t in header_row):
                message = Message(N_("this cell has no column name in the header row"))
                problems.append(problem_at(cell, source, message))
            continue
        by_name[name] = (replace(cell, name=name), clean_text(cell, text, source, problems))
    # A required field left empty is reported at its own cell, not at the row.
    for name, column in ((n, c) for c, n in columns.items()):
        builder.mark((*path, name), Cell(sheet, number, column, name))
    card: dict[str, JSON] = {}
    for name in ("id", "title", "category", "text"):
        if name in by_name:
            card[name] = by_name[name][1]
            builder.mark((*path, name), by_name[name][0])
    response: dict[str, JSON] = {}
    if "response" in by_name:
        cell, kind = by_name["response"]
        response["type"] = kind.strip().lower()
        builder.mark((*path, "response"), cell)
        builder.mark((*path, "response", "type"), cell, cell)
    options = [by_name[c] for c in OPTION_COLUMNS if c in by_name]
    if options:
        key = "labels" if response.get("type") == "scale" else "options"
        response[key] = [text for _cell, text in options]
        builder.mark((*path, "response", key), options[0][0], options[0][0])
        for i, (cell, _text) in enumerate(options):
            builder.mark((*path, "response", key, i), cell)
    if "statement" in by_name:
        response["statement"] = by_name["statement"][1]
        cell = by_name["statement"][0]
        builder.mark((*path, "response", "statement"), cell, cell)
    if response:
        card["response"] = response
    prompts = [by_name[c] for c in PROMPT_COLUMNS if c in by_name]
    if prompts:
        card["prompts"] = [text for _cell, text in prompts]
        builder.mark((*path, "prompts"), prompts[0][0])
        for i, (cell, _text) in enumerate(prompts):
            builder.mark((*path, "prompts", i), cell)
    if "reflection" in by_name:
        card["reflection"] = by_name["reflection"][1]
        builder.mark((*path, "reflection"), by_name["reflection"][0])
    return card


# -- deck -> rows ---------------------------------------------------------------------------------


def deck_rows(deck: Deck) -> list[list[str]]:
    """The Deck rows of `deck`, as lists of texts."""
    rows = [["title", deck.title], ["language", deck.language]]
    if deck.description:
        rows.append(["description", deck.description])
    if deck.rounds:
        rows.append(["rounds", str(deck.rounds)])
    for category in deck.categories:
        rows.append(["category", category.id, category.label, category.colour or ""])
    for step in deck.steps:
        minutes = "" if step.minutes is None else f"{step.minutes:g}"
        rows.append(["step", step.label, step.instruction, minutes, step.kind])
    for perspective in deck.perspectives:
        rows.append(["perspective", perspective.label, perspective.description])
    return [[defuse(text) for text in row] for row in rows]


def card_rows(deck: Deck) -> list[list[str]]:
    """The Cards table of `deck`: the header row, then one row per card."""
    rows = [list(CARD_COLUMNS)]
    for card in deck.cards:
        response = card.response
        options = list(response.options) if response.kind in ("choice", "scale") else []
        values = {
            "id": card.id,
            "category": card.category or "",
            "title": card.title,
            "text": card.text,
            "response": response.kind,
            "statement": response.statement,
            "reflection": card.reflection,
        }
        values.update(zip(OPTION_COLUMNS, options, strict=False))
        values.update(zip(PROMPT_COLUMNS, card.prompts, strict=False))
        rows.append([defuse(values.get(column, "")) for column in CARD_COLUMNS])
    return rows


assert len(OPTION_COLUMNS) >= SCALE_POINTS  # a scale's labels go in the option columns
