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
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from ..decks.model import Card
from ..errors import N_
from .features import care, dilemmas, evaluation, perspectives
from .model import Flag, Note, Play, Proposal, Round, SessionState, Table
from .plenary import board
from .shift import play_shift, revealed_rounds
from .vocabulary import FLAG_REASONS, NOTE_KINDS, PLAY_STATUSES

# Results are plain JSON data (what the exports are made of).
Data = dict[str, Any]
# The shell's translation: a message template and its parameters in, text out.
Translate = Callable[..., str]

FORMAT = "tafelronde-results/2"  # 2: rounds, the shift, reasons, conclusions, the board


# --- the structure -----------------------------------------------------------------------------


def _iso(timestamp: float | None, tz: tzinfo = UTC) -> str | None:
    return (
        datetime.fromtimestamp(timestamp, tz).isoformat(timespec="seconds") if timestamp else None
    )


def _option(card: Card, index: int | None) -> str | None:
    options = card.response.options
    return options[index] if index is not None and 0 <= index < len(options) else None


def _note(state: SessionState, note: Note, card: Card, play: Play | None = None) -> Data:
    member = state.members.get(note.pid)
    return {
        # The perspective its author argued from on this card, if perspectives were dealt.
        "perspective": perspectives.label_of(state, play, note.pid) if play else None,
        "kind": note.kind,
        "author": member.name if member else "",
        "text": note.text,
        "at": note.at,
        "edited": note.edited,
        "hidden": note.hidden,
        # A reason for this option (its label), or None for a note that argues for none.
        "reason_for": _option(card, note.option),
    }


def _round(round_: Round, options: int) -> Data:
    """One revealed round of a play: its counts, passes and the late votes kept apart."""
    late = [0] * options
    for choice in round_.late.values():
        if 0 <= choice < options:
            late[choice] += 1
    return {
        "round": round_.number + 1,
        "distribution": round_.distribution(options),
        "passes": round_.pass_count(),
        "tally": round_.tally is not None,
        "late": late,
    }


def _conclusion(state: SessionState, play: Play) -> Data | None:
    if not play.conclusion:
        return None
    member = state.members.get(play.conclusion["pid"])
    return {
        "text": play.conclusion["text"],
        "by": member.name if member else "",
        "at": play.conclusion["at"],
    }


def _play(state: SessionState, table: Table, play: Play, card: Card) -> Data:
    options = len(card.response.options)
    shown = play.revealed and not play.skipped and options
    return {
        "table": table.name,
        "table_id": table.id,
        "started_at": play.started_at,
        "dealt": play.dealt,
        "round": play.round,
        "revealed": play.revealed,
        # revealed / talking / skipped (by the table) / abandoned (moved on before a reveal)
        "status": care.status(table, play, talk=not options),
        "tally": play.tally is not None,  # the counts are a shared device's show of hands
        "votes_in": play.responses(),
        "distribution": play.distribution(options) if shown else None,
        "passes": play.pass_count() if shown else None,
        # Every revealed round, oldest first (the current one last if it was revealed).
        "rounds": [_round(r, options) for r in revealed_rounds(play)] if options else [],
        "shift": play_shift(play, options, card.response.kind == "scale"),
        "conclusion": _conclusion(state, play),
        "choice": _option(card, play.choice),
        "notes": [_note(state, note, card, play) for note in play.notes],
        # How far the table got in the card's script: the step it was on, of how many.
        "steps": {"reached": play.step, "count": len(state.deck.steps_for(card))},
        # Each revealed round's votes counted by the perspective their voters argued from.
        "by_perspective": _by_perspective(state, play, options) if options else [],
    }


