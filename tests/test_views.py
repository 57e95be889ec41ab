"""`view_for` secrecy: nobody sees another table, and nobody sees a vote before the reveal."""

import json

from game.core.registry import replay
from game.core.rules import FACILITATOR, PROJECTOR, Actor
from game.core.views import view_for
from tests.coregame import Game


def played():
    """Two tables of three; table 0 voted and revealed 'pick', table 1 voted secretly."""
    g = Game()
    for pid in ("a", "b", "c"):
        g.seat(pid, 0)
    for pid in ("x", "y", "z"):
        g.seat(pid, 1)
    g.host("deal_card", card="pick")
    g.do("a", "cast_vote", choice=0)
    g.do("b", "cast_vote", choice=2)
    g.do("c", "cast_vote", choice=2)
    g.do("x", "cast_vote", choice=1)
    g.do("y", "cast_vote", choice=1)
    g.do("a", "add_note", kind="tip", text="table zero secret note")
    g.do("x", "add_note", kind="tip", text="table one note")
    return g


def as_text(view):
    return json.dumps(view)


def test_participant_sees_only_its_own_table():
    g = played()
    view = view_for(g.state, Actor.participant("a"), g.now)
    text = as_text(view)
    assert view["table"]["id"] == 0
    assert "table one note" not in text
    assert all(m["pid"] in "abc" for m in view["table"]["members"])
    # Other tables are only names and sizes, for choosing a seat.
    assert view["session"]["tables"][1] == {"id": 1, "name": "Table 2", "size": 3}


def test_unrevealed_votes_show_who_not_what():
    g = played()
    view = view_for(g.state, Actor.participant("x"), g.now)
    current = view["table"]["current"]
    assert current["revealed"] is False
    assert current["distribution"] is None
    assert current["voted"] == ["x", "y"]
    assert current["card"]["reflection"] is None
    assert view["me"]["vote"] == 1  # one's own vote, and only that
    assert "votes" not in as_text(current).replace("votes_in", "")


def test_own_vote_is_not_shown_to_a_tablemate():
    g = played()
    view = view_for(g.state, Actor.participant("z"), g.now)
    assert view["me"]["vote"] is None


def test_revealed_table_shows_distribution_and_reflection():
    g = played()
    current = view_for(g.state, Actor.participant("b"), g.now)["table"]["current"]
    assert current["revealed"] is True
    assert current["distribution"] == [1, 0, 2]
    assert current["card"]["reflection"] == "Shown after the reveal."


def test_facilitator_sees_counts_not_secret_votes():
    g = played()
    view = view_for(g.state, FACILITATOR, g.now)
    t0, t1 = view["tables"]
    assert t0["current"]["distribution"] == [1, 0, 2]
    assert t1["current"]["votes_in"] == 2
    assert t1["current"]["distribution"] is None
    assert "voted" not in t1["current"]


def test_hidden_notes_only_for_the_facilitator():
    g = played()
    note_id = g.state.tables[0].current.notes[0].id
    g.host("hide_note", note=note_id)
    table = view_for(g.state, Actor.participant("b"), g.now)["table"]["current"]
    assert table["notes"] == []
    host = view_for(g.state, FACILITATOR, g.now)["tables"][0]["current"]["notes"]
    assert host[0]["hidden"] is True
    g.host("spotlight", card="pick", notes=[note_id])
    wall = view_for(g.state, PROJECTOR, g.now)
    assert wall["spotlight"]["notes"] == []


def test_projector_spotlight_shows_only_revealed_tables():
    g = played()
    note_id = g.state.tables[0].current.notes[0].id
    g.host("spotlight", card="pick", notes=[note_id])
    wall = view_for(g.state, PROJECTOR, g.now)
    spot = wall["spotlight"]
    assert [row["distribution"] for row in spot["tables"]] == [[1, 0, 2], None]
    assert spot["total"] == [1, 0, 2]
    assert spot["notes"][0]["text"] == "table zero secret note"
    assert spot["notes"][0]["table"] == "Table 1"
    assert wall["comparison"]["cards"][0]["tables"] == [[1, 0, 2], None]
    assert wall["comparison"]["cards"][0]["played"] == [True, True]


def with_late_tables():
    """`played()`, then a table with someone who came after the deal, and an empty table."""
    g = played()
    g.host("add_table", name="Late")
    g.host("add_table", name="Empty")
    g.seat("q", 2)
    return g


