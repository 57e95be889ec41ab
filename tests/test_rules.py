"""The rules of a session, without a server: seeded shuffles, a hand-moved clock."""

import copy

import pytest

from game.core.features.session import default_table_names
from game.core.registry import TRANSIENT_EVENTS, replay
from game.core.rules import PROJECTOR, Actor, decide
from game.core.views import timer_view
from game.errors import Forbidden, GameError, InvalidInput, NotFound, OutOfTurn
from tests.coregame import Game


def drawn_to(game, table, card):
    """Make sure `table`'s current card is `card` (via a facilitator deal)."""
    game.host("deal_card", card=card)
    assert game.state.tables[table].current.card == card


# --- seating -------------------------------------------------------------------------------------


def test_join_and_choose_a_table():
    g = Game()
    g.seat("p1", 1, name="Anna")
    assert g.state.members["p1"].table == 1
    assert g.state.members["p1"].name == "Anna"


def test_joining_twice_changes_nothing():
    g = Game()
    g.seat("p1", 0)
    assert g.do("p1", "join", name="Other") == []
    assert g.state.members["p1"].name == "p1"


def test_required_name_is_enforced():
    g = Game(names_required=True)
    with pytest.raises(InvalidInput):
        g.do("p1", "join", name="  ")
    assert "p1" not in g.state.members


def test_long_name_is_refused():
    g = Game()
    with pytest.raises(InvalidInput, match="too long"):
        g.do("p1", "join", name="x" * 41)


def test_balance_seats_at_emptiest_table():
    g = Game(tables=3, seating="balance")
    for pid in ("a", "b", "c", "d"):
        g.do(pid, "join", name=pid)
    tables = [g.state.members[p].table for p in ("a", "b", "c", "d")]
    assert tables == [0, 1, 2, 0]


def test_groups_of_n_open_new_tables():
    g = Game(tables=1, seating="balance", group_size=2)
    for pid in ("a", "b", "c", "d", "e"):
        g.do(pid, "join", name=pid)
    assert [g.state.members[p].table for p in "abcde"] == [0, 0, 1, 1, 2]
    assert [t.name for t in g.state.tables] == ["Table 1", "Table 2", "Table 3"]


def test_participant_cannot_choose_table_when_facilitator_places():
    g = Game(seating="facilitator")
    g.do("p1", "join", name="p1")
    assert g.state.members["p1"].table is None
    with pytest.raises(Forbidden):
        g.do("p1", "take_seat", table=0)
    g.host("move_participant", pid="p1", table=1)
    assert g.state.members["p1"].table == 1


def test_unknown_table_is_refused():
    g = Game()
    g.do("p1", "join", name="x")
    with pytest.raises(NotFound):
        g.do("p1", "take_seat", table=9)
    with pytest.raises(InvalidInput):
        g.do("p1", "take_seat", table="0")


# --- drawing --------------------------------------------------------------------------------------


def test_piles_are_seeded_shuffles_per_table():
    a, b = Game(seed=1), Game(seed=1)
    assert [t.pile for t in a.state.tables] == [t.pile for t in b.state.tables]
    assert sorted(a.state.tables[0].pile) == ["agree", "pick", "talk", "two"]
    assert any(Game(seed=s).state.tables[0].pile != a.state.tables[0].pile for s in range(2, 9))


def test_draw_takes_the_top_of_the_tables_pile():
    g = Game()
    g.seat("p1", 0)
    top = g.state.tables[0].pile[0]
    g.do("p1", "draw_card")
    assert g.state.tables[0].current.card == top
    assert top not in g.state.tables[0].pile
    assert g.state.tables[1].current is None


def test_table_runs_out_of_cards():
    g = Game()
    g.seat("p1", 0)
    for _ in range(4):
        g.do("p1", "draw_card")
    with pytest.raises(OutOfTurn, match="every card"):
        g.do("p1", "draw_card")
    assert len(g.state.tables[0].plays) == 4


def test_unseated_participant_cannot_draw():
    g = Game(seating="facilitator")
    g.do("p1", "join", name="x")
    with pytest.raises(OutOfTurn):
        g.do("p1", "draw_card")