def _by_perspective(state: SessionState, play: Play, options: int) -> list[Data]:
    """Per revealed round, ``{perspective label: counts per option}`` (votes of phones only: a
    show of hands has no voters); empty when no perspectives were dealt on this play."""
    if not play.perspectives:
        return []
    rounds = []
    for round_ in revealed_rounds(play):
        counts: dict[str, list[int]] = {}
        for pid, choice in round_.votes.items():
            label = perspectives.label_of(state, play, pid)
            if label is not None and 0 <= choice < options:
                counts.setdefault(label, [0] * options)[choice] += 1
        rounds.append({"round": round_.number + 1, "counts": counts})
    return rounds


def _flag(state: SessionState, table: Table, flag: Flag) -> Data:
    """One call for the facilitator: why, when, who, and when it was cleared (if it was)."""
    member = state.members.get(flag["pid"])
    return {
        "reason": flag["reason"],
        "by": member.name if member else "",
        "at": flag["at"],
        "cleared_at": flag["cleared_at"],
    }


def results(state: SessionState, now: float) -> Data:
    """Everything a session produced, as plain data: the source of every export format.

    Cards appear in deck order, only those played somewhere; each has one entry per play (a
    table that played a card twice has two) and the total over all revealed plays.
    """
    cards = []
    for card in state.deck.cards:
        plays = [
            _play(state, table, play, card)
            for table in state.tables
            for play in table.plays
            if play.card == card.id
        ]
        if not plays:
            continue
        total = None
        if card.response.options:
            total = [0] * len(card.response.options)
            for play in plays:  # each table's last revealed round
                last = play["rounds"][-1]["distribution"] if play["rounds"] else ()
                for index, count in enumerate(last):
                    total[index] += count
        category = state.deck.category(card.category) if card.category else None
        cards.append(
            {
                "id": card.id,
                "from_room": dilemmas.find(state, card.id) is not None,
                "title": card.title,
                "category": category.label if category else None,
                "text": card.text,
                "response": card.response.kind,
                "statement": card.response.statement or None,
                "options": list(card.response.options),
                "total": total,
                "plays": plays,
            }
        )
    return {
        "format": FORMAT,
        "exported_at": now,
        "session": {
            "code": state.code,
            "name": state.settings.name,
            "deck": {
                "id": state.deck_id,
                "title": state.deck.title,
                "language": state.deck.language,
            },
            "created_at": state.created_at,
            "ended_at": state.ended_at,
            "seating": state.settings.seating,
            "flow": state.settings.flow,
            "people": len(state.members),
            # The programme: the cards chosen in order (None: the whole deck), openers, closers.
            "programme": state.settings.programme,
            "openers": state.settings.openers,
            "closers": state.settings.closers,
            "perspectives": state.settings.perspectives,
        },
        "tables": [
            {
                "id": table.id,
                "name": table.name,
                "members": [m.name for m in state.table_members(table.id)],
                "cards_played": len(table.plays),
                "devices": state.devices(table.id),
                "flags": [_flag(state, table, flag) for flag in table.flags],
            }
            for table in state.tables
        ],
        "cards": cards,
        # The plenary board: the played cards ranked by how divided the room is and how much
        # opinions moved (see game/core/plenary.py).
        "board": [
            {k: v for k, v in item.items() if k not in ("reasons",)} for item in board(state)
        ],
        # Anonymous, like everywhere; None until the session ended (see game/evaluation.py).
        "evaluation": evaluation.summary(state),
        # Dilemmas the tables wrote (features/dilemmas.py), dealt or not.
        "proposals": [_proposal(state, p) for p in state.proposals],
    }


def _proposal(state: SessionState, proposal: Proposal) -> Data:
    view = dilemmas.proposal_view(state, proposal)
    del view["table_name"]
    return {**view, "table": state.tables[proposal.table].name, "card": proposal.data}


# --- JSON ----------------------------------------------------------------------------------------


