"""A table's takeaway: what its people keep when the session ends. Pure, like every view.

The cards the table played, each with its dilemma, the reflection, the table's revealed votes
(every round, and who moved), its choice and conclusion, and its notes (hidden ones left out);
nothing of any other table. Whether a phone may open it is `features.takeaway.offered`; the page
is `game.web.live.takeaway`.
"""

from typing import Any

from .features import care
from .model import SessionState
from .shift import play_shift, revealed_rounds
from .views import _note_view, card_view, conclusion_view


def takeaway_view(state: SessionState, table_id: int) -> dict[str, Any]:
    """Table `table_id`'s takeaway: the session, the table and its cards, oldest first."""
    table = state.tables[table_id]
    cards = []
    for play in table.plays:
        card = state.deck.card(play.card)
        if card is None:
            continue
        options = len(card.response.options)
        view = card_view(card, state.deck, True)  # the reflection: the session is over
        cards.append(
            {
                "card": view,
                "status": care.status(table, play, talk=not options),
                "rounds": [
                    {
                        "round": r.number + 1,
                        "distribution": r.distribution(options),
                        "passes": r.pass_count(),
                    }
                    for r in revealed_rounds(play)
                ]
                if options
                else [],
                "shift": play_shift(play, options, card.response.kind == "scale"),
                "choice": card.response.options[play.choice]
                if play.choice is not None and 0 <= play.choice < options
                else None,
                "conclusion": conclusion_view(state, play),
                "notes": [_note_view(state, n) for n in play.notes if not n.hidden],
                "from_room": any(p.id == card.id for p in state.proposals),
            }
        )
    return {
        "session": {
            "code": state.code,
            "name": state.settings.name,
            "deck": {"title": state.deck.title, "language": state.deck.language},
            "created_at": state.created_at,
            "ended_at": state.ended_at,
        },
        "table": {
            "id": table.id,
            "name": table.name,
            "members": [m.name for m in state.table_members(table.id) if m.name],
        },
        "cards": cards,
    }
