"""Care at the table and shared devices (game/core/care.py), without a server."""

import copy
import json

import pytest

from game.core import export
from game.core.registry import replay
from game.core.rules import PROJECTOR, Actor, decide
from game.core.views import view_for
from game.errors import Forbidden, InvalidInput, NotFound, OutOfTurn
from tests.coregame import Game


def table_of_three(**settings):
    g = Game(**settings)
    for pid in ("a", "b", "c"):
        g.seat(pid, 0)
    g.seat("x", 1)
    g.host("deal_card", card="pick")
    return g


# --- skipping a card -----------------------------------------------------------------------------


def test_skip_card_is_recorded_and_shown_as_skipped_not_talking():
    g = table_of_three()
    g.do("a", "cast_vote", choice=1)
    events = g.do("b", "skip_card", card="pick")
    assert [e["type"] for e in events] == ["card_skipped"]
    assert g.do("c", "skip_card") == []  # idempotent: skipped once
    host = view_for(g.state, Actor("facilitator"), g.now)
    current = host["tables"][0]["current"]
    assert current["status"] == "skipped" and current["distribution"] is None
    assert host["tables"][1]["current"]["status"] == "talking"
    assert host["comparison"]["cards"][0]["status"] == ["skipped", "talking"]
    phone = view_for(g.state, Actor.participant("c"), g.now)
    assert phone["table"]["current"]["status"] == "skipped"


def test_a_skipped_card_takes_no_votes_reveal_or_choice():
    g = table_of_three()
    g.do("a", "skip_card")
    before = copy.deepcopy(g.state)
    for command, payload in (
        ("cast_vote", {"choice": 0}),
        ("pass_vote", {}),
        ("reveal_votes", {}),
        ("record_choice", {"choice": 0}),
    ):
        with pytest.raises(OutOfTurn, match="skipped"):
            g.do("b", command, **payload)
    with pytest.raises(OutOfTurn):
        g.host("reveal_table", table=0)
    assert g.host("reveal_table") and g.state.tables[0].current.revealed is False
    assert g.state.tables[1].current.revealed is True
    assert before.tables[0].current.votes == g.state.tables[0].current.votes
    # The table can go on: the next card is drawn as usual.
    g.host("deal_card", card="two")
    assert g.state.tables[0].current.card == "two"


def test_skip_after_reveal_and_of_another_card_is_refused():
    g = table_of_three()
    with pytest.raises(OutOfTurn, match="moved on"):
        g.do("a", "skip_card", card="two")
    g.do("a", "reveal_votes")
    with pytest.raises(OutOfTurn, match="already revealed"):
        g.do("a", "skip_card")
    with pytest.raises(Forbidden):
        g.host("skip_card")


def test_a_card_dealt_over_before_anyone_voted_is_abandoned():
    g = table_of_three()
    g.host("deal_card", card="two")
    host = view_for(g.state, Actor("facilitator"), g.now)
    row = next(r for r in host["comparison"]["cards"] if r["card"]["id"] == "pick")
    assert row["status"] == ["abandoned", "abandoned"]
    wall = view_for(g.state, PROJECTOR, g.now)
    assert wall["comparison"]["cards"][0]["status"] == ["abandoned", "abandoned"]
    history = view_for(g.state, Actor.participant("a"), g.now)["table"]["history"]
    assert history[0]["status"] == "abandoned"
    data = export.results(g.state, g.now)
    assert data["cards"][0]["plays"][0]["status"] == "abandoned"
    assert "abandoned" in export.votes_csv(data)


def test_skipped_in_every_export():
    g = table_of_three()
    g.do("a", "skip_card")
    data = export.results(g.state, g.now)
    play = data["cards"][0]["plays"][0]
    assert play["status"] == "skipped" and play["distribution"] is None
    csv_rows = export.votes_csv(data).splitlines()
    assert any(",skipped," in row for row in csv_rows)
    assert json.loads(export.to_json(data))["cards"][0]["plays"][0]["status"] == "skipped"
    assert "Skipped by the table." in export.markdown_report(data, lambda m, **k: m % k or m)


# --- passing on a vote ---------------------------------------------------------------------------


