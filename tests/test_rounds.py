"""Deliberation in the core: rounds kept, the shift between them, late votes, reasons, the
table's conclusion, talk cards and the plenary board. No server."""

import pytest

from game.core.plenary import board, entropy, majority
from game.core.registry import replay
from game.core.rules import PROJECTOR, Actor
from game.core.views import view_for
from game.errors import InvalidInput, OutOfTurn
from tests.coregame import Game, room, vote

# --- rounds ----------------------------------------------------------------------------------


def test_every_round_is_kept_and_replays_the_same():
    g = room(tables=1)
    vote(g, 0, [0, 0, 1])
    assert g.state.tables[0].current.revealed
    g.do("t0a", "revote")
    vote(g, 0, [1, 1, 1])
    play = g.state.tables[0].current
    assert [r.distribution(3) for r in play.rounds()] == [[2, 1, 0], [0, 3, 0]]
    assert all(r.revealed for r in play.rounds())
    again = replay(g.log).tables[0].current
    assert [r.votes for r in again.rounds()] == [r.votes for r in play.rounds()]


def test_a_vote_after_the_reveal_from_someone_who_had_not_voted_is_late_never_mixed_in():
    g = room(tables=1)
    g.connect("t0c", False)  # away: the reveal does not wait for them
    vote(g, 0, [0, 1])
    play = g.state.tables[0].current
    assert play.revealed
    g.connect("t0c")
    events = g.do("t0c", "cast_vote", choice=2)
    assert events[0]["late"] is True
    assert play.distribution(3) == [1, 1, 0] and play.late == {"t0c": 2}
    view = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["current"]
    assert view["distribution"] == [1, 1, 0] and view["late"] == 1
    assert replay(g.log).tables[0].current.late == {"t0c": 2}


def test_a_late_vote_sent_again_changes_nothing_and_a_new_choice_replaces_it():
    g = room(tables=1)
    g.connect("t0c", False)
    vote(g, 0, [0, 1])
    g.connect("t0c")
    assert g.do("t0c", "cast_vote", choice=2)[0]["late"] is True
    assert g.do("t0c", "cast_vote", choice=2) == []  # the phone sent it again
    assert g.do("t0b", "cast_vote", choice=1) == []  # the same vote after the reveal: no change
    again = g.do("t0c", "cast_vote", choice=0)
    assert again[0]["late"] is True and again[0]["round"] == 0
    play = g.state.tables[0].current
    assert play.late == {"t0c": 0} and play.distribution(3) == [1, 1, 0] and play.round == 0


def test_a_changed_vote_after_the_reveal_is_a_vote_of_the_next_round():
    g = room(tables=1)
    vote(g, 0, [0, 0, 1])
    events = g.do("t0a", "cast_vote", choice=2)
    cast = [e for e in events if e["type"] == "vote_cast"]
    assert len(cast) == 1 and cast[0]["round"] == 1 and cast[0]["choice"] == 2
    play = g.state.tables[0].current
    assert play.round == 1 and play.votes == {"t0a": 2}
    assert [r.distribution(3) for r in play.rounds()] == [[2, 1, 0], [0, 0, 1]]


@pytest.mark.parametrize(
    ("card", "choice", "extra", "error", "message"),
    [
        ("talk", 0, {}, OutOfTurn, "This card has no vote; add a note instead."),
        ("pick", 3, {}, InvalidInput, "That choice is not on this card."),
        ("pick", -1, {}, InvalidInput, "That choice is not on this card."),
        ("pick", 0, {"card": "two"}, OutOfTurn, "The table has moved on to another card."),
    ],
)
def test_a_wrong_vote_is_refused_with_a_reason(card, choice, extra, error, message):
    g = room(tables=1, card=card)
    with pytest.raises(error) as refused:
        g.do("t0a", "cast_vote", choice=choice, **extra)
    assert str(refused.value) == message
    assert g.state.tables[0].current.votes == {}


NO_VOTE = "This card has no vote; add a note instead."


