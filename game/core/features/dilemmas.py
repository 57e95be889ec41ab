"""Dilemmas from the room: a table writes its own dilemma during the session (a title, the text,
2 to 6 options or none for an open card), the facilitator sees the proposals and can deal one to
that table or to every table (`cards.deal_card`), and it is played like any card. Afterwards the
organiser finds them in the deck editor's inbox and adds them to a deck (`file_dilemma` records
where one went, so the inbox shows each once).

A proposal is checked by the deck validator (`game.decks.deck.parse_card`) and held as a
playable card; dealing it adds it to the session's own copy of the deck, so votes, notes, the
results and the comparison treat it like the deck's cards. Secrecy: the facilitator sees every
proposal; a table sees its own; other tables see one only once it is dealt to them.
"""

from dataclasses import replace
from typing import Any, Literal, TypedDict

from ...decks.deck import OPTION_MAX, OPTIONS_MAX, OPTIONS_MIN, TEXT_MAX, TITLE_MAX, parse_card
from ...errors import N_, InvalidInput, NotFound, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import Proposal, SessionState

MAX_PER_TABLE = 10
MAX_PROPOSALS = 100  # a session's proposals: bounded, like everything kept in memory
MAX_DECK_SLUG = 100


class DilemmaProposed(TypedDict):
    type: Literal["dilemma_proposed"]
    table: int
    pid: str
    proposal: str
    card: dict[str, Any]
    at: Number


class DilemmaAccepted(TypedDict):
    type: Literal["dilemma_accepted"]
    proposal: str
    at: Number


class DilemmaFiled(TypedDict):
    type: Literal["dilemma_filed"]
    proposal: str
    deck: str  # the deck it was added to; "" when the organiser set it aside
    at: Number


def find(state: SessionState, proposal_id: object) -> Proposal | None:
    """The proposal with this id, or None."""
    return next((p for p in state.proposals if p.id == proposal_id), None)


def _proposed(state: SessionState, e: DilemmaProposed) -> None:
    card = parse_card(e["card"], state.deck.language, source=e["proposal"])
    state.proposals.append(
        Proposal(e["proposal"], e["table"], e["pid"], e["at"], card, dict(e["card"]))
    )


def _accepted(state: SessionState, e: DilemmaAccepted) -> None:
    proposal = find(state, e["proposal"])
    if proposal is not None and state.deck.card(proposal.id) is None:
        state.deck = replace(state.deck, cards=(*state.deck.cards, proposal.card))
        proposal.dealt = True


def _filed(state: SessionState, e: DilemmaFiled) -> None:
    proposal = find(state, e["proposal"])
    if proposal is not None:
        proposal.filed = e["deck"]


def _no_table(state: SessionState, e: object) -> set[int]:
    return set()


def accept(state: SessionState, card_id: object) -> list[Event]:
    """The event that adds proposal `card_id` to the session's deck before it is dealt (none
    when it is no proposal, or one already dealt)."""
    proposal = find(state, card_id)
    if proposal is None or proposal.dealt:
        return []
    return [{"type": "dilemma_accepted", "proposal": proposal.id}]


class ProposePayload(TypedDict, total=False):
    title: str
    text: str
    options: list[str]


class FilePayload(TypedDict):
    proposal: str
    deck: str


def _new_id(state: SessionState) -> str:
    number = len(state.proposals) + 1
    while state.deck.card(f"room-{number}") is not None:
        number += 1
    return f"room-{number}"


def _options(payload: ProposePayload) -> list[str]:
    raw = payload.get("options")
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > OPTIONS_MAX:
        raise InvalidInput(
            N_("Give %(lo)d to %(hi)d options, or none for an open card."),
            lo=OPTIONS_MIN,
            hi=OPTIONS_MAX,
        )
    options = [checks.text({"option": o}, "option", OPTION_MAX, required=False) for o in raw]
    options = [o for o in options if o]
    if options and not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
        raise InvalidInput(
            N_("Give %(lo)d to %(hi)d options, or none for an open card."),
            lo=OPTIONS_MIN,
            hi=OPTIONS_MAX,
        )
    if len(set(options)) != len(options):
        raise InvalidInput(N_("Two options are the same."))
    return options


def propose_dilemma(
    state: SessionState, actor: Actor, payload: ProposePayload, now: float
) -> list[Event]:
    """Send the facilitator a dilemma the table wrote: a title, the text, and 2 to 6 options
    (or none: an open card)."""
    checks.not_paused(state)
    member, table = checks.seated(state, actor)
    if len(state.proposals) >= MAX_PROPOSALS:
        raise OutOfTurn(N_("This session has all the proposals it can take."))
    if sum(p.table == table.id for p in state.proposals) >= MAX_PER_TABLE:
        raise OutOfTurn(N_("Your table has sent %(max)d dilemmas already."), max=MAX_PER_TABLE)
    title = checks.text(payload, "title", TITLE_MAX)
    text = checks.text(payload, "text", TEXT_MAX)
    options = _options(payload)
    proposal = _new_id(state)
    card: dict[str, Any] = {"id": proposal, "title": title, "text": text}
    card["response"] = {"type": "choice", "options": options} if options else {"type": "open"}
    parse_card(card, state.deck.language)  # the one validator: this card is playable
    return [
        {
            "type": "dilemma_proposed",
            "table": table.id,
            "pid": member.pid,
            "proposal": proposal,
            "card": card,
        }
    ]


def file_dilemma(
    state: SessionState, actor: Actor, payload: FilePayload, now: float
) -> list[Event]:
    """Record that the organiser added a proposal to a deck (`deck`: its name), or set it aside
    (`deck` empty): the editor's inbox shows it no more."""
    proposal = find(state, payload.get("proposal"))
    if proposal is None:
        raise NotFound(N_("There is no such proposal."))
    deck = checks.text(payload, "deck", MAX_DECK_SLUG, required=False)
    if proposal.filed == deck:
        return []
    return [{"type": "dilemma_filed", "proposal": proposal.id, "deck": deck}]


def proposal_view(state: SessionState, proposal: Proposal) -> dict[str, Any]:
    """A proposal as the facilitator (or its own table) sees it."""
    member = state.members.get(proposal.pid)
    card = proposal.card
    return {
        "id": proposal.id,
        "table": proposal.table,
        "table_name": state.tables[proposal.table].name,
        "by": member.name if member else "",
        "at": proposal.at,
        "title": card.title,
        "text": card.text,
        "options": list(card.response.options),
        "dealt": proposal.dealt,
        "filed": proposal.filed,
    }


FEATURE = Feature(
    "dilemmas",
    commands=(
        Command(
            "propose_dilemma", "participant", ProposePayload, propose_dilemma, ("dilemma_proposed",)
        ),
        Command(
            "file_dilemma",
            "facilitator",
            FilePayload,
            file_dilemma,
            ("dilemma_filed",),
            after_end=True,
        ),
    ),
    events=(
        EventKind(DilemmaProposed, _proposed),
        EventKind(DilemmaAccepted, _accepted, tables=_no_table),
        EventKind(DilemmaFiled, _filed, tables=_no_table),
    ),
)
