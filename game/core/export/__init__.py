"""Results of a session, for taking home: one plain structure, and Markdown, CSV and JSON made
from it.

Pure: the state and the clock come in, text goes out. Exports show what the facilitator may see,
no more: a table's votes appear only once they were revealed (before that, only how many are
in), and votes are counted, never tied to a name. Notes carry their author's name, as the table
saw it. A note the facilitator hid is left out of the readable report and marked in the data
exports.

Whatever people typed stays text wherever the file is opened: Markdown special characters are
escaped, and CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``)
are prefixed with an apostrophe.

Headings of the readable report are translated by the `translate(message, **params)` function the
shell passes in (the core knows no language).

The package: `structure` builds the results, `files` writes JSON and CSV of them, `report` the
readable Markdown. Import from here.
"""

from datetime import UTC, tzinfo

from .files import NOTE_COLUMNS, VOTE_COLUMNS, notes_csv, to_json, votes_csv
from .report import markdown_report, md
from .structure import FORMAT, REPORTED_STATUSES, Data, Translate, results

__all__ = [
    "FORMAT",
    "FORMATS",
    "NOTE_COLUMNS",
    "REPORTED_STATUSES",
    "VOTE_COLUMNS",
    "Data",
    "Translate",
    "markdown_report",
    "md",
    "notes_csv",
    "render",
    "results",
    "to_json",
    "votes_csv",
]


FORMATS = ("md", "votes-csv", "notes-csv", "json")


def render(data: Data, fmt: str, translate: Translate, tz: tzinfo = UTC) -> str:
    """The results `data` as one of `FORMATS` (text); `translate` and `tz` as for the report."""
    if fmt == "md":
        return markdown_report(data, translate, tz)
    if fmt == "votes-csv":
        return votes_csv(data)
    if fmt == "notes-csv":
        return notes_csv(data, tz)
    if fmt == "json":
        return to_json(data)
    raise ValueError(f"unknown results format {fmt!r}")
