"""Results exports from the pure core: what is in them, what is kept out, and typed text stays
text (Markdown escaped, spreadsheet formulas defused)."""

import csv
import io
import json

import pytest

from game.core import export
from tests.coregame import Game

EN = lambda message, **params: message % params if params else message  # noqa: E731


def played_session():
    """Two tables: table 1 revealed 'pick' with notes and a choice; table 2 still voting."""
    g = Game(tables=2)
    for pid, table in (("a", 0), ("b", 0), ("c", 0), ("d", 1), ("e", 1)):
        g.seat(pid, table, name=pid.upper())
    g.host("deal_card", card="pick")
    g.do("a", "cast_vote", choice=0)
    g.do("b", "cast_vote", choice=0)
    g.do("c", "cast_vote", choice=2)  # everyone present voted: table 1 is revealed
    g.do("d", "cast_vote", choice=1)  # table 2: one of two, still secret
    g.do("a", "add_note", kind="tip", text="Start small")
    (hidden,) = g.do("b", "add_note", kind="concern", text="Off topic")
    g.host("hide_note", note=hidden["note"])
    g.do("c", "record_choice", choice=0)
    g.now += 60
    return g


def test_results_count_revealed_votes_only():
    g = played_session()
    data = export.results(g.state, g.now)
    assert data["format"] == "tafelronde-results/2"  # 2: rounds, shift, reasons, conclusions
    (card,) = data["cards"]
    assert card["id"] == "pick" and card["options"] == ["A", "B", "C"]
    first, second = card["plays"]
    assert first["table"] == "Table 1" and first["distribution"] == [2, 0, 1]
    assert first["choice"] == "A"
    assert second["distribution"] is None and second["votes_in"] == 1
    # The secret vote at table 2 is not in the total, nor anywhere else in the data.
    assert card["total"] == [2, 0, 1]
    assert '"d"' not in json.dumps(data)


def test_results_never_tie_a_vote_to_a_person():
    g = played_session()
    text = export.to_json(export.results(g.state, g.now))
    for pid in "abcde":
        assert f'"{pid}"' not in text  # no participant ids, so votes cannot be traced back


def test_cards_follow_the_deck_and_list_every_table_that_played():
    g = played_session()
    g.host("deal_card", card="two")
    g.host("deal_card", card="agree")
    data = export.results(g.state, g.now)
    assert [c["id"] for c in data["cards"]] == ["pick", "agree", "two"]
    assert [len(c["plays"]) for c in data["cards"]] == [2, 2, 2]


def test_open_cards_have_notes_but_no_votes():
    g = Game(tables=1)
    g.seat("a", 0, name="Ann")
    g.host("deal_card", card="talk")
    g.do("a", "add_note", kind="experience", text="Our forum stayed empty")
    data = export.results(g.state, g.now)
    (card,) = data["cards"]
    assert card["options"] == [] and card["total"] is None
    assert export.votes_csv(data).count("\r\n") == 1  # the header only
    assert "Our forum stayed empty" in export.notes_csv(data)
    assert "Our forum stayed empty" in export.markdown_report(data, EN)


def test_json_has_iso_times_and_every_table():
    g = played_session()
    data = json.loads(export.to_json(export.results(g.state, g.now)))
    assert data["session"]["code"] == "ABC234"
    assert data["session"]["created_at"].endswith("+00:00")
    assert data["exported_at"] == "1970-01-01T00:17:40+00:00"  # Game's clock: 1000 s + 60 s
    assert [t["name"] for t in data["tables"]] == ["Table 1", "Table 2"]
    assert data["tables"][0]["members"] == ["A", "B", "C"]
    notes = data["cards"][0]["plays"][0]["notes"]
    assert [(n["kind"], n["text"], n["hidden"]) for n in notes] == [
        ("tip", "Start small", False),
        ("concern", "Off topic", True),
    ]


def test_votes_csv_has_one_row_per_revealed_option():
    g = played_session()
    rows = list(csv.DictReader(io.StringIO(export.votes_csv(export.results(g.state, g.now)))))
    assert [(r["table"], r["option"], r["votes"], r["table_choice"]) for r in rows] == [
        ("Table 1", "A", "2", "yes"),
        ("Table 1", "B", "0", ""),
        ("Table 1", "C", "1", ""),
    ]
    assert list(rows[0]) == list(export.VOTE_COLUMNS)


def test_notes_csv_marks_hidden_notes():
    g = played_session()
    rows = list(csv.DictReader(io.StringIO(export.notes_csv(export.results(g.state, g.now)))))
    assert [(r["author"], r["kind"], r["text"], r["hidden"]) for r in rows] == [
        ("A", "tip", "Start small", "no"),
        ("B", "concern", "Off topic", "yes"),
    ]