@pytest.mark.parametrize(
    ("card", "who", "command", "payload", "error", "message"),
    [
        ("talk", "t0a", "revote", {}, OutOfTurn, NO_VOTE),
        ("talk", None, "reset_table", {"table": 0}, OutOfTurn, NO_VOTE),
        (
            "pick",
            "t0a",
            "revote",
            {},
            OutOfTurn,
            "The votes are still secret: anyone can change their own vote until they are shown.",
        ),
        ("pick", None, "set_rounds", {"rounds": 11}, InvalidInput, "Choose 1 to 10 rounds."),
        ("pick", None, "set_rounds", {"rounds": 0}, InvalidInput, "Choose 1 to 10 rounds."),
        (
            "pick",
            "t0a",
            "record_choice",
            {"choice": 3},
            InvalidInput,
            "That choice is not on this card.",
        ),
        (
            "pick",
            "t0a",
            "record_choice",
            {"choice": 0, "card": "two"},
            OutOfTurn,
            "The table has moved on to another card.",
        ),
    ],
)
def test_the_rounds_commands_refuse_with_a_reason(card, who, command, payload, error, message):
    g = room(tables=1, card=card)
    before = len(g.log)
    with pytest.raises(error) as refused:
        g.do(who, command, **payload) if who else g.host(command, **payload)
    assert str(refused.value) == message and len(g.log) == before


def test_rounds_are_set_from_one_to_ten_or_back_to_the_decks():
    g = room(tables=1)
    for rounds in (1, 10, None):
        assert [e["type"] for e in g.host("set_rounds", rounds=rounds)] == ["rounds_set"]
        assert g.state.settings.rounds == rounds
    assert g.host("set_rounds", rounds=None) == []


def test_a_tables_choice_is_one_of_its_options_or_none():
    g = room(tables=1)
    vote(g, 0, [0, 1, 2])
    g.do("t0a", "record_choice", choice=2)
    assert g.state.tables[0].current.choice == 2
    assert g.do("t0b", "record_choice", choice=2) == []
    g.do("t0b", "record_choice", choice=None)
    assert g.state.tables[0].current.choice is None


def test_revealing_a_table_twice_says_so_once_and_a_new_round_everywhere_stops_at_ten():
    g = room(tables=2)
    assert g.host("reveal_table", table=0) == [
        {"type": "votes_revealed", "tables": [0], "auto": False, "at": g.now}
    ]
    assert g.host("reveal_table", table=0) == []
    vote(g, 1, [0, 0, 0])
    for n in range(1, 10):
        g.host("reset_table")  # every revealed table
        g.host("reveal_table")
        assert [t.current.round for t in g.state.tables] == [n, n]
    assert g.host("reset_table") == []  # ten rounds: no eleventh
    with pytest.raises(OutOfTurn) as refused:
        g.host("reset_table", table=0)
    assert str(refused.value) == "This card has had 10 rounds already."


def test_a_late_pass_is_refused_and_a_pass_after_voting_opens_the_next_round():
    g = room(tables=1)
    g.connect("t0c", False)
    vote(g, 0, [0, 1])
    g.connect("t0c")
    with pytest.raises(OutOfTurn):
        g.do("t0c", "pass_vote")
    events = g.do("t0a", "pass_vote")
    assert [e["type"] for e in events] == ["votes_cleared", "vote_passed"]
    play = g.state.tables[0].current
    assert (
        play.round == 1 and play.passes == {"t0a"} and play.earlier[0].votes == {"t0a": 0, "t0b": 1}
    )


def test_the_facilitator_starts_a_new_round_at_every_revealed_table():
    g = room(tables=3)
    vote(g, 0, [0, 0, 0])
    vote(g, 1, [1, 1, 1])
    vote(g, 2, [0, None, None])  # not revealed: left alone
    events = g.host("reset_table")
    assert sorted(e["table"] for e in events) == [0, 1]
    assert [t.current.round for t in g.state.tables] == [1, 1, 0]


def test_a_card_has_at_most_ten_rounds():
    g = room(tables=1, per_table=1)
    g.do("t0a", "cast_vote", choice=0)
    for n in range(9):
        g.do("t0a", "cast_vote", choice=(n + 1) % 3)  # each change after a reveal: a new round
    assert g.state.tables[0].current.round == 9
    with pytest.raises(OutOfTurn):
        g.do("t0a", "cast_vote", choice=2 if g.state.tables[0].current.votes["t0a"] != 2 else 0)
    with pytest.raises(OutOfTurn):
        g.do("t0a", "revote")


