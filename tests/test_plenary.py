"""The plenary board's summary of one card, field by field: what the facilitator walks into the
plenary with (the room's votes and shares, how divided, how far the tables disagree, how far
opinions moved, the calls, the conclusions and the reasons per option). No server."""

import pytest

from game.core.plenary import MAX_REASONS, WEIGHTS, board, card_summary, entropy
from tests.coregame import room, vote


@pytest.fixture
def played():
    """Three tables on "pick" (options 0, 1, 2): table 1 changes its mind in a second round,
    table 2 ties with a pass, table 3 agrees; reasons, a plain note, a hidden reason, a
    conclusion, a call and a card that is dealt afterwards."""
    g = room(tables=3)
    vote(g, 0, [0, 0, 1])
    g.do("t0a", "revote")
    vote(g, 0, [1, 1, 1])  # 2 of 3 moved
    vote(g, 1, [0, "pass", 2])
    vote(g, 2, [0, 0, 0])
    g.now += 5
    g.do("t0a", "add_note", text="Changed my mind.", option=1)
    g.do("t1c", "add_note", text="C is the fair one.", option=2)
    g.do("t2a", "add_note", text="Just a thought.")
    hidden = g.do("t2b", "add_note", text="Not for the room.", option=0)[0]["note"]
    g.host("hide_note", note=hidden)
    g.do("t0b", "set_conclusion", text="B after all.")
    g.do("t1a", "flag_table", reason="need_help")
    return g


def test_the_room_its_votes_shares_and_how_divided_it_is(played):
    s = card_summary(played.state, "pick")
    assert s["card"] == {
        "id": "pick",
        "title": "Pick one",
        "options": ["A", "B", "C"],
        "type": "choice",
    }
    assert (s["talk"], s["tables"]) == (False, 3)
    # The last revealed round of each table: [0, 3, 0] + [1, 0, 1] + [3, 0, 0], and one pass.
    assert (s["total"], s["passes"], s["votes"]) == ([4, 3, 1], 1, 9)
    assert s["shares"] == [0.5, 0.375, 0.125]
    assert s["divided"] == entropy([4, 3, 1])
    # Majorities: table 1 B, table 2 none (a tie), table 3 A; the room's is A.
    assert (s["majorities"], s["disagree"]) == (2, 0.5)
    assert s["shift"]["changed"] == 2 and s["shift"]["stayed"] == 1 and s["moved"] == 0.667
    expected = (
        WEIGHTS["divided"] * s["divided"] + WEIGHTS["disagree"] * 0.5 + WEIGHTS["moved"] * 0.667
    )
    assert s["score"] == round(expected, 3)


def test_notes_calls_conclusions_and_reasons_leave_out_what_was_hidden(played):
    s = card_summary(played.state, "pick")
    assert (s["notes"], s["calls"]) == (3, 1)
    assert s["conclusions"] == [
        {"table": "Table 1", "table_id": 0, "text": "B after all.", "by": "t0b", "at": played.now}
    ]
    reasons = [
        (r["option"], r["count"], [(n["text"], n["table"], n["author"]) for n in r["notes"]])
        for r in s["reasons"]
    ]
    assert reasons == [
        (0, 0, []),
        (1, 1, [("Changed my mind.", "Table 1", "t0a")]),
        (2, 1, [("C is the fair one.", "Table 2", "t1c")]),
    ]
    assert all(n["id"].startswith("n") for r in s["reasons"] for n in r["notes"])


def test_reasons_beyond_the_boards_limit_are_counted_not_listed(played):
    for n in range(MAX_REASONS + 2):
        played.do("t2c", "add_note", text=f"Reason {n}.", option=2)
    reasons = card_summary(played.state, "pick")["reasons"][2]
    assert reasons["count"] == MAX_REASONS + 3
    assert (
        len(reasons["notes"]) == MAX_REASONS and reasons["notes"][0]["text"] == "C is the fair one."
    )


def test_a_call_before_the_card_or_on_the_next_card_is_not_counted_for_it(played):
    played.now += 60
    played.host("deal_card", card="two")
    played.do("t2a", "flag_table", reason="sensitive")
    assert card_summary(played.state, "pick")["calls"] == 1
    assert card_summary(played.state, "two")["calls"] == 1


def test_a_card_nobody_played_has_no_summary_and_a_talk_card_no_score():
    g = room(tables=2, card="talk")
    assert card_summary(g.state, "pick") is None and card_summary(g.state, "nope") is None
    g.do("t0a", "add_note", text="We talked.")
    talk = card_summary(g.state, "talk")
    assert (talk["talk"], talk["score"], talk["total"], talk["shares"], talk["votes"]) == (
        True,
        None,
        [],
        None,
        0,
    )
    assert [c["card"]["id"] for c in board(g.state)] == ["talk"]


def test_when_the_room_ties_the_tables_own_majorities_say_how_far_they_disagree():
    apart = room(tables=2)
    vote(apart, 0, [0, 0, 1])  # A
    vote(apart, 1, [1, 1, 0])  # B: the room ties 3-3
    s = card_summary(apart.state, "pick")
    assert (s["total"], s["majorities"], s["disagree"]) == ([3, 3, 0], 2, 1.0)
    together = room(tables=2)
    vote(together, 0, [0, 0, 1])  # A
    vote(together, 1, [1, 2])  # a tie: no majority of its own
    together.host("reveal_table", table=1)
    s = card_summary(together.state, "pick")
    assert (s["total"], s["majorities"], s["disagree"]) == ([2, 2, 1], 1, 0.0)
    undecided = room(tables=1)
    vote(undecided, 0, [0, 1, 2])
    assert card_summary(undecided.state, "pick")["disagree"] is None


def test_a_card_played_at_one_table_counts_that_table_and_a_reason_for_the_first_option(played):
    played.host("deal_card", card="two", table=2)
    vote(played, 2, [0, 0, 1])
    played.do("t2c", "add_note", text="The first, plainly.", option=0)
    s = card_summary(played.state, "two")
    assert (s["tables"], s["total"], s["moved"], s["shift"]) == (1, [2, 1], None, None)
    assert [(r["count"], [n["text"] for n in r["notes"]]) for r in s["reasons"]] == [
        (1, ["The first, plainly."]),
        (0, []),
    ]


def test_a_scale_card_moves_the_rooms_mean():
    g = room(tables=2, card="agree")
    vote(g, 0, [0, 0, 4])
    g.do("t0a", "revote")
    vote(g, 0, [2, 3, 4])
    vote(g, 1, [4, 4, 4])
    s = card_summary(g.state, "agree")
    assert s["card"]["type"] == "scale"
    assert s["shift"]["mean_before"] == pytest.approx(2.33, abs=0.01)
    assert s["shift"]["mean_after"] == 4.0