def to_json(data: Data) -> str:
    """The results as a JSON document, times as ISO 8601 in UTC."""

    def dated(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: dated(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [dated(v) for v in value]
        if key in ("at", "started_at", "created_at", "ended_at", "exported_at", "cleared_at"):
            return _iso(value)
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
                        _iso(note["at"], tz),
                        note["edited"],
                        note["hidden"],
                        note["reason_for"],
                        note.get("perspective"),
                    )
                )
    return _csv(NOTE_COLUMNS, rows)


# --- Markdown --------------------------------------------------------------------------------------

# Markdown escaping: only what would change how the line renders, so "civil-society" and
# "time." stay as typed. Anywhere in a line: backslash before punctuation (or at the end, a hard
# break), code spans, emphasis, links and images, HTML and autolinks, table cells, strikethrough,
# entity references. `_` only at a word's edge: CommonMark ignores it inside "snake_case".
_MD_INLINE = re.compile(
    r"\\(?=[!-/:-@\[-`{-~]|$)"  # a backslash that would escape or break
    r"|[`*<\[\]|~]"
    r"|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])"
    r"|&(?=#?[0-9A-Za-z]+;)"
)
# At the start of a line: headings, quotes, list items, thematic breaks, setext underlines.
_MD_LINE_START = re.compile(r"^([#>+=-])|^(\d{1,9})([.)])")
# A heading's closing sequence: "Card #" would lose its "#".
_MD_CLOSING_HASHES = re.compile(r"(?<=\s)#(#*)$")

# The statuses the report spells out under a card (the others show the distribution).
REPORTED_STATUSES = ("skipped", "abandoned")


def md(text: object) -> str:
    """Typed text as Markdown that renders exactly that text, on one line."""
    one_line = " ".join(str(text).split())
    escaped = _MD_INLINE.sub(lambda m: "\\" + m.group(0), one_line)
    escaped = _MD_LINE_START.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), escaped
    )
    return _MD_CLOSING_HASHES.sub(r"\\#\1", escaped)


def _when(timestamp: float | None, tz: tzinfo) -> str:
    return datetime.fromtimestamp(timestamp, tz).strftime("%Y-%m-%d %H:%M") if timestamp else ""


def _distribution_lines(options: list[str], counts: list[int], translate: Translate) -> list[str]:
    """A Markdown table: each option with its votes and share."""
    total = sum(counts)
    lines = [
        f"| {translate(N_('Option'))} | {translate(N_('Votes'))} | % |",
        "|---|---:|---:|",
    ]
    for option, count in zip(options, counts, strict=True):
        share = f"{round(100 * count / total)}%" if total else ""
        lines.append(f"| {md(option)} | {count} | {share} |")
    return lines


def _rounds_lines(card: Data, play: Data, t: Translate) -> list[str]:
    """Each revealed round of one table's card, the shift between the first and the last, or
    why there are no counts yet."""
    lines = []
    if not play["rounds"]:
        return [t(N_("Not revealed yet (votes in: %(num)d)."), num=play["votes_in"]), ""]
    several = len(play["rounds"]) > 1
    for round_ in play["rounds"]:
        if several:
            lines += [f"**{t(N_('Round %(num)d'), num=round_['round'])}**", ""]
        if round_["tally"]:
            lines += [t(N_("Counted by show of hands (one shared device).")), ""]
        lines += _distribution_lines(card["options"], round_["distribution"], t)
        lines.append("")
        if round_["passes"]:
            lines += [t(N_("Passed: %(num)d"), num=round_["passes"]), ""]
        if any(round_["late"]):
            late = ", ".join(
                f"{md(option)}: {n}"
                for option, n in zip(card["options"], round_["late"], strict=True)
                if n
            )
            lines += [t(N_("Voted late, after the reveal (not counted): %(votes)s"), votes=late)]
            lines.append("")
    shift = play["shift"]
    if play["round"] + 1 > len(play["rounds"]) and play["distribution"] is None:
        lines += [t(N_("Round %(num)d is not revealed yet."), num=play["round"] + 1), ""]
    if shift and shift["changed"] is not None:
        lines += [_shift_line(card["options"], shift, t), ""]
    return lines