def test_deal_mode_only_facilitator_deals():
    g = Game(flow="deal")
    g.seat("p1", 0)
    g.seat("p2", 1)
    with pytest.raises(Forbidden):
        g.do("p1", "draw_card")
    g.host("deal_card")
    assert [t.current.card for t in g.state.tables] == ["pick", "pick"]
    g.host("deal_card")
    assert [t.current.card for t in g.state.tables] == ["agree", "agree"]
    with pytest.raises(NotFound):
        g.host("deal_card", card="nope")


def test_a_deal_skips_empty_tables_and_reaches_them_when_someone_sits_down():
    g = Game(tables=3, flow="deal")
    g.host("deal_card")  # nobody sits anywhere yet: the room is set, every table gets it
    assert [t.current.card for t in g.state.tables] == ["pick"] * 3
    g.seat("p1", 0)
    g.seat("p2", 0)
    g.host("deal_card")
    assert [t.current.card for t in g.state.tables] == ["agree", "pick", "pick"]
    g.now += 5
    g.seat("p3", 2)  # a late table catches up with the card the room plays
    assert [t.current.card for t in g.state.tables] == ["agree", "pick", "agree"]
    assert g.state.tables[2].current.started_at == g.now
    g.seat("p4", 2)  # the second person there changes nothing
    assert len(g.state.tables[2].plays) == 2
    g.host("move_participant", pid="p2", table=1)  # moved to an empty table: catches up too
    assert g.state.tables[1].current.card == "agree"


def test_a_drawing_session_deals_nothing_to_a_new_seat():
    g = Game(tables=2, flow="draw")
    g.seat("p1", 0)
    g.do("p1", "draw_card")
    g.seat("p2", 1)
    assert g.state.tables[1].current is None


def test_groups_open_a_table_that_plays_the_dealt_card():
    g = Game(tables=1, flow="deal", seating="balance", group_size=2)
    for pid in ("p1", "p2"):
        g.do(pid, "join", name=pid)
    g.host("deal_card")
    g.do("p3", "join", name="p3")  # the first table is full: a new one opens, with the card
    assert [t.name for t in g.state.tables] == ["Table 1", "Table 2"]
    assert g.state.tables[1].current.card == "pick"


def test_tables_the_session_names_are_in_the_facilitators_language():
    g = Game(tables=1, language="nl")
    g.host("add_table")
    assert g.state.tables[1].name == "Tafel 2"
    assert default_table_names(2, "nl") == ["Tafel 1", "Tafel 2"]


def test_the_timer_stands_still_while_the_session_is_paused():
    g = Game()
    g.host("start_timer", seconds=600)
    g.now += 100
    g.host("pause", paused=True)
    g.now += 1000  # a long pause
    timer = timer_view(g.state, g.now)
    assert timer == {"seconds": 600, "remaining": 500, "paused": True}
    g.host("pause", paused=False)
    g.now += 50
    assert timer_view(g.state, g.now) == {"seconds": 600, "remaining": 450}
    g.host("pause", paused=True)
    g.host("start_timer", seconds=60)  # started during a pause: waits for the room
    g.now += 30
    assert timer_view(g.state, g.now)["remaining"] == 60
    g.host("pause", paused=False)
    g.now += 10
    assert timer_view(g.state, g.now) == {"seconds": 60, "remaining": 50}
    g.host("pause", paused=True)
    g.host("stop_timer")
    g.host("pause", paused=False)
    assert timer_view(g.state, g.now) is None
    assert replay(g.log).timer_ends_at == g.state.timer_ends_at


# --- voting and revealing --------------------------------------------------------------------------


def three_at_table_zero(**settings):
    g = Game(**settings)
    for pid in ("a", "b", "c"):
        g.seat(pid, 0)
    drawn_to(g, 0, "pick")
    return g


def test_votes_are_secret_until_everyone_present_voted():
    g = three_at_table_zero()
    g.do("a", "cast_vote", choice=0)
    g.do("b", "cast_vote", choice=2)
    play = g.state.tables[0].current
    assert not play.revealed
    events = g.do("c", "cast_vote", choice=2)
    assert [e["type"] for e in events] == ["vote_cast", "votes_revealed"]
    assert play.revealed
    assert play.distribution(3) == [1, 0, 2]