def test_the_session_can_ask_for_rounds_and_phones_see_it():
    g = room(tables=1)
    view = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["current"]
    assert view["rounds_planned"] == 1
    g.host("set_rounds", rounds=2)
    view = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["current"]
    assert view["rounds_planned"] == 2
    with pytest.raises(InvalidInput):
        g.host("set_rounds", rounds=11)
    assert g.host("set_rounds", rounds=2) == []


# --- the shift -------------------------------------------------------------------------------


def test_the_shift_counts_who_moved_from_which_option_to_which():
    g = room(tables=1, per_table=4)
    vote(g, 0, [0, 0, 1, 2])
    g.do("t0a", "revote")
    vote(g, 0, [1, 0, 1, 1])
    shift = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["current"]["shift"]
    assert shift["before"] == [2, 1, 1] and shift["after"] == [1, 3, 0]
    assert shift["changed"] == 2 and shift["stayed"] == 2
    assert {(m["from"], m["to"]): m["count"] for m in shift["moves"]} == {(0, 1): 1, (2, 1): 1}


def test_the_shift_follows_someone_who_did_not_vote_in_round_one_and_a_pass():
    g = room(tables=1, per_table=4)
    g.connect("t0d", False)
    vote(g, 0, [0, "pass", 1])  # t0d away; t0b passes
    g.connect("t0d")
    g.do("t0a", "revote")
    vote(g, 0, [0, 1, 1, 1])  # t0b now chooses; t0d votes for the first time
    shift = g.state.tables[0].current
    from game.core.shift import play_shift

    result = play_shift(shift, 3)
    assert result["changed"] == 1 and result["joined"] == 1 and result["stayed"] == 2
    assert result["moves"] == [{"from": "pass", "to": 1, "count": 1}]
    assert result["passes_before"] == 1 and result["passes_after"] == 0


def test_a_shared_device_tally_in_both_rounds_shifts_counts_without_people():
    g = room(tables=1, per_table=1)
    g.host("set_devices", devices="shared", table=0)
    g.do("t0a", "record_tally", counts=[4, 1, 0])
    g.do("t0a", "revote")
    g.do("t0a", "record_tally", counts=[2, 3, 0], passes=1)
    shift = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["current"]["shift"]
    assert shift["tally"] is True and shift["before"] == [4, 1, 0] and shift["after"] == [2, 3, 0]
    assert shift["moves"] is None and shift["passes_after"] == 1


def test_the_scale_shift_moves_the_mean():
    g = room(tables=1, card="agree")
    vote(g, 0, [0, 0, 4])
    g.do("t0a", "revote")
    vote(g, 0, [2, 3, 4])
    shift = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["current"]["shift"]
    assert shift["mean_before"] == pytest.approx(2.33, abs=0.01) and shift["mean_after"] == 4.0


def test_an_unrevealed_round_stays_secret_in_the_shift_and_the_rounds():
    g = room(tables=1)
    vote(g, 0, [0, 0])  # two of three: secret
    g.host("reset_table", table=0)  # kept, but never shown
    vote(g, 0, [1, 1, 1])
    view = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["current"]
    assert view["rounds"] == [] and view["shift"] is None
    assert len(g.state.tables[0].current.earlier) == 1


# --- reasons and conclusions ------------------------------------------------------------------


def test_a_note_can_be_a_reason_for_an_option():
    g = room(tables=1)
    g.do("t0a", "add_note", kind="experience", text="We tried it once.", option=1)
    note = g.state.tables[0].current.notes[0]
    assert note.option == 1
    with pytest.raises(InvalidInput):
        g.do("t0a", "add_note", text="Nope", option=3)
    g.host("deal_card", card="talk")
    with pytest.raises(InvalidInput):  # a talk card has no options to argue for
        g.do("t0a", "add_note", text="Nope", option=0)