def test_pass_counts_apart_and_never_makes_the_reveal_wait():
    g = table_of_three()
    g.do("a", "cast_vote", choice=0)
    g.do("b", "cast_vote", choice=0)
    events = g.do("c", "pass_vote", card="pick")
    assert [e["type"] for e in events] == ["vote_passed", "votes_revealed"]
    play = g.state.tables[0].current
    host = view_for(g.state, Actor("facilitator"), g.now)["tables"][0]["current"]
    assert host["distribution"] == [2, 0, 0] and host["passes"] == 1 and host["votes_in"] == 3
    assert play.revealed
    assert view_for(g.state, Actor.participant("c"), g.now)["me"]["passed"] is True
    data = export.results(g.state, g.now)
    assert data["cards"][0]["plays"][0]["passes"] == 1
    assert export.votes_csv(data).splitlines()[1].endswith(",revealed,votes,1,")


def test_pass_is_secret_until_reveal_and_a_vote_replaces_it():
    g = table_of_three()
    g.do("a", "pass_vote")
    assert g.do("a", "pass_vote") == []  # idempotent
    table = view_for(g.state, Actor.participant("b"), g.now)["table"]["current"]
    assert table["voted"] == ["a"] and table["passes"] is None
    g.do("a", "cast_vote", choice=2)
    assert "a" not in g.state.tables[0].current.passes
    g.do("a", "pass_vote")
    assert "a" not in g.state.tables[0].current.votes
    for pid in "bc":
        g.do(pid, "cast_vote", choice=0)
    assert g.state.tables[0].current.revealed
    g.do("b", "revote")  # a new round: nobody has passed in it yet; the round before keeps it
    assert not g.state.tables[0].current.passes
    assert g.state.tables[0].current.earlier[0].passes == {"a"}


def test_pass_on_an_open_card_is_refused():
    g = table_of_three()
    g.host("deal_card", card="talk")
    with pytest.raises(OutOfTurn):
        g.do("a", "pass_vote")


# --- calling the facilitator ---------------------------------------------------------------------


def test_a_table_can_withdraw_its_call():
    g = table_of_three()
    assert g.do("a", "withdraw_flag") == []  # no call: nothing to withdraw
    g.do("b", "flag_table", reason="need_help")
    g.now += 3
    (event,) = g.do("a", "withdraw_flag")  # anyone at the table
    assert event["type"] == "flag_withdrawn"
    assert view_for(g.state, Actor("facilitator"), g.now)["tables"][0]["flag"] is None
    # Withdrawn is not "seen": the phones show no call at all.
    assert view_for(g.state, Actor.participant("a"), g.now)["table"]["flag"] is None
    assert g.do("a", "withdraw_flag") == []
    g.do("b", "flag_table", reason="sensitive")  # and may call again
    assert (
        view_for(g.state, Actor("facilitator"), g.now)["tables"][0]["flag"]["reason"] == "sensitive"
    )
    assert replay(g.log).tables[0].flags == g.state.tables[0].flags


def test_flag_shows_on_the_facilitator_view_until_cleared_and_the_table_sees_it_was_seen():
    g = table_of_three()
    g.now += 5
    g.do("b", "flag_table", reason="sensitive")
    assert g.do("c", "flag_table", reason="sensitive") == []
    host = view_for(g.state, Actor("facilitator"), g.now)
    assert host["tables"][0]["flag"] == {"reason": "sensitive", "at": 1005.0, "by": "b"}
    assert host["tables"][1]["flag"] is None
    phone = view_for(g.state, Actor.participant("a"), g.now)
    assert phone["table"]["flag"] == {"reason": "sensitive", "at": 1005.0, "seen": False}
    other = json.dumps(view_for(g.state, Actor.participant("x"), g.now))
    assert "sensitive" not in other
    g.host("clear_flag", table=0)
    assert g.host("clear_flag", table=0) == []
    assert view_for(g.state, Actor("facilitator"), g.now)["tables"][0]["flag"] is None
    phone = view_for(g.state, Actor.participant("a"), g.now)
    assert phone["table"]["flag"]["seen"] is True
    g.now += 1
    g.host("deal_card", card="two")
    assert view_for(g.state, Actor.participant("a"), g.now)["table"]["flag"] is None
    data = export.results(g.state, g.now)
    assert data["tables"][0]["flags"][0]["reason"] == "sensitive"
    assert data["tables"][0]["flags"][0]["cleared_at"] == 1005.0