def test_disconnected_member_does_not_block_the_reveal():
    g = three_at_table_zero()
    g.connect("c", False)
    g.do("a", "cast_vote", choice=0)
    g.do("b", "cast_vote", choice=1)
    assert g.state.tables[0].current.revealed


def test_leaving_completes_the_vote():
    g = three_at_table_zero()
    g.do("a", "cast_vote", choice=0)
    g.do("b", "cast_vote", choice=1)
    events = g.connect("c", False)
    assert [e["type"] for e in events] == ["presence_changed", "votes_revealed"]


def test_member_or_facilitator_can_force_the_reveal():
    g = three_at_table_zero()
    g.do("a", "cast_vote", choice=1)
    g.do("b", "reveal_votes")
    assert g.state.tables[0].current.revealed
    g.host("deal_card", card="two")
    g.do("a", "cast_vote", choice=1)
    g.host("reveal_table", table=0)
    assert g.state.tables[0].current.revealed


def test_facilitator_reveals_all_tables():
    g = three_at_table_zero(flow="deal")
    g.seat("d", 1)  # sits down after the deal: gets the card
    g.do("a", "cast_vote", choice=0)
    events = g.host("reveal_table")
    assert events[0]["tables"] == [0, 1]
    assert all(t.current.revealed for t in g.state.tables)


def test_vote_can_be_changed_and_counts_once():
    g = three_at_table_zero()
    g.do("a", "cast_vote", choice=0)
    g.do("a", "cast_vote", choice=1)
    assert g.do("a", "cast_vote", choice=1) == []
    assert g.state.tables[0].current.votes == {"a": 1}


def test_changing_a_vote_after_the_reveal_is_a_vote_in_the_next_round():
    g = three_at_table_zero()
    for pid in "abc":
        g.do(pid, "cast_vote", choice=0)
    g.do("a", "cast_vote", choice=2)
    play = g.state.tables[0].current
    # The revealed round is kept as it was; the change opened round 2 and counts there.
    assert [r.distribution(3) for r in play.earlier] == [[3, 0, 0]]
    assert play.round == 1 and play.distribution(3) == [0, 0, 1] and not play.revealed


def test_revote_starts_a_new_round_and_keeps_the_one_before():
    g = three_at_table_zero()
    g.do("a", "cast_vote", choice=0)
    with pytest.raises(OutOfTurn):  # secret votes: each changes their own, nobody wipes them
        g.do("b", "revote")
    for pid in "bc":
        g.do(pid, "cast_vote", choice=0)
    g.do("b", "revote")
    play = g.state.tables[0].current
    assert play.votes == {} and not play.revealed and play.round == 1
    assert play.earlier[0].votes == {"a": 0, "b": 0, "c": 0} and play.earlier[0].revealed
    g.do("a", "cast_vote", choice=1)
    g.host("reset_table", table=0)
    assert play.round == 2 and len(play.earlier) == 2


def test_bad_votes_are_refused_and_change_nothing():
    g = three_at_table_zero()
    before = copy.deepcopy(g.state)
    for payload in ({"choice": 3}, {"choice": -1}, {"choice": True}, {"choice": "1"}, {}):
        with pytest.raises(InvalidInput):
            g.do("a", "cast_vote", **payload)
    with pytest.raises(OutOfTurn):
        g.do("a", "cast_vote", choice=0, card="agree")
    assert g.state == before


def test_open_card_has_no_vote_but_can_show_its_reflection():
    g = three_at_table_zero()
    g.host("deal_card", card="talk")
    with pytest.raises(OutOfTurn):
        g.do("a", "cast_vote", choice=0)
    g.do("a", "reveal_votes")
    assert g.state.tables[0].current.revealed


def test_scale_card_has_five_choices():
    g = three_at_table_zero()
    g.host("deal_card", card="agree")
    g.do("a", "cast_vote", choice=4)
    with pytest.raises(InvalidInput):
        g.do("b", "cast_vote", choice=5)


