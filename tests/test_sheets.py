"""Decks as spreadsheets: round trips, the template, problems at their cells, hostile files."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from game.decks.deck import DeckError, load_deck
from game.decks.sheetfiles import (
    deck_from_file,
    deck_to_csv,
    deck_to_xlsx,
    template_deck,
)
from tests.conftest import sign_in
from tests.work import calls_until_raised

ROOT = Path(__file__).resolve().parent.parent
STARTERS = ["social-media-dilemmas.en", "social-media-dilemmas.nl"]


def starter(name):
    return load_deck(ROOT / "decks" / f"{name}.yaml")


@pytest.mark.parametrize("name", STARTERS)
def test_starter_decks_round_trip_through_xlsx_and_csv(name):
    deck = starter(name)
    assert deck_from_file(deck_to_xlsx(deck), f"{name}.xlsx") == deck
    assert deck_from_file(deck_to_csv(deck), f"{name}.csv") == deck


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_downloadable_template_round_trips(client, lang):
    sign_in(client)
    for kind in ("xlsx", "csv"):
        answer = client.get(f"/api/sheets/template.{kind}?lang={lang}")
        assert answer.status_code == 200
        assert deck_from_file(answer.data, f"template.{kind}") == template_deck(lang)


# Every refusal stops early: at most ~95,000 calls (tests/work.py; reading 311 rows of an XLSX
# file to find the 312th), where reading the 10,000 rows of a hostile sheet would take millions.
REFUSAL_BUDGET = 200_000


def problems(raw, name):
    """The problems `deck_from_file` refuses `raw` with, found with bounded work (counted)."""
    error, _ = calls_until_raised(DeckError, deck_from_file, raw, name, budget=REFUSAL_BUDGET)
    return error.lines()


def workbook(cards, deck=(("title", "T"), ("language", "en"))):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Cards"
    for row in cards:
        ws.append(list(row))
    deck_ws = book.create_sheet("Deck")
    for row in deck:
        deck_ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = ("id", "title", "text", "response", "option 1", "option 2")


def test_every_problem_is_reported_at_its_cell_and_column_all_at_once():
    raw = workbook(
        [
            HEADER,
            ("One Card", "One", "The first.", "choice", "Yes", "Yes"),
            ("two", "", "The second.", "chioce"),
        ]
    )
    assert problems(raw, "deck.xlsx") == [
        "Cards!A2 (id): card id `One Card` may only hold lowercase letters, digits and dashes, start "
        "with a letter or digit, and be at most 60 characters; try `one-card`",
        "Cards!F2 (option 2): option 2 repeats option 1 (`Yes`)",
        "Cards!B3 (title): missing `title`: every card needs a title",
        "Cards!D3 (response): `type` must be `choice`, `scale` or `open`, not `chioce` (did you mean `choice`?)",
    ]


def test_csv_problems_name_file_row_and_column():
    raw = b"title,T\nlanguage,english\n\nid,title,text\nok,,Text\n"
    assert problems(raw, "deck.csv") == [
        "deck.csv:2:2: `language` must be a two-letter code in lowercase, such as `en` or `nl`; "
        "this is `english`",
        "deck.csv:5:2 (title): missing `title`: every card needs a title",
    ]


def test_semicolon_csv_as_dutch_excel_saves_it():
    import csv

    from game.decks.sheets import card_rows, deck_rows

    deck = template_deck("nl")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows([*deck_rows(deck), [], *card_rows(deck)])
    assert deck_from_file(buffer.getvalue().encode("utf-8"), "spel.csv") == deck


def test_problems_in_dutch_keep_their_cells():
    from game.i18n import Translator, load_catalogues

    raw = workbook([HEADER, ("a", "A", "T", "choice", "Alleen")])
    with pytest.raises(DeckError) as caught:
        deck_from_file(raw, "spel.xlsx")
    dutch = Translator(load_catalogues()["nl"])
    assert caught.value.lines(dutch) == [
        "Cards!E2 (option 1): `options` heeft 2 tot 6 keuzes nodig; hier staat 1 keuze"
    ]


# -- hostile files: each refused in under a second, with its place ------------------------------


def test_a_formula_is_refused_at_its_cell_never_run():
    raw = workbook([HEADER, ("a", '=HYPERLINK("http://x")', "T", "open")])
    (line,) = problems(raw, "deck.xlsx")
    assert line.startswith("Cards!B2: this cell holds a formula")
    (line,) = problems(b"title,T\nlanguage,en\nid,title,text\na,=1+1,T\n", "deck.csv")
    assert line.startswith("deck.csv:4:2: this cell holds a formula")


def test_formulas_are_defused_on_export_and_come_back_as_text():
    deck = template_deck("en")
    data = deck.to_data()
    data["cards"][0]["title"] = "=1+1 is two"
    data["cards"][0]["text"] = "-5 degrees, +3 people, @home"
    from game.decks.deck import parse_deck

    tricky = parse_deck(data)
    csv_text = deck_to_csv(tricky).decode("utf-8-sig")
    assert "'=1+1 is two" in csv_text and ",=1" not in csv_text
    book = openpyxl.load_workbook(io.BytesIO(deck_to_xlsx(tricky)))
    assert all(c.data_type != "f" for row in book["Cards"].iter_rows() for c in row)
    assert deck_from_file(deck_to_csv(tricky), "d.csv") == tricky
    assert deck_from_file(deck_to_xlsx(tricky), "d.xlsx") == tricky


def test_a_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 9_000_000)
    (line,) = problems(buffer.getvalue(), "bomb.xlsx")
    assert line.startswith("bomb.xlsx: this XLSX file would unpack to 9,000,011 bytes")


def test_a_file_over_the_size_limit_is_refused_unread():
    (line,) = problems(b"PK\x03\x04" + b"x" * 1_000_001, "big.xlsx")
    assert line.startswith("big.xlsx: the file is too large: 1,000,005 bytes")


def test_macros_are_refused():
    raw = workbook([HEADER])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    (line,) = problems(buffer.getvalue(), "macros.xlsm")
    assert line == "macros.xlsm: this file contains macros; save it as .xlsx without macros"


def test_xml_entities_are_refused():
    raw = workbook([HEADER])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + data
            dst.writestr(item, data)
    (line,) = problems(buffer.getvalue(), "entities.xlsx")
    assert line.startswith("entities.xlsx: this XLSX file declares XML entities")


@pytest.mark.parametrize(
    ("raw", "name", "start"),
    [
        (bytes(range(256)) * 40, "garbage.xlsx", "garbage.xlsx: this is not an XLSX file"),
        (b"\x00\x01\x02binary" * 100, "garbage.csv", "garbage.csv: this is not a spreadsheet"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500,
            "old.xls",
            "old.xls: this is an old Excel",
        ),
        ("title,Caf\xe9\n".encode("cp1252"), "latin.csv", "latin.csv:1:10: the file is not UTF-8"),
        ("title,T\n".encode("utf-16"), "utf16.csv", "utf16.csv: the file is saved as UTF-16"),
    ],
)
def test_garbage_and_wrong_encodings_are_refused(raw, name, start):
    (line,) = problems(raw, name)
    assert line.startswith(start), line


def test_ten_thousand_rows_are_refused_after_a_few_hundred():
    rows = "".join(f"c{i},Card {i},Text {i}\n" for i in range(10_000))
    raw = ("title,T\nlanguage,en\nid,title,text\n" + rows).encode()
    (line,) = problems(raw, "many.csv")
    assert line.startswith("many.csv:312:1: too many rows")
    raw = workbook([("id", "title", "text")] + [(f"c{i}", "C", "T") for i in range(10_000)])
    (line,) = problems(raw, "many.xlsx")
    assert line.startswith("Cards!A312: too many rows")


# -- the web: import with preview, export, nothing stored when refused ----------------------------


@pytest.fixture
def host(client):
    client.environ_base["HTTP_X_CSRF_TOKEN"] = sign_in(client)
    return client


def post_file(client, url, raw, name, **form):
    data = {"file": (io.BytesIO(raw), name), **form}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_preview_shows_the_deck_and_problems_without_storing(host, app):
    decks = Path(app.config["DECKS_DIR"])
    before = sorted(p.name for p in decks.iterdir())
    good = post_file(host, "/api/sheets/preview", deck_to_xlsx(template_deck("nl")), "spel.xlsx")
    assert good.status_code == 200 and good.json["valid"]
    assert good.json["data"]["title"] == "Mijn kaartspel"
    assert "title: Mijn kaartspel" in good.json["text"]
    bad = post_file(
        host,
        "/api/sheets/preview?lang=nl",
        workbook([HEADER, ("a", "A", "T", "choice", "X")]),
        "s.xlsx",
    )
    assert bad.status_code == 422
    assert bad.json["problems"][0]["where"] == "Cards!E2 (option 1)"
    assert "keuze" in bad.json["problems"][0]["message"]
    assert sorted(p.name for p in decks.iterdir()) == before


def test_import_stores_a_valid_spreadsheet_and_refuses_a_hostile_one(host, app):
    decks = Path(app.config["DECKS_DIR"])
    answer = post_file(host, "/api/upload", deck_to_csv(template_deck("en")), "my-deck.csv")
    assert answer.status_code == 201, answer.json
    assert load_deck(decks / "my-deck.yaml") == template_deck("en")
    refused = post_file(host, "/api/sheets/import", b"\0garbage", "evil.xlsx")
    assert refused.status_code == 422
    assert not (decks / "evil.yaml").exists()


def test_export_as_spreadsheets_and_print_page(host):
    slug = STARTERS[0]
    xlsx = host.get(f"/api/decks/{slug}/export.xlsx")
    assert xlsx.headers["Content-Disposition"] == f'attachment; filename="{slug}.xlsx"'
    assert deck_from_file(xlsx.data, "x.xlsx") == starter(slug)
    csv_answer = host.get(f"/api/decks/{slug}/export.csv")
    assert deck_from_file(csv_answer.data, "x.csv") == starter(slug)
    page = host.get(f"/decks/{slug}/print?reflections=backs").get_data(as_text=True)
    assert page.count('class="sheet front"') == 7 and page.count('class="sheet back"') == 7


def test_spreadsheets_and_print_need_the_organiser(client):
    assert client.get("/api/sheets/template.xlsx").status_code == 403
    assert client.get(f"/decks/{STARTERS[0]}/print").status_code == 302