def test_comparison_tells_not_played_from_not_revealed():
    g = with_late_tables()
    for view in (view_for(g.state, FACILITATOR, g.now), view_for(g.state, PROJECTOR, g.now)):
        cmp = view["comparison"]
        assert cmp["tables"] == ["Table 1", "Table 2", "Late", "Empty"]
        (row,) = cmp["cards"]
        # Revealed; played but not revealed yet; did not play; did not play.
        assert row["tables"] == [[1, 0, 2], None, None, None]
        assert row["played"] == [True, True, False, False]


def test_a_deal_to_an_empty_table_is_not_playing_it():
    g = Game(tables=3, flow="deal")
    g.seat("a", 0)
    g.host("deal_card", card="pick")  # only table 0: nobody sits at 1 and 2
    assert [len(t.plays) for t in g.state.tables] == [1, 0, 0]
    g.host("reveal_table")  # "Reveal all": the empty tables reveal nothing
    row = view_for(g.state, FACILITATOR, g.now)["comparison"]["cards"][0]
    assert row["played"] == [True, False, False]
    assert row["tables"] == [[0, 0, 0], None, None]
    g.seat("b", 1)  # someone sits down at an empty table: it gets the card and plays it now
    row = view_for(g.state, FACILITATOR, g.now)["comparison"]["cards"][0]
    assert row["played"] == [True, True, False]


def test_a_deal_logged_before_it_named_its_tables_reached_every_table():
    g = Game(tables=3)
    g.seat("a", 0)
    log = g.log + [{"type": "card_dealt", "card": "pick", "at": g.now}]  # an older log
    state = replay(log)
    assert [len(t.plays) for t in state.tables] == [1, 1, 1]
    row = view_for(state, FACILITATOR, g.now)["comparison"]["cards"][0]
    assert row["played"] == [True, False, False]  # empty tables did not play it


def test_spotlight_leaves_out_empty_tables_that_did_not_play():
    g = with_late_tables()
    g.host("spotlight", card="pick", notes=[])
    rows = view_for(g.state, PROJECTOR, g.now)["spotlight"]["tables"]
    assert [(r["table"], r["played"], r["distribution"]) for r in rows] == [
        ("Table 1", True, [1, 0, 2]),
        ("Table 2", True, None),
        ("Late", False, None),
    ]
    # A table that played and revealed keeps its box when everyone moves away.
    for pid in ("a", "b", "c"):
        g.host("move_participant", pid=pid, table=3)
    rows = view_for(g.state, PROJECTOR, g.now)["spotlight"]["tables"]
    assert [r["table"] for r in rows] == ["Table 1", "Table 2", "Late", "Empty"]
    assert rows[0]["distribution"] == [1, 0, 2] and rows[3]["played"] is False


def test_stranger_sees_the_session_but_no_table():
    g = played()
    view = view_for(g.state, Actor.participant("nobody"), g.now)
    assert view["me"] is None and view["table"] is None


def test_stalled_tables_stand_out():
    g = played()
    g.now += 600
    view = view_for(g.state, FACILITATOR, g.now, stalled_after=480)
    assert [t["stalled"] for t in view["tables"]] == [False, True]


def test_timer_remaining_follows_the_clock():
    g = played()
    g.host("start_timer", seconds=120)
    g.now += 30
    assert view_for(g.state, PROJECTOR, g.now)["session"]["timer"]["remaining"] == 90


def test_a_card_left_before_its_reveal_keeps_its_votes_secret_in_the_history():
    """Votes cast on a card the table moved on from unrevealed stay secret forever: the history,
    the comparison, the wall and the export say 'abandoned' and show no counts."""
    g = Game()
    for pid in ("a", "b", "c"):
        g.seat(pid, 0)
    g.host("deal_card", card="pick")
    g.do("a", "cast_vote", choice=0)
    g.do("b", "cast_vote", choice=2)
    g.host("deal_card", card="two")  # moved on before anyone revealed 'pick'
    for pid in ("a", "b", "c"):
        (left,) = view_for(g.state, Actor.participant(pid), g.now)["table"]["history"]
        assert left["card"]["id"] == "pick" and left["status"] == "abandoned"
        assert left["distribution"] is None
    for viewer in (FACILITATOR, PROJECTOR):
        row = view_for(g.state, viewer, g.now)["comparison"]["cards"][0]
        assert row["card"]["id"] == "pick" and row["tables"][0] is None
    # The same table revealing a card does show its counts in the history (the check above is
    # not merely "history never shows counts").
    g.do("a", "cast_vote", choice=1)
    g.do("a", "reveal_votes")
    g.host("deal_card", card="agree")
    shown, left = view_for(g.state, Actor.participant("c"), g.now)["table"]["history"]
    assert shown["card"]["id"] == "two" and shown["distribution"] == [0, 1]
    assert left["distribution"] is None