def test_the_tables_conclusion_last_edit_wins_with_who_and_when():
    g = room(tables=1)
    g.do("t0a", "set_conclusion", text="Ask the volunteers first.")
    g.now += 60
    g.do("t0b", "set_conclusion", text="Ask the volunteers, then decide together.")
    view = view_for(g.state, Actor.participant("t0c"), g.now)["table"]["current"]["conclusion"]
    assert view == {"text": "Ask the volunteers, then decide together.", "by": "t0b", "at": g.now}
    assert g.do("t0c", "set_conclusion", text="Ask the volunteers, then decide together.") == []
    g.do("t0c", "set_conclusion", text="")
    assert g.state.tables[0].current.conclusion is None


def test_a_conclusion_on_an_earlier_card_is_kept_with_that_card():
    g = room(tables=1)
    g.host("deal_card", card="two")
    g.do("t0a", "set_conclusion", text="About the first card.", card="pick")
    assert g.state.tables[0].plays[0].conclusion["text"] == "About the first card."
    with pytest.raises(OutOfTurn):
        g.do("t0a", "set_conclusion", text="x", card="agree")


# --- talk cards --------------------------------------------------------------------------------


def test_talk_cards_have_no_votes_and_are_talked_not_abandoned():
    g = room(tables=1, card="talk")
    view = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["current"]
    assert view["talk"] is True and view["status"] == "talking" and view["distribution"] is None
    with pytest.raises(OutOfTurn):
        g.do("t0a", "cast_vote", choice=0)
    with pytest.raises(OutOfTurn):
        g.do("t0a", "revote")
    g.do("t0a", "reveal_votes")  # "Show reflection": opens the reflection, counts nothing
    shown = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["current"]
    assert shown["revealed"] is True and shown["distribution"] is None and shown["passes"] is None
    g.host("deal_card", card="pick")
    history = view_for(g.state, Actor.participant("t0a"), g.now)["table"]["history"]
    assert history[0]["status"] == "talked"
    host = view_for(g.state, Actor("facilitator"), g.now)
    assert not host["tables"][0]["stalled"]


# --- the plenary board -------------------------------------------------------------------------


def test_entropy_and_majority():
    assert entropy([3, 0, 0]) == 0.0 and entropy([1, 1, 1]) == 1.0 and entropy([0, 0]) is None
    assert majority([2, 1]) == 0 and majority([1, 1]) is None and majority([0, 0]) is None


def test_the_board_ranks_the_card_that_divided_the_room_first():
    g = room(tables=3)
    vote(g, 0, [0, 0, 0])
    vote(g, 1, [0, 0, 0])
    vote(g, 2, [0, 0, 0])  # "pick": everyone agrees
    g.host("deal_card", card="two")
    vote(g, 0, [0, 0, 0])
    vote(g, 1, [1, 1, 1])
    vote(g, 2, [0, 1, 1])  # "two": the tables differ
    g.do("t2a", "revote")
    vote(g, 2, [1, 1, 1])  # and someone changed their mind
    g.do("t1a", "add_note", text="Because it is fair.", option=1)
    g.do("t1b", "set_conclusion", text="That, clearly.")
    ranked = board(g.state)
    assert [c["card"]["id"] for c in ranked] == ["two", "pick"]
    two = ranked[0]
    assert (
        two["total"] == [3, 6]
        and two["divided"] > 0.9
        and two["moved"] == pytest.approx(1 / 3, abs=0.01)
    )
    assert two["majorities"] == 2 and two["conclusions"][0]["text"] == "That, clearly."
    assert two["reasons"][1]["notes"][0]["text"] == "Because it is fair."
    assert ranked[1]["divided"] == 0.0 and ranked[1]["score"] == 0.0
    facilitator = view_for(g.state, Actor("facilitator"), g.now)
    assert facilitator["board"] == ranked


def test_the_projector_spotlight_carries_the_shift_conclusions_and_reasons():
    g = room(tables=2)
    vote(g, 0, [0, 0, 1])
    g.do("t0a", "revote")
    vote(g, 0, [1, 1, 1])
    g.do("t0a", "add_note", text="Changed my mind.", option=1)
    g.do("t0b", "set_conclusion", text="B after all.")
    note = next(iter(g.state.notes))
    g.host("spotlight", card="pick", notes=[note])
    spot = view_for(g.state, PROJECTOR, g.now)["spotlight"]
    assert spot["shift"]["changed"] == 2 and spot["shift"]["before"] == [2, 1, 0]
    assert spot["conclusions"][0]["text"] == "B after all."
    assert spot["reasons"][1]["notes"][0]["text"] == "Changed my mind."
    assert spot["tables"][0]["distribution"] == [0, 3, 0]