def test_flag_is_authorised_and_checked():
    g = table_of_three()
    g.do("late", "join", name="Late")
    with pytest.raises(OutOfTurn):
        g.do("late", "flag_table", reason="done")
    with pytest.raises(InvalidInput):
        g.do("a", "flag_table", reason="bored")
    with pytest.raises(Forbidden):
        g.do("a", "clear_flag", table=0)
    with pytest.raises(NotFound):
        g.host("clear_flag", table=9)
    with pytest.raises(Forbidden):
        decide(g.state, PROJECTOR, "flag_table", {"reason": "done"}, g.now)
    g.do("a", "flag_table", reason="need_help")
    g.do("a", "flag_table", reason="done")  # a new reason replaces the call
    assert [f["reason"] for f in g.state.tables[0].flags] == ["need_help", "done"]
    host = view_for(g.state, Actor("facilitator"), g.now)
    assert host["tables"][0]["flag"]["reason"] == "done"


# --- one shared device ---------------------------------------------------------------------------


def shared_game():
    g = Game(tables=2)
    g.seat("dev", 0)
    for pid in ("a", "b"):
        g.seat(pid, 1)
    g.host("set_devices", table=0, devices="shared")
    g.host("deal_card", card="pick")
    return g


def test_tally_stands_for_the_tables_votes_marked_as_a_tally():
    g = shared_game()
    assert view_for(g.state, Actor.participant("dev"), g.now)["table"]["devices"] == "shared"
    assert view_for(g.state, Actor.participant("a"), g.now)["table"]["devices"] == "personal"
    g.do("dev", "record_tally", counts=[3, 1, 0], passes=1, card="pick")
    g.do("a", "cast_vote", choice=2)
    g.do("b", "cast_vote", choice=2)
    wall = view_for(g.state, PROJECTOR, g.now)
    row = wall["comparison"]["cards"][0]
    assert row["tables"] == [[3, 1, 0], [0, 0, 2]] and row["tally"] == [True, False]
    g.host("spotlight", card="pick", notes=[])
    spot = view_for(g.state, PROJECTOR, g.now)["spotlight"]
    assert spot["total"] == [3, 1, 2] and spot["tables"][0]["tally"] is True
    data = export.results(g.state, g.now)
    csv_text = export.votes_csv(data)
    assert "Table 1,pick,Pick one,1,1,A,3,,revealed,tally,1" in csv_text
    assert "Table 2,pick,Pick one,1,3,C,2,,revealed,votes,0" in csv_text
    md = export.markdown_report(data, lambda m, **k: m % k if k else m)
    assert "show of hands" in md


def test_tally_checks():
    g = shared_game()
    with pytest.raises(Forbidden):
        g.do("a", "record_tally", counts=[1, 0, 0])
    for bad in ([1, 0], [1, -1, 0], [1, True, 0], "3", [0, 0, 0], [501, 0, 0]):
        with pytest.raises(InvalidInput):
            g.do("dev", "record_tally", counts=bad)
    assert g.state.tables[0].current.tally is None
    g.do("dev", "record_tally", counts=[1, 0, 0])
    assert g.do("dev", "record_tally", counts=[1, 0, 0]) == []
    g.do("dev", "record_tally", counts=[2, 0, 0])  # a recount replaces the tally
    assert g.state.tables[0].current.distribution(3) == [2, 0, 0]
    g.host("reset_table", table=0)
    assert g.state.tables[0].current.tally is None


def test_devices_for_the_whole_session_and_mixed():
    g = Game(tables=2)
    with pytest.raises(InvalidInput):
        g.host("set_devices", devices="tablet")
    g.host("set_devices", table=1, devices="shared")
    events = g.host("set_devices", devices="shared")
    assert [e["type"] for e in events] == ["default_devices_set", "devices_set", "devices_set"]
    g.host("add_table")
    assert g.state.devices(2) == "shared"
    g.host("set_devices", table=0, devices="personal")
    assert [g.state.devices(t) for t in range(3)] == ["personal", "shared", "shared"]
    assert g.host("set_devices", table=0, devices="personal") == []


def test_the_log_replays_to_the_same_state():
    g = shared_game()
    g.do("dev", "record_tally", counts=[1, 2, 0])
    g.do("a", "pass_vote")
    g.do("b", "flag_table", reason="need_help")
    g.host("clear_flag", table=1)
    g.do("b", "skip_card")
    again = replay(g.log)
    for actor in (Actor("facilitator"), PROJECTOR, Actor.participant("a")):
        assert view_for(again, actor, g.now) == view_for(g.state, actor, g.now)


def test_an_open_call_is_dropped_from_the_facilitator_view_once_the_session_ended():
    g = table_of_three()
    g.do("a", "flag_table", reason="done")
    g.host("end_session")
    assert view_for(g.state, Actor("facilitator"), g.now)["tables"][0]["flag"] is None
    assert export.results(g.state, g.now)["tables"][0]["flags"][0]["reason"] == "done"