def _answer(options: list[str], answer: int | str, t: Translate) -> str:
    return md(options[answer]) if isinstance(answer, int) else t(N_("pass"))


def _shift_line(options: list[str], shift: Data, t: Translate) -> str:
    """'Changed their mind: 2 of 4 (A → B: 1, pass → C: 1)'."""
    followed = shift["changed"] + shift["stayed"]
    moves = ", ".join(
        f"{_answer(options, m['from'], t)} → {_answer(options, m['to'], t)}: {m['count']}"
        for m in shift["moves"]
    )
    line = t(N_("Changed their mind: %(num)d of %(people)d"), num=shift["changed"], people=followed)
    return line + (f" ({moves})" if moves else "")


def _board_lines(data: Data, t: Translate) -> list[str]:
    """The cards that divided the room most, for opening the plenary."""
    voted = [item for item in data.get("board", []) if not item["talk"] and item["votes"]]
    if not voted:
        return []
    lines = ["", f"## {t(N_('For the plenary'))}", ""]
    for item in voted[:5]:
        facts = [t(N_("divided: %(share)d%%"), share=round(100 * (item["divided"] or 0)))]
        if item["moved"] is not None:
            facts.append(t(N_("changed their mind: %(share)d%%"), share=round(100 * item["moved"])))
        facts.append(t(N_("conclusions: %(num)d"), num=len(item["conclusions"])))
        lines.append(f"1. **{md(item['card']['title'])}**: " + "; ".join(facts))
    return lines


def markdown_report(data: Data, translate: Translate, tz: tzinfo = UTC) -> str:
    """A readable report: the session, then each card with every table's votes and notes."""
    t = translate
    session = data["session"]
    facts = [
        t(N_("Session: %(code)s"), code=session["code"])
        + (f" ({md(session['name'])})" if session.get("name") else ""),
        t(N_("Started: %(date)s"), date=_when(session["created_at"], tz)),
    ]
    if session["ended_at"]:
        facts.append(t(N_("Ended: %(date)s"), date=_when(session["ended_at"], tz)))
    facts += [
        t(N_("People: %(num)d"), num=session["people"]),
        t(N_("Exported: %(date)s"), date=_when(data["exported_at"], tz)),
    ]
    lines = [f"# {md(session['deck']['title'])}", ""]
    lines += [f"- {fact}" for fact in facts]
    lines += _board_lines(data, t)
    lines += [
        "",
        f"## {t(N_('Tables'))}",
        "",
    ]
    for table in data["tables"]:
        members = ", ".join(md(name) for name in table["members"] if name)
        calls = ", ".join(
            f"{t(FLAG_REASONS.label(flag['reason']))} {_when(flag['at'], tz)}"
            for flag in table["flags"]
        )
        lines.append(
            f"- **{md(table['name'])}**: "
            + t(N_("cards played: %(num)d"), num=table["cards_played"])
            + (f" ({members})" if members else "")
            + (f"; {t(N_('one shared device'))}" if table["devices"] == "shared" else "")
            + (f"; {t(N_('called the facilitator: %(calls)s'), calls=calls)}" if calls else "")
        )
    if not data["cards"]:
        lines += ["", t(N_("No cards were played yet."))]
    for card in data["cards"]:
        lines += ["", f"## {md(card['title'])}", ""]
        if card["category"]:
            lines += [f"*{md(card['category'])}*", ""]
        lines += [md(card["text"]), ""]
        if card["statement"]:
            lines += [f"> {md(card['statement'])}", ""]
        revealed = [play for play in card["plays"] if play["distribution"] is not None]
        if len(revealed) > 1:
            lines += [f"### {t(N_('All tables'))}", ""]
            lines += _distribution_lines(card["options"], card["total"], t)
            lines.append("")
        for play in card["plays"]:
            lines += [f"### {md(play['table'])}", ""]
            if play["status"] in REPORTED_STATUSES:
                lines += [t(PLAY_STATUSES.label(play["status"])), ""]
            elif not card["options"]:
                lines += [t(PLAY_STATUSES.label("talked")), ""]
            else:
                lines += _rounds_lines(card, play, t)
            if play["choice"] is not None:
                lines += [t(N_("The table chose: %(choice)s"), choice=md(play["choice"])), ""]
            if play["conclusion"]:
                conclusion = play["conclusion"]
                lines += [
                    t(N_("The table's conclusion: %(text)s"), text=md(conclusion["text"]))
                    + (f" ({md(conclusion['by'])})" if conclusion["by"] else ""),
                    "",
                ]
            lines += _perspective_lines(card, play, t)
            shown = [note for note in play["notes"] if not note["hidden"]]
            for note in shown:
                author = f" ({md(note['author'])})" if note["author"] else ""
                reason = (
                    " " + t(N_("reason for %(option)s"), option=md(note["reason_for"]))
                    if note["reason_for"]
                    else ""
                )
                lines.append(
                    f"- **{t(NOTE_KINDS.label(note['kind']))}**{author}{reason}: {md(note['text'])}"
                )
            if shown:
                lines.append("")
    lines += _proposal_lines(data.get("proposals", ()), t)
    lines += _evaluation_lines(data["evaluation"], t)
    return "\n".join(lines).rstrip() + "\n"


