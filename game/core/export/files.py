"""The results as files a spreadsheet or a program reads: JSON, and CSV of the votes and the notes.

Whatever people typed stays text wherever the file is opened: CSV cells that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@``) are prefixed with an apostrophe.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, tzinfo
from typing import Any

from .structure import REPORTED_STATUSES, Data, iso

# --- JSON ----------------------------------------------------------------------------------------


def to_json(data: Data) -> str:
    """The results as a JSON document, times as ISO 8601 in UTC."""

    def dated(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: dated(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [dated(v) for v in value]
        if key in ("at", "started_at", "created_at", "ended_at", "exported_at", "cleared_at"):
            return iso(value)
        return value

    return json.dumps(dated(data), ensure_ascii=False, indent=2) + "\n"


# --- CSV -----------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: typed text that looks like a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


VOTE_COLUMNS = (
    "session",
    "table",
    "card_id",
    "card_title",
    "round",
    "option_number",
    "option",
    "votes",
    "table_choice",
    "status",
    "source",
    "passes",
    "perspective",
)


def _vote_row(
    data: Data,
    card: Data,
    play: Data,
    round_: Data | None = None,
    index: int | None = None,
    late: bool = False,
) -> tuple[object, ...]:
    """A row of the votes CSV: option `index` of a revealed round with its count (or, `late`,
    the late votes for it), or (no `round_`) a card the table skipped or left before a reveal,
    with its status and no counts."""
    if round_ is None or index is None:
        return (
            data["session"]["code"],
            play["table"],
            card["id"],
            card["title"],
            play["round"] + 1,
            None,
            None,
            None,
            "",
            play["status"],
            None,
            None,
            None,
        )
    option = card["options"][index]
    last = round_ is play["rounds"][-1]
    return (
        data["session"]["code"],
        play["table"],
        card["id"],
        card["title"],
        round_["round"],
        index + 1,
        option,
        round_["late" if late else "distribution"][index],
        "yes" if last and not late and play["choice"] == option else "",
        play["status"],
        "late" if late else "tally" if round_["tally"] else "votes",
        None if late else round_["passes"],
        None,
    )


def _perspective_rows(data: Data, card: Data, play: Data) -> list[tuple[object, ...]]:
    """Rows of the votes CSV with the votes of each perspective, option by option (a column
    `perspective` names it; rows without one are the table's totals)."""
    rows: list[tuple[object, ...]] = []
    for entry in play.get("by_perspective", ()):
        for label, counts in sorted(entry["counts"].items()):
            for index, count in enumerate(counts):
                rows.append(
                    (
                        data["session"]["code"],
                        play["table"],
                        card["id"],
                        card["title"],
                        entry["round"],
                        index + 1,
                        card["options"][index],
                        count,
                        "",
                        play["status"],
                        "votes",
                        None,
                        label,
                    )
                )
    return rows


def votes_csv(data: Data) -> str:
    """One row per table, card, round and option: how many votes it got once revealed.

    Unrevealed rounds are left out (their votes are still secret), except a card the table
    skipped or left before a reveal: one row with its status and no counts. Talk cards have no
    votes. `source` is ``votes`` (phones), ``tally`` (a shared device's show of hands) or
    ``late`` (votes cast after that round's reveal by people who had not answered in it, kept
    apart); `passes` how many passed in that round; `table_choice` is marked on the last round.
    """
    rows = []
    for card in data["cards"]:
        options = range(len(card["options"]))
        for play in card["plays"]:
            for round_ in play["rounds"]:
                rows += [_vote_row(data, card, play, round_, i) for i in options]
                if any(round_["late"]):
                    rows += [_vote_row(data, card, play, round_, i, late=True) for i in options]
            if not play["rounds"] and card["options"] and play["status"] in REPORTED_STATUSES:
                rows.append(_vote_row(data, card, play))
            rows += _perspective_rows(data, card, play)
    return _csv(VOTE_COLUMNS, rows)


NOTE_COLUMNS = (
    "session",
    "table",
    "card_id",
    "card_title",
    "kind",
    "author",
    "text",
    "written_at",
    "edited",
    "hidden",
    "reason_for",
    "perspective",
)


def notes_csv(data: Data, tz: tzinfo = UTC) -> str:
    """One row per note, hidden ones included and marked, times in `tz`."""
    rows = []
    for card in data["cards"]:
        for play in card["plays"]:
            for note in play["notes"]:
                rows.append(
                    (
                        data["session"]["code"],
                        play["table"],
                        card["id"],
                        card["title"],
                        note["kind"],
                        note["author"],
                        note["text"],
                        iso(note["at"], tz),
                        note["edited"],
                        note["hidden"],
                        note["reason_for"],
                        note.get("perspective"),
                    )
                )
    return _csv(NOTE_COLUMNS, rows)
