"""The readable report of a session, in Markdown.

Markdown special characters in whatever people typed are escaped, so it renders as typed. A note
the facilitator hid is left out. Headings are translated by the `translate(message, **params)`
function the shell passes in (the core knows no language).
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from ...errors import N_
from ..vocabulary import FLAG_REASONS, NOTE_KINDS, PLAY_STATUSES
from .structure import REPORTED_STATUSES, Data, Translate

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
