"""Comparing runs of one deck: card by card, how the votes and the tables' joint choices of two
or more sessions differ, beside each run's evaluation.

Pure: it takes the results of each session (`game.core.export.results`) and returns plain data,
and CSV or JSON made from it. It shows what the exports show, no more: revealed counts (a
shared device's tally counts as that table's votes), joint choices, skipped cards, passes; never
a name. Runs are matched by card id; a card edited between runs keeps each run's own options.
"""

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

# Results and comparisons are plain JSON data.
Data = dict[str, Any]

FORMAT = "tafelronde-compare/2"  # 2: how many changed their mind, conclusions
MIN_RUNS = 2


def _run(data: Data) -> Data:
    """One session as a column of the comparison: when, how many, and its evaluation."""
    session, summary = data["session"], data["evaluation"]
    return {
        "code": session["code"],
        "name": session.get("name") or "",  # results before programmes have no name
        "created_at": session["created_at"],
        "ended_at": session["ended_at"],
        "people": session["people"],
        "tables": len(data["tables"]),
        "evaluation": (
            {
                "answers": summary["answers"],
                "people": summary["people"],
                "useful": summary["useful"],
                "useful_average": summary["useful_average"],
                "keep": summary["keep"],
                "add": summary["add"],
            }
            if summary
            else None
        ),
    }


def _card_in_run(card: Data) -> Data:
    """How one run played one card: total counts, shares, joint choices, skips, passes."""
    options = card["options"]
    total = [0] * len(options)
    choices = [0] * len(options)
    revealed = skipped = abandoned = passes = tallies = changed = followed = 0
    conclusions = []
    for play in card["plays"]:
        rounds = play.get("rounds") or []  # results of format 1 have no rounds
        last = rounds[-1] if rounds else None
        if last is None and play["distribution"] is not None:
            last = {"distribution": play["distribution"], "passes": play["passes"]}
        if last is not None:  # each table's last revealed round
            revealed += 1
            tallies += play["tally"]
            passes += last["passes"] or 0
            total = [a + b for a, b in zip(total, last["distribution"], strict=True)]
        shift = play.get("shift")
        if shift and shift["changed"] is not None:
            changed += shift["changed"]
            followed += shift["changed"] + shift["stayed"]
        if play.get("conclusion"):
            conclusions.append({"table": play["table"], "text": play["conclusion"]["text"]})
        skipped += play["status"] == "skipped"
        abandoned += play["status"] == "abandoned"
        if play["choice"] in options:
            choices[options.index(play["choice"])] += 1
    votes = sum(total)
    return {
        "options": list(options),
        "plays": len(card["plays"]),
        "revealed": revealed,
        "tallies": tallies,
        "votes": total,
        "shares": [round(100 * n / votes) for n in total] if votes else None,
        "passes": passes,
        "choices": choices,
        "skipped": skipped,
        "abandoned": abandoned,
        "changed": changed,  # people who changed their mind between rounds
        "followed": followed,  # people who answered in a first and a later round
        "conclusions": conclusions,
    }


def compare(results: list[Data]) -> Data:
    """The comparison of several sessions' `results` (oldest first in the answer).

    Cards follow the deck order of the newest run; cards only older runs played come after.
    Each card has one entry per run: ``None`` when that run did not play it.
    """
    runs = sorted(results, key=lambda data: data["session"]["created_at"])
    newest = runs[-1] if runs else None
    order, titles = [], {}
    for data in [newest, *runs[:-1]] if newest else []:
        for card in data["cards"]:
            if card["id"] not in titles:
                order.append(card["id"])
                titles[card["id"]] = card["title"]
    cards = []
    for card_id in order:
        per_run = []
        for data in runs:
            card = next((c for c in data["cards"] if c["id"] == card_id), None)
            per_run.append(_card_in_run(card) if card else None)
        cards.append({"id": card_id, "title": titles[card_id], "runs": per_run})
    deck = newest["session"]["deck"] if newest else None
    return {
        "format": FORMAT,
        "deck": deck,
        "runs": [_run(data) for data in runs],
        "cards": cards,
    }


def _iso(timestamp: float | None) -> str | None:
    return (
        datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds") if timestamp else None
    )


def to_json(comparison: Data) -> str:
    """The comparison as a JSON document, times as ISO 8601 in UTC."""
    runs = [
        {**run, "created_at": _iso(run["created_at"]), "ended_at": _iso(run["ended_at"])}
        for run in comparison["runs"]
    ]
    return json.dumps({**comparison, "runs": runs}, ensure_ascii=False, indent=2) + "\n"


COLUMNS = (
    "deck",
    "card_id",
    "card_title",
    "session",
    "session_date",
    "option_number",
    "option",
    "votes",
    "share",
    "joint_choices",
    "tables_revealed",
    "tallies",
    "passes",
    "skipped",
    "abandoned",
    "changed_mind",
    "useful_average",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # typed text a spreadsheet would run as a formula stays text
    return value


def to_csv(comparison: Data) -> str:
    """One row per card, run and option (a run that did not play a card: no row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    deck = comparison["deck"]["id"] if comparison["deck"] else ""
    for card in comparison["cards"]:
        for run, played in zip(comparison["runs"], card["runs"], strict=True):
            if played is None:
                continue
            evaluation = run["evaluation"] or {}
            for index, option in enumerate(played["options"]):
                row = (
                    deck,
                    card["id"],
                    card["title"],
                    run["code"],
                    (_iso(run["created_at"]) or "")[:10],
                    index + 1,
                    option,
                    played["votes"][index],
                    played["shares"][index] if played["shares"] else None,
                    played["choices"][index],
                    played["revealed"],
                    played["tallies"],
                    played["passes"],
                    played["skipped"],
                    played["abandoned"],
                    played["changed"],
                    evaluation.get("useful_average"),
                )
                writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()