def test_passes_are_shown_with_the_results():
    g = room(tables=1)
    vote(g, 0, [0, "pass", 1])
    view = view_for(g.state, Actor("facilitator"), g.now)
    assert view["tables"][0]["current"]["passes"] == 1
    assert view["comparison"]["cards"][0]["passes"] == [1]


def test_same_order_gives_every_table_the_deck_order():
    g = Game(tables=3, flow="draw", same_order=True)
    assert {tuple(t.pile) for t in g.state.tables} == {("pick", "agree", "talk", "two")}


# --- exports -----------------------------------------------------------------------------------


def test_exports_hold_both_rounds_the_shift_reasons_and_conclusions():
    import csv
    import io
    import json

    from game.core import export

    g = room(tables=1)
    g.connect("t0c", False)
    vote(g, 0, [0, 1])
    g.connect("t0c")
    g.do("t0c", "cast_vote", choice=2)  # late
    g.do("t0a", "revote")
    vote(g, 0, [1, 1, 1])
    g.do("t0a", "add_note", kind="tip", text="B is kinder.", option=1)
    g.do("t0b", "set_conclusion", text="B, with care.")
    data = export.results(g.state, g.now)
    play = data["cards"][0]["plays"][0]
    assert [r["distribution"] for r in play["rounds"]] == [[1, 1, 0], [0, 3, 0]]
    assert play["rounds"][0]["late"] == [0, 0, 1]
    assert play["shift"]["changed"] == 1 and play["conclusion"]["text"] == "B, with care."
    assert play["notes"][0]["reason_for"] == "B"
    assert data["cards"][0]["total"] == [0, 3, 0]
    assert json.loads(export.to_json(data))["board"][0]["card"]["id"] == "pick"
    rows = list(csv.DictReader(io.StringIO(export.votes_csv(data))))
    assert [(r["round"], r["option"], r["votes"], r["source"]) for r in rows] == [
        ("1", "A", "1", "votes"),
        ("1", "B", "1", "votes"),
        ("1", "C", "0", "votes"),
        ("1", "A", "0", "late"),
        ("1", "B", "0", "late"),
        ("1", "C", "1", "late"),
        ("2", "A", "0", "votes"),
        ("2", "B", "3", "votes"),
        ("2", "C", "0", "votes"),
    ]
    notes = list(csv.DictReader(io.StringIO(export.notes_csv(data))))
    assert notes[0]["reason_for"] == "B"
    report = export.markdown_report(data, lambda message, **kw: message % kw if kw else message)
    assert "**Round 1**" in report and "**Round 2**" in report
    assert "Changed their mind: 1 of 2 (A → B: 1)" in report
    assert "The table's conclusion: B, with care. (t0b)" in report
    assert "reason for B: B is kinder." in report
    assert "Voted late, after the reveal (not counted): C: 1" in report


def test_a_deck_or_card_asks_for_rounds_and_the_session_overrides():
    from game.core.features.votes import planned_rounds
    from game.decks.deck import parse_deck
    from tests.coregame import SMALL_DECK

    deck = parse_deck({**SMALL_DECK, "rounds": 2})
    g = room(tables=1)
    g.state.deck = deck
    assert planned_rounds(g.state, "pick") == 2
    g.state.deck = parse_deck(
        {**SMALL_DECK, "cards": [{**SMALL_DECK["cards"][0], "rounds": 3}, *SMALL_DECK["cards"][1:]]}
    )
    assert planned_rounds(g.state, "pick") == 3 and planned_rounds(g.state, "two") == 1
    g.host("set_rounds", rounds=1)
    assert planned_rounds(g.state, "pick") == 1


def test_a_log_of_an_earlier_version_with_a_withdrawn_vote_still_replays():
    g = room(tables=1)
    g.do("t0a", "cast_vote", choice=0)
    g.do("t0b", "cast_vote", choice=1)
    old = [*g.log, {"type": "vote_withdrawn", "table": 0, "pid": "t0a", "at": g.now}]
    assert replay(old).tables[0].current.votes == {"t0b": 1}