def _perspective_lines(card: Data, play: Data, t: Translate) -> list[str]:
    """The last revealed round's votes by perspective: 'The director: A 2, B 1'."""
    rounds = [entry for entry in play.get("by_perspective", ()) if entry["counts"]]
    if not rounds:
        return []
    lines = [f"*{t(N_('Votes by perspective'))}*", ""]
    for label, counts in sorted(rounds[-1]["counts"].items()):
        votes = ", ".join(
            f"{md(option)}: {n}" for option, n in zip(card["options"], counts, strict=True) if n
        )
        lines.append(f"- {md(label)}: {votes}")
    return [*lines, ""]


def _proposal_lines(proposals: Sequence[Data], t: Translate) -> list[str]:
    """The dilemmas the tables wrote, with where they went."""
    if not proposals:
        return []
    lines = ["", f"## {t(N_('Dilemmas from the room'))}", ""]
    for proposal in proposals:
        where = t(N_("from %(table)s"), table=md(proposal["table"]))
        dealt = f"; {t(N_('played'))}" if proposal["dealt"] else ""
        lines.append(f"- **{md(proposal['title'])}** ({where}{dealt}): {md(proposal['text'])}")
        lines += [f"  - {md(option)}" for option in proposal["options"]]
    return lines


def _evaluation_lines(summary: Data | None, t: Translate) -> list[str]:
    """The closing evaluation as a Markdown section (nothing before the session ended)."""
    if summary is None:
        return []
    lines = ["", f"## {t(N_('Evaluation'))}", ""]
    lines.append(
        t(
            N_("Answers: %(num)d of %(people)d people"),
            num=summary["answers"],
            people=summary["people"],
        )
    )
    if not summary["answers"]:
        return lines
    lines += [
        "",
        t(N_("How useful (1 to 5): %(average)s on average"), average=summary["useful_average"]),
        "",
    ]
    lines += ["| 1 | 2 | 3 | 4 | 5 |", "|---:|---:|---:|---:|---:|"]
    lines.append("| " + " | ".join(str(n) for n in summary["useful"]) + " |")
    for key, heading in (("keep", N_("What to keep")), ("add", N_("What to add or change"))):
        if summary[key]:
            lines += ["", f"### {t(heading)}", ""]
            lines += [f"- {md(text)}" for text in summary[key]]
    return lines


# --- one entry point ---------------------------------------------------------------------------

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