def test_moving_a_voter_takes_the_secret_vote_along():
    g = three_at_table_zero()
    g.do("a", "cast_vote", choice=0)
    g.host("move_participant", pid="a", table=1)
    assert g.state.tables[0].current.votes == {}


# --- notes and joint choice ------------------------------------------------------------------------


def test_notes_are_typed_limited_and_owned():
    g = three_at_table_zero(max_note_chars=20)
    (event,) = g.do("a", "add_note", kind="tip", text="  Start small  ")
    note_id = event["note"]
    note = g.state.notes[note_id][1]
    assert (note.kind, note.text, note.card) == ("tip", "Start small", "pick")
    with pytest.raises(InvalidInput):
        g.do("a", "add_note", kind="rant", text="hi")
    with pytest.raises(InvalidInput):
        g.do("a", "add_note", kind="tip", text="x" * 21)
    with pytest.raises(InvalidInput):
        g.do("a", "add_note", kind="tip", text="   ")
    with pytest.raises(Forbidden):
        g.do("b", "edit_note", note=note_id, text="mine now")
    with pytest.raises(Forbidden):
        g.do("b", "delete_note", note=note_id)
    g.do("a", "edit_note", note=note_id, text="Start very small")
    assert note.text == "Start very small" and note.edited
    g.do("a", "delete_note", note=note_id)
    assert note_id not in g.state.notes
    assert g.state.tables[0].current.notes == []


def test_note_needs_a_card():
    g = Game()
    g.seat("a", 0)
    with pytest.raises(OutOfTurn):
        g.do("a", "add_note", kind="tip", text="hello")


def test_joint_choice_is_recorded_and_checked():
    g = three_at_table_zero()
    g.do("a", "record_choice", choice=2)
    assert g.state.tables[0].current.choice == 2
    with pytest.raises(InvalidInput):
        g.do("a", "record_choice", choice=7)
    g.do("b", "record_choice", choice=None)
    assert g.state.tables[0].current.choice is None


def test_next_card_keeps_the_history():
    g = three_at_table_zero()
    g.do("a", "cast_vote", choice=1)
    g.do("a", "add_note", kind="question", text="Why?")
    g.do("a", "draw_card")
    table = g.state.tables[0]
    assert len(table.plays) == 2
    assert table.plays[0].votes == {"a": 1}
    assert table.plays[0].notes[0].text == "Why?"


# --- facilitator -------------------------------------------------------------------------------------


def test_pause_blocks_the_tables_until_resumed():
    g = three_at_table_zero()
    g.host("pause", paused=True)
    with pytest.raises(OutOfTurn, match="paused"):
        g.do("a", "cast_vote", choice=0)
    g.host("pause", paused=False)
    g.do("a", "cast_vote", choice=0)


def test_timer_counts_from_the_injected_clock():
    g = Game()
    g.host("start_timer", seconds=300)
    assert g.state.timer_ends_at == g.now + 300
    with pytest.raises(InvalidInput):
        g.host("start_timer", seconds=5)
    g.host("stop_timer")
    assert g.state.timer_ends_at is None


def test_message_hide_and_spotlight():
    g = three_at_table_zero()
    (note,) = g.do("a", "add_note", kind="tip", text="Host the group")
    g.host("send_message", text="Five more minutes")
    assert g.state.message["text"] == "Five more minutes"
    g.host("hide_note", note=note["note"])
    assert g.state.notes[note["note"]][1].hidden
    g.host("spotlight", card="pick", notes=[note["note"]])
    assert g.state.spotlight["card"] == "pick"
    with pytest.raises(InvalidInput):
        g.host("spotlight", card="agree", notes=[note["note"]])
    g.host("spotlight", card=None)
    assert g.state.spotlight is None


def test_participants_cannot_use_facilitator_commands():
    g = three_at_table_zero()
    before = copy.deepcopy(g.state)
    for command in ("deal_card", "reveal_table", "pause", "end_session", "hide_note", "spotlight"):
        with pytest.raises(Forbidden):
            g.do("a", command)
        with pytest.raises(Forbidden):
            g.do(PROJECTOR, command)
    with pytest.raises(Forbidden):
        g.host("cast_vote", choice=0)
    with pytest.raises(InvalidInput, match="Unknown command"):
        g.do("a", "drop_tables")
    assert g.state == before