def test_typed_text_that_looks_like_a_formula_stays_text_in_csv():
    g = Game(tables=1)
    g.seat("a", 0, name='=HYPERLINK("http://x")')
    g.host("deal_card", card="talk")
    for text in ("=1+1", "+31 6 1234", "-2", "@SUM(A1)"):
        g.do("a", "add_note", kind="tip", text=text)
    rows = list(csv.DictReader(io.StringIO(export.notes_csv(export.results(g.state, g.now)))))
    assert [r["text"] for r in rows] == ["'=1+1", "'+31 6 1234", "'-2", "'@SUM(A1)"]
    assert rows[0]["author"].startswith("'=")


def test_markdown_report_reads_well_and_leaves_hidden_notes_out():
    g = played_session()
    report = export.markdown_report(export.results(g.state, g.now), EN)
    assert report.startswith("# Small\n")
    assert "- Session: ABC234" in report
    assert "## Pick one" in report and "*Action*" in report
    assert "| A | 2 | 67% |" in report and "| C | 1 | 33% |" in report
    assert "Not revealed yet \\(votes in: 1\\)" not in report  # our own words are not escaped
    assert "Not revealed yet (votes in: 1)." in report
    assert "The table chose: A" in report
    assert "- **Tip** (A): Start small" in report
    assert "Off topic" not in report


def test_markdown_escapes_what_people_typed():
    g = Game(tables=1)
    g.seat("a", 0, name="<b>Eve</b>")
    g.host("deal_card", card="talk")
    g.do(
        "a",
        "add_note",
        kind="tip",
        text="[click](http://evil) ![x](y) <img src=x onerror=alert(1)>\n# not a heading | *no*",
    )
    report = export.markdown_report(export.results(g.state, g.now), EN)
    line = next(line for line in report.splitlines() if "click" in line)
    assert line == (
        "- **Tip** (\\<b>Eve\\</b>): \\[click\\](http://evil) !\\[x\\](y) "
        "\\<img src=x onerror=alert(1)> # not a heading \\| \\*no\\*"
    )


def test_markdown_leaves_ordinary_punctuation_alone():
    assert export.md("civil-society organisations, in time. (Really!) snake_case 3.5") == (
        "civil-society organisations, in time. (Really!) snake_case 3.5"
    )


MARKDOWN_TRAPS = [
    "[click](http://evil) ![x](y) <img src=x onerror=alert(1)>",
    "# not a heading",
    "- not a list",
    "+ not a list",
    "> not a quote",
    "1. not a list",
    "12) not a list",
    "---",
    "===",
    "*stars* **bold** _under_ __double__ snake_case",
    "`code` ``two``",
    "~~struck~~",
    "a | b | c",
    "&amp; &#65; &copy; & alone",
    "ends with a backslash \\",
    "C:\\Users\\Eve and \\* and \\_",
    "<https://example.org> <b>bold</b>",
    "Card #",
    "Card ## two",
    "time. civil-society (yes) {braces} 50% $5 !",
]


@pytest.mark.parametrize("typed", MARKDOWN_TRAPS)
def test_markdown_renders_typed_text_exactly(typed):
    """Rendered by a CommonMark parser (with tables and strikethrough), md() shows what was typed."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for template in ("{}", "## {}", "- **Tip** (A): {}", "| {} | 1 | 50% |"):
        source = template.format(export.md(typed))
        if template.startswith("|"):
            source = "| Option | Votes | % |\n|---|---:|---:|\n" + source
        tokens = renderer.parse(source)
        shown = "".join(
            child.content
            for token in tokens
            if token.type == "inline"
            for child in token.children
            if child.type in ("text", "code_inline", "html_inline")
        )
        kinds = {
            child.type for token in tokens if token.type == "inline" for child in token.children
        }
        assert kinds <= {"text", "strong_open", "strong_close"}, (source, kinds)
        assert typed in shown or shown.endswith(typed), (source, shown)


def test_report_is_translated_by_the_function_passed_in():
    g = played_session()
    dutch = {"Session: %(code)s": "Sessie: %(code)s", "Tip": "Tip", "All tables": "Alle tafels"}

    def nl(message, **params):
        text = dutch.get(message, message)
        return text % params if params else text

    report = export.markdown_report(export.results(g.state, g.now), nl)
    assert "- Sessie: ABC234" in report


def test_empty_session_says_so():
    g = Game(tables=2)
    report = export.markdown_report(export.results(g.state, g.now), EN)
    assert "No cards were played yet." in report
    assert (
        export.votes_csv(export.results(g.state, g.now)) == ",".join(export.VOTE_COLUMNS) + "\r\n"
    )