def test_strangers_cannot_act():
    g = three_at_table_zero()
    with pytest.raises(NotFound):
        g.do("zz", "cast_vote", choice=0)


def test_ended_session_refuses_everything():
    g = three_at_table_zero()
    g.host("end_session")
    for actor, command, payload in (
        ("a", "cast_vote", {"choice": 0}),
        ("new", "join", {"name": "late"}),
        (None, "deal_card", {}),
    ):
        with pytest.raises(OutOfTurn, match="ended"):
            if actor is None:
                g.host(command, **payload)
            else:
                g.do(actor, command, **payload)


def test_decide_does_not_change_state():
    g = three_at_table_zero()
    before = copy.deepcopy(g.state)
    decide(g.state, Actor.participant("a"), "cast_vote", {"choice": 1}, g.now)
    assert g.state == before


def test_payload_must_be_an_object():
    g = three_at_table_zero()
    with pytest.raises(InvalidInput):
        decide(g.state, Actor.participant("a"), "cast_vote", [1], g.now)


def test_errors_are_game_errors_with_codes():
    g = Game()
    with pytest.raises(GameError) as info:
        g.do("x", "draw_card")
    assert info.value.code == "not_found"


# --- replay --------------------------------------------------------------------------------------------


def test_replaying_the_log_rebuilds_the_session():
    g = three_at_table_zero()
    g.do("a", "cast_vote", choice=0)
    g.do("b", "add_note", kind="concern", text="Nobody hosts it")
    g.do("c", "cast_vote", choice=1)
    g.do("b", "cast_vote", choice=1)
    g.do("a", "record_choice", choice=1)
    g.host("spotlight", card="pick", notes=[g.state.tables[0].current.notes[0].id])
    g.do("a", "draw_card")
    stored = [e for e in g.log if e["type"] not in TRANSIENT_EVENTS]
    rebuilt = replay(copy.deepcopy(stored))
    for member in g.state.members.values():
        member.connected = False  # presence is not part of the record
    assert rebuilt.tables == g.state.tables
    assert rebuilt.members == g.state.members
    assert rebuilt.spotlight == g.state.spotlight


def test_a_note_written_offline_on_an_earlier_card_stays_with_that_card():
    g = three_at_table_zero()
    g.do("a", "draw_card")
    g.do("b", "add_note", kind="tip", text="About pick", card="pick")
    table = g.state.tables[0]
    assert table.plays[0].notes[0].text == "About pick"
    assert table.current.notes == []
    never = next(c for c in ("agree", "talk", "two") if c != table.current.card)
    with pytest.raises(OutOfTurn):
        g.do("b", "add_note", kind="tip", text="Never here", card=never)
    rebuilt = replay([e for e in g.log if e["type"] not in TRANSIENT_EVENTS])
    assert rebuilt.tables[0].plays[0].notes[0].text == "About pick"


def test_joint_choice_for_a_card_the_table_left_is_refused():
    g = three_at_table_zero()
    g.do("a", "draw_card")
    with pytest.raises(OutOfTurn):
        g.do("a", "record_choice", choice=1, card="pick")


def test_who_sits_where_stays_right_through_moves_and_replay():
    """The per-table seat index (kept so work per table does not grow with the room) always
    agrees with the members' own seats, in order of joining, also after a replay."""
    import random

    rng = random.Random(3)
    g = Game(tables=3)
    for n in range(12):
        g.seat(f"p{n}", rng.randrange(3))
    for _ in range(30):
        g.host("move_participant", pid=f"p{rng.randrange(12)}", table=rng.randrange(3))
    for state in (g.state, replay(g.log)):
        for table in range(3):
            expected = [m.pid for m in state.members.values() if m.table == table]
            assert [m.pid for m in state.table_members(table)] == expected
            assert state.table_size(table) == len(expected)
