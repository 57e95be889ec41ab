"""Issue 20 in the core: the programme (name, shortlist, order, openers and closers), scripts
(the table's step, moved on by any member or the facilitator, tied to the rounds), perspectives
(dealt privately, spread, from the seed), dilemmas from the room and the takeaway. No server."""

import copy
import json
import random

import pytest

from game.core import export
from game.core.command import FACILITATOR, PROJECTOR, Actor
from game.core.features import takeaway
from game.core.model import state_from_created
from game.core.programme import suggested_minutes
from game.core.registry import replay
from game.core.rules import handle, session_created
from game.core.takeaway import takeaway_view
from game.core.views import me_view, table_view, view_for
from game.decks.deck import parse_deck
from game.errors import InvalidInput, NotFound, OutOfTurn
from tests.coregame import SMALL_DECK

SCRIPTED = copy.deepcopy(SMALL_DECK)
SCRIPTED["steps"] = [
    {"label": "Vote alone", "instruction": "Read and vote.", "minutes": 2, "kind": "vote"},
    {"label": "Each says why", "minutes": 4},
    {"label": "Vote again", "minutes": 1, "kind": "round"},
    {"label": "One sentence", "minutes": 3, "kind": "conclusion"},
]
SCRIPTED["perspectives"] = [
    {"label": "The director", "description": "Reputation and money."},
    {"label": "An ambassador"},
    {"label": "The conversation team"},
    {"label": "A volunteer"},
]
SCRIPTED["cards"][3]["steps"] = []  # "two": no script
SCRIPTED["cards"][3]["perspectives"] = []  # and no perspectives


class Session:
    """A session of the scripted deck, with a clock moved by hand (like tests.coregame.Game)."""

    def __init__(self, tables=2, deck=SCRIPTED, seed=7, **settings):
        self.now = 1000.0
        created = session_created(
            code="ABC234",
            deck_id="scripted",
            deck_data=parse_deck(deck).to_data(),
            table_names=[f"Table {n + 1}" for n in range(tables)],
            seed=seed,
            now=self.now,
            **settings,
        )
        created["secret"] = "a-secret-for-tests"
        self.state = state_from_created(created)
        self.log = [created]

    def do(self, actor, command, **payload):
        if isinstance(actor, str):
            actor = Actor.participant(actor)
        events = handle(self.state, actor, command, payload, self.now)
        self.log.extend(events)
        return events

    def host(self, command, **payload):
        return self.do(FACILITATOR, command, **payload)

    def seat(self, pid, table):
        self.do(pid, "join", name=pid.upper())
        self.log.extend(_presence(self.state, pid, self.now))
        self.do(pid, "take_seat", table=table)

    def me(self, pid):
        return me_view(self.state, pid)

    def current(self, table):
        return self.state.tables[table].current


def _presence(state, pid, now):
    from game.core.rules import presence

    return presence(state, pid, True, now)


def room(tables=2, per_table=3, **settings):
    s = Session(tables=tables, **settings)
    for t in range(tables):
        for n in range(per_table):
            s.seat(f"t{t}{'abcdef'[n]}", t)
    return s


# --- the programme -----------------------------------------------------------------------------


def test_a_programme_keeps_openers_and_closers_at_the_ends_of_every_pile():
    order = ["talk", "pick", "agree", "two"]
    s = Session(tables=6, programme=order, openers=1, closers=1, name="Masterclass March, B")
    piles = [t.pile for t in s.state.tables]
    assert all(
        p[0] == "talk" and p[-1] == "two" and sorted(p[1:3]) == ["agree", "pick"] for p in piles
    )
    assert len({tuple(p) for p in piles}) > 1, "the middle is shuffled per table"
    assert s.state.settings.name == "Masterclass March, B"
    assert view_for(s.state, PROJECTOR, s.now)["session"]["name"] == "Masterclass March, B"


def test_a_shortlist_leaves_cards_out_and_same_order_keeps_the_programme_order():
    s = Session(tables=2, programme=["two", "pick"], same_order=True)
    assert [t.pile for t in s.state.tables] == [["two", "pick"], ["two", "pick"]]
    s.host("deal_card")
    assert s.current(0).card == "two"
    s.host("deal_card")
    assert s.current(1).card == "pick"
    with pytest.raises(OutOfTurn):
        s.host("deal_card")
    s.host("deal_card", card="agree")  # a card outside the programme can still be dealt by name


def test_without_a_programme_the_piles_are_the_same_shuffle_as_before():
    s = Session(tables=3, seed=99)
    for table in s.state.tables:
        expected = [c["id"] for c in SCRIPTED["cards"]]
        random.Random(f"99:{table.id}").shuffle(expected)
        assert table.pile == expected
    # The whole deck in its own order is no programme at all.
    ids = [c["id"] for c in SCRIPTED["cards"]]
    assert Session(programme=ids).state.settings.programme is None


@pytest.mark.parametrize(
    "settings",
    [
        {"programme": ["pick", "nope"]},
        {"programme": ["pick", "pick"]},
        {"programme": []},
        {"programme": "pick"},
        {"programme": ["pick", "two"], "openers": 2, "closers": 1},
        {"openers": -1},
        {"name": "x" * 81},
        {"name": 3},
        {"perspectives": "yes"},
    ],
)
def test_a_wrong_programme_is_refused(settings):
    with pytest.raises(InvalidInput):
        Session(**settings)


def test_the_suggested_time_adds_the_minutes_of_each_cards_script():
    s = Session(programme=["pick", "two", "agree"])
    deck = s.state.deck
    assert suggested_minutes(deck, ["pick", "two", "agree"]) == 20  # 10 + 0 (no script) + 10
    programme = view_for(s.state, FACILITATOR, s.now)["programme"]
    assert programme["minutes"] == 20 and [c["id"] for c in programme["cards"]] == [
        "pick",
        "two",
        "agree",
    ]


# --- scripts -----------------------------------------------------------------------------------


def test_any_member_moves_the_table_through_the_script_and_it_ties_into_the_rounds():
    s = room(tables=2)
    s.host("deal_card", card="pick")
    step = table_view(s.state, 0)["current"]["step"]
    assert (step["index"], step["label"], step["kind"], step["count"]) == (
        0,
        "Vote alone",
        "vote",
        4,
    )
    assert step["instruction"] == "Read and vote." and step["since"] == s.now
    s.do("t0a", "cast_vote", choice=0)
    s.do("t0b", "cast_vote", choice=1)
    s.now += 90
    events = s.do("t0c", "next_step", step=0)  # leaving the vote reveals it
    assert [e["type"] for e in events] == ["votes_revealed", "step_moved"]
    assert s.current(0).revealed and s.current(0).step == 1
    assert s.do("t0a", "next_step", step=0) == []  # a second tap on the step already left
    events = s.do("t0a", "next_step", step=1)  # entering "vote again" opens round 2
    assert [e["type"] for e in events] == ["step_moved", "votes_cleared"]
    assert s.current(0).round == 1 and not s.current(0).revealed
    for pid, choice in (("t0a", 1), ("t0b", 1), ("t0c", 1)):
        s.do(pid, "cast_vote", choice=choice)
    s.do("t0b", "next_step")
    s.do("t0b", "next_step")  # past the conclusion: done
    view = table_view(s.state, 0)["current"]
    assert view["step"]["done"] and view["step"]["label"] is None
    assert [r["distribution"] for r in view["rounds"]] == [[1, 1, 0]]
    with pytest.raises(OutOfTurn):
        s.do("t0b", "next_step")
    assert s.current(1).step == 0, "the other table is still at its first step"
    again = replay(s.log)
    assert again.tables[0].current.step == 4 and again.tables[0].current.round == 1


def test_the_step_view_holds_the_whole_script_and_when_the_step_began():
    s = room(tables=1, per_table=1)
    s.now = 1000.0
    s.host("deal_card", card="pick")
    s.now += 120
    s.do("t0a", "next_step")
    script = [
        {"label": "Vote alone", "minutes": 2, "kind": "vote"},
        {"label": "Each says why", "minutes": 4, "kind": "talk"},
        {"label": "Vote again", "minutes": 1, "kind": "round"},
        {"label": "One sentence", "minutes": 3, "kind": "conclusion"},
    ]
    assert table_view(s.state, 0)["current"]["step"] == {
        "index": 1,
        "count": 4,
        "done": False,
        "label": "Each says why",
        "instruction": "",
        "minutes": 4,
        "kind": "talk",
        "since": 1120.0,
        "steps": script,
    }


def test_the_facilitator_sees_each_tables_step_and_moves_all_tables_on():
    s = room(tables=3, per_table=1)
    s.host("deal_card", card="agree")
    s.now += 30
    s.do("t0a", "next_step")
    s.now += 15
    tables = view_for(s.state, FACILITATOR, s.now)["tables"]
    assert [t["current"]["step"]["index"] for t in tables] == [1, 0, 0]
    assert [t["seconds_on_step"] for t in tables] == [15, 45, 45]
    events = s.host("advance_tables")
    assert {e["table"] for e in events if e["type"] == "step_moved"} == {0, 1, 2}
    assert [s.current(t).step for t in range(3)] == [2, 1, 1]
    s.host("advance_tables", table=1)
    assert [s.current(t).step for t in range(3)] == [2, 2, 1]


def test_on_an_open_card_every_step_is_talk_and_a_card_may_have_no_script():
    s = room(tables=1, per_table=2)
    s.host("deal_card", card="talk")
    assert table_view(s.state, 0)["current"]["step"]["kind"] == "talk"
    assert [e["type"] for e in s.do("t0a", "next_step")] == ["step_moved"]
    s.host("deal_card", card="two")
    assert table_view(s.state, 0)["current"]["step"] is None
    with pytest.raises(OutOfTurn):
        s.do("t0a", "next_step")


def _done(s):
    """Table 1 past the last step of its card's script."""
    for _ in range(4):
        s.do("t0a", "next_step")


@pytest.mark.parametrize(
    ("setup", "payload", "error", "message"),
    [
        (None, {"card": "two"}, OutOfTurn, "The table has moved on to another card."),
        (None, {"step": 5}, InvalidInput, "There is no such step."),
        (None, {"step": -1}, InvalidInput, "There is no such step."),
        (None, {"step": "1"}, InvalidInput, None),
        (_done, {}, OutOfTurn, "The script of this card is done."),
        (_done, {"step": 4}, OutOfTurn, "The script of this card is done."),
        ("two", {}, OutOfTurn, "This card has no script."),
    ],
    ids=[
        "other card",
        "step past the end",
        "negative step",
        "step as text",
        "done",
        "done, seen",
        "no script",
    ],
)
def test_a_step_out_of_turn_is_refused_with_a_reason_and_changes_nothing(
    setup, payload, error, message
):
    s = room(tables=1, per_table=2)
    s.host("deal_card", card="two" if setup == "two" else "pick")
    if callable(setup):
        setup(s)
    before = (s.current(0).step, s.current(0).revealed, s.current(0).round, len(s.log))
    with pytest.raises(error) as refused:
        s.do("t0b", "next_step", **payload)
    if message is not None:
        assert refused.value.message == message
    assert (s.current(0).step, s.current(0).revealed, s.current(0).round, len(s.log)) == before


def test_a_step_is_moved_only_by_someone_at_the_table_of_a_running_session():
    s = room(tables=2, per_table=1)
    s.host("deal_card", card="pick")
    s.do("lone", "join", name="Lone")
    with pytest.raises(OutOfTurn):
        s.do("lone", "next_step")  # not seated
    s.host("pause", paused=True)
    with pytest.raises(OutOfTurn):
        s.do("t0a", "next_step")
    s.host("pause", paused=False)
    assert [e["type"] for e in s.do("t0a", "next_step", step=0)] == ["step_moved"]  # no votes
    assert (s.current(0).step, s.current(1).step) == (1, 0)


def test_the_facilitator_moves_an_unknown_table_not_at_all_and_a_table_past_its_script_no_further():
    s = room(tables=2, per_table=1)
    s.host("deal_card", card="agree")
    with pytest.raises(NotFound):
        s.host("advance_tables", table=9)
    assert [s.current(t).step for t in range(2)] == [0, 0]
    for _ in range(6):
        s.host("advance_tables", table=0)
    assert s.current(0).step == 4 and s.current(1).step == 0
    events = s.host("advance_tables")
    assert [(e["type"], e["table"]) for e in events] == [("step_moved", 1)]


def _with_script(card_id, steps):
    deck = copy.deepcopy(SCRIPTED)
    next(c for c in deck["cards"] if c["id"] == card_id)["steps"] = steps
    return deck


def test_leaving_a_round_step_reveals_it_and_the_step_says_who_moved_it():
    vote, again = (
        {"label": n, "minutes": 1, "kind": k} for n, k in (("V", "vote"), ("A", "round"))
    )
    s = room(tables=1, per_table=3, deck=_with_script("pick", [vote, again, {"label": "End"}]))
    s.host("deal_card", card="pick")
    s.do("t0a", "cast_vote", choice=0)
    events = s.do("t0b", "next_step", step=0)  # one vote of three: leaving the vote shows it
    assert {k: events[0][k] for k in ("type", "tables", "auto")} == {
        "type": "votes_revealed",
        "tables": [0],
        "auto": False,
    }
    assert events[1]["by"] == "t0b" and events[1]["step"] == 1
    assert [e["type"] for e in events] == ["votes_revealed", "step_moved", "votes_cleared"]
    assert s.current(0).round == 1, "entering the round step at once opened round 2"
    s.do("t0c", "cast_vote", choice=2)
    events = s.do("t0a", "next_step", step=1)  # leaving a round step shows that round too
    assert [e["type"] for e in events] == ["votes_revealed", "step_moved"]
    assert s.current(0).revealed and s.current(0).round == 1
    assert [e.get("by") for e in s.host("advance_tables") if e["type"] == "step_moved"] == [None]


def test_a_round_step_at_the_end_of_the_script_opens_a_round_only_after_a_reveal():
    vote, again = (
        {"label": n, "minutes": 1, "kind": k} for n, k in (("V", "vote"), ("A", "round"))
    )
    deck = _with_script("pick", [vote, again])
    quiet = room(tables=1, per_table=2, deck=deck)
    quiet.host("deal_card", card="pick")
    assert [e["type"] for e in quiet.do("t0a", "next_step")] == ["step_moved"]  # nothing to show
    assert quiet.current(0).round == 0 and quiet.current(0).step == 1
    s = room(tables=1, per_table=2, deck=deck)
    s.host("deal_card", card="pick")
    s.do("t0a", "cast_vote", choice=1)
    events = s.do("t0b", "next_step")
    assert [e["type"] for e in events] == ["votes_revealed", "step_moved", "votes_cleared"]
    assert s.current(0).round == 1


def test_leaving_a_talk_step_keeps_early_votes_secret_and_an_open_cards_round_is_talk():
    talk, vote = {"label": "Talk", "minutes": 1}, {"label": "Vote", "minutes": 1, "kind": "vote"}
    s = room(tables=1, per_table=2, deck=_with_script("pick", [talk, vote]))
    s.host("deal_card", card="pick")
    s.do("t0a", "cast_vote", choice=0)  # early, during the talk
    assert [e["type"] for e in s.do("t0b", "next_step")] == ["step_moved"]
    assert not s.current(0).revealed
    open_card = room(tables=1, per_table=1)
    open_card.host("deal_card", card="talk")
    open_card.do("t0a", "next_step")
    open_card.do("t0a", "next_step")
    step = table_view(open_card.state, 0)["current"]["step"]
    assert (step["label"], step["kind"]) == ("Vote again", "talk")  # a round without options


def test_a_table_that_only_passed_is_shown_when_it_leaves_the_vote():
    s = room(tables=1, per_table=2)
    s.host("deal_card", card="pick")
    s.do("t0a", "pass_vote")
    events = s.do("t0b", "next_step")
    assert [e["type"] for e in events] == ["votes_revealed", "step_moved"]
    nobody = room(tables=1, per_table=2)
    nobody.host("deal_card", card="pick")
    assert [e["type"] for e in nobody.do("t0b", "next_step")] == ["step_moved"]  # nothing to show


def test_round_steps_open_rounds_up_to_the_cards_limit_and_no_further():
    rounds = [{"label": f"Round {n}", "minutes": 1, "kind": "round"} for n in range(12)]
    s = room(tables=1, per_table=1, deck=_with_script("two", rounds))
    s.host("deal_card", card="two")
    for n in range(11):
        if not s.current(0).revealed:  # the last round, shown, takes no vote any more
            s.do("t0a", "cast_vote", choice=n % 2)  # the only one at the table: shown at once
        s.do("t0a", "next_step")
        assert s.current(0).round == min(n + 1, 9), n
    assert s.current(0).step == 11


def test_a_skipped_card_shows_no_step_to_the_table_or_the_facilitator():
    s = room(tables=2, per_table=2)
    s.host("deal_card", card="pick")
    s.do("t0a", "skip_card")
    assert table_view(s.state, 0)["current"]["step"] is None
    host = {t["id"]: t for t in view_for(s.state, FACILITATOR, s.now)["tables"]}
    assert host[0]["current"]["step"] is None
    assert host[1]["current"]["step"]["index"] == 0  # the other table plays on


# --- perspectives ------------------------------------------------------------------------------


def test_each_member_gets_a_different_perspective_shown_only_to_them():
    s = room(tables=2, per_table=4)
    s.host("deal_card", card="pick")
    mine = {pid: s.me(pid)["perspective"]["label"] for pid in ("t0a", "t0b", "t0c", "t0d")}
    assert len(set(mine.values())) == 4, "spread: four people, four perspectives"
    assert s.me("t0a")["perspective"]["description"] in ("", "Reputation and money.")
    # Never in what the table, the facilitator or the projector see.
    for view in (
        table_view(s.state, 0),
        view_for(s.state, FACILITATOR, s.now),
        view_for(s.state, PROJECTOR, s.now),
    ):
        dumped = json.dumps(view)
        assert not any(label in dumped for label in mine.values())
    # The seed decides: the same log gives the same perspectives.
    assert replay(s.log).tables[0].current.perspectives == s.current(0).perspectives
    # The next card deals them anew, in another order.
    s.host("deal_card", card="agree")
    assert len({s.me(pid)["perspective"]["label"] for pid in mine}) == 4


def test_someone_who_sits_down_later_gets_a_free_perspective_and_a_card_may_have_none():
    s = room(tables=1, per_table=2)
    s.host("deal_card", card="pick")
    s.seat("late", 0)
    labels = [s.me(pid)["perspective"]["label"] for pid in ("t0a", "t0b", "late")]
    assert len(set(labels)) == 3
    s.host("deal_card", card="two")  # perspectives: [] on this card
    assert s.me("t0a")["perspective"] is None


def test_the_facilitator_switches_perspectives_off_and_on():
    s = room(tables=1, per_table=2)
    s.host("deal_card", card="pick")
    s.host("set_perspectives", on=False)
    assert s.me("t0a")["perspective"] is None
    assert view_for(s.state, FACILITATOR, s.now)["perspectives"] == {"on": False, "available": True}
    s.host("set_perspectives", on=True)
    assert s.me("t0a")["perspective"] is not None
    plain = Session(deck=SMALL_DECK)
    with pytest.raises(InvalidInput):
        plain.host("set_perspectives", on=False)
    assert Session(perspectives=False).state.settings.perspectives is False


def test_switching_perspectives_on_reaches_every_table_with_a_card_even_after_one_without():
    s = room(tables=3, per_table=2)
    s.host("set_perspectives", on=False)
    s.host("deal_card", card="pick", table=1)  # table 0 has no card yet; tables 1 and 2 do,
    s.host("deal_card", card="agree", table=2)  # dealt while perspectives were off
    assert not s.current(1).perspectives and not s.current(2).perspectives
    s.host("set_perspectives", on=True)
    for pids in (("t1a", "t1b"), ("t2a", "t2b")):
        labels = {s.me(pid)["perspective"]["label"] for pid in pids}
        assert len(labels) == 2, labels  # dealt again, spread at the table
    assert s.me("t0a")["perspective"] is None
    assert replay(s.log).tables[2].current.perspectives == s.current(2).perspectives


def test_exports_count_votes_by_perspective_and_mark_each_reason():
    s = room(tables=1, per_table=3)
    s.host("deal_card", card="pick")
    for pid, choice in (("t0a", 0), ("t0b", 0), ("t0c", 2)):
        s.do(pid, "cast_vote", choice=choice)
    s.do("t0a", "add_note", kind="tip", text="Because.", option=0)
    data = export.results(s.state, s.now)
    play = data["cards"][0]["plays"][0]
    counts = play["by_perspective"][0]["counts"]
    label_a = s.me("t0a")["perspective"]["label"]
    assert counts[label_a] == [1, 0, 0] and sum(sum(c) for c in counts.values()) == 3
    assert play["notes"][0]["perspective"] == label_a
    csv = export.votes_csv(data)
    assert f"{label_a}\r\n" in csv
    assert export.notes_csv(data).splitlines()[0].endswith(",reason_for,perspective")
    assert "Votes by perspective" in export.markdown_report(data, lambda m, **k: m % k if k else m)


# --- dilemmas from the room --------------------------------------------------------------------


def test_a_table_proposes_a_dilemma_the_facilitator_deals_it_to_all_and_it_is_played():
    s = room(tables=2, per_table=2)
    s.do("t0a", "propose_dilemma", title="Our own", text="What now?", options=["This", "That"])
    proposals = view_for(s.state, FACILITATOR, s.now)["proposals"]
    assert proposals[0]["id"] == "room-1" and proposals[0]["table_name"] == "Table 1"
    assert proposals[0]["by"] == "T0A" and not proposals[0]["dealt"]
    assert [p["title"] for p in table_view(s.state, 0)["proposals"]] == ["Our own"]
    assert table_view(s.state, 1)["proposals"] == [], "another table does not see it"
    assert "Our own" not in json.dumps(view_for(s.state, Actor.participant("t1a"), s.now))
    events = s.host("deal_card", card="room-1")
    assert [e["type"] for e in events] == ["dilemma_accepted", "card_dealt"]
    assert s.current(1).card == "room-1" and s.state.deck.card("room-1").title == "Our own"
    s.do("t1a", "cast_vote", choice=1)
    s.do("t1b", "cast_vote", choice=1)
    assert table_view(s.state, 1)["current"]["distribution"] == [0, 2]
    data = export.results(s.state, s.now)
    card = next(c for c in data["cards"] if c["id"] == "room-1")
    assert card["from_room"] and card["total"] == [0, 2]
    assert data["proposals"][0]["table"] == "Table 1" and data["proposals"][0]["dealt"]
    again = replay(s.log)
    assert again.deck.card("room-1") == s.state.deck.card("room-1")


def test_a_proposal_dealt_to_its_own_table_only_and_an_open_one():
    s = room(tables=2, per_table=1)
    s.do("t1a", "propose_dilemma", title="Tell us", text="A story of failure.")
    assert s.state.proposals[0].card.response.kind == "open"
    s.host("deal_card", card="room-1", table=1)
    assert s.current(1).card == "room-1" and s.current(0) is None
    s.host("deal_card", card="room-1")  # now to every table: no second acceptance
    assert s.current(0).card == "room-1"


OPTION_COUNT = "Give 2 to 6 options, or none for an open card."


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"title": "", "text": "x"}, None),
        ({"title": "x", "text": ""}, None),
        ({"title": "x" * 121, "text": "x"}, None),
        ({"title": "x", "text": "y", "options": ["only one"]}, OPTION_COUNT),
        ({"title": "x", "text": "y", "options": ["only one", " ", ""]}, OPTION_COUNT),
        ({"title": "x", "text": "y", "options": ["a", "b", "c", "d", "e", "f", "g"]}, OPTION_COUNT),
        ({"title": "x", "text": "y", "options": ["a"] * 7}, OPTION_COUNT),
        ({"title": "x", "text": "y", "options": ["a", "a"]}, "Two options are the same."),
        ({"title": "x", "text": "y", "options": "a, b"}, OPTION_COUNT),
        ({"title": "x", "text": "y", "options": ["a", 3]}, None),
    ],
)
def test_a_wrong_proposal_is_refused_with_a_reason(payload, message):
    s = room(tables=1, per_table=1)
    with pytest.raises(InvalidInput) as refused:
        s.do("t0a", "propose_dilemma", **payload)
    if message is not None:
        assert str(refused.value) == message
    assert s.state.proposals == []


def test_a_proposal_takes_six_options_and_leaves_blank_ones_out():
    s = room(tables=1, per_table=1)
    six = ["a", "b", "c", "d", "e", "f"]
    s.do("t0a", "propose_dilemma", title="Six", text="x", options=six)
    s.do("t0a", "propose_dilemma", title="Two", text="x", options=["yes", " ", "no", ""])
    assert [list(p.card.response.options) for p in s.state.proposals] == [six, ["yes", "no"]]


def test_proposals_are_bounded_and_filed_into_a_deck():
    s = room(tables=1, per_table=1)
    for n in range(10):
        s.do("t0a", "propose_dilemma", title=f"D{n}", text="x")
    with pytest.raises(OutOfTurn) as refused:
        s.do("t0a", "propose_dilemma", title="one more", text="x")
    assert str(refused.value) == "Your table has sent 10 dilemmas already."
    s.host("end_session")
    s.host("file_dilemma", proposal="room-2", deck="my-deck")
    s.host("file_dilemma", proposal="room-3", deck="")
    assert [p.filed for p in s.state.proposals[:4]] == [None, "my-deck", "", None]
    with pytest.raises(NotFound):
        s.host("file_dilemma", proposal="room-99", deck="x")
    assert replay(s.log).proposals[1].filed == "my-deck"


def test_a_session_takes_at_most_a_hundred_proposals():
    s = room(tables=11, per_table=1)
    for n in range(100):
        s.do(f"t{n // 10}a", "propose_dilemma", title=f"D{n}", text="x")
    with pytest.raises(OutOfTurn) as refused:
        s.do("t10a", "propose_dilemma", title="one more", text="x")
    assert str(refused.value) == "This session has all the proposals it can take."
    assert len(s.state.proposals) == 100


# --- the takeaway ------------------------------------------------------------------------------


def test_the_takeaway_holds_the_tables_cards_reflections_notes_and_conclusions_only():
    s = room(tables=2, per_table=2)
    s.host("deal_card", card="pick")
    s.do("t0a", "cast_vote", choice=0)
    s.do("t0b", "cast_vote", choice=1)
    s.do("t0a", "add_note", kind="tip", text="Ours to keep.")
    s.do("t1a", "add_note", kind="tip", text="Theirs, not ours.")
    s.do("t0b", "set_conclusion", text="We disagree, kindly.")
    hidden = s.do("t0b", "add_note", kind="concern", text="Hidden by the facilitator.")
    s.host("hide_note", note=hidden[0]["note"], hidden=True)
    assert me_view(s.state, "t0a")["takeaway"] is None, "not before the end"
    s.host("end_session")
    view = takeaway_view(s.state, 0)
    text = json.dumps(view)
    assert "Ours to keep." in text and "We disagree, kindly." in text
    assert "Theirs, not ours." not in text and "Hidden by the facilitator." not in text
    assert "Table 2" not in text
    card = view["cards"][0]
    assert card["card"]["reflection"] == "Shown after the reveal."
    assert card["rounds"][0]["distribution"] == [1, 1, 0]
    mine = me_view(s.state, "t0a")["takeaway"]
    assert mine["table"] == 0 and takeaway.key_matches(s.state, 0, mine["key"])
    assert not takeaway.key_matches(s.state, 1, mine["key"]), "one table's key opens no other"
    s.host("offer_takeaway", offered=False)
    assert me_view(s.state, "t0a")["takeaway"] is None
    s.host("offer_takeaway", offered=True)
    assert me_view(s.state, "t0a")["takeaway"] == mine


def test_a_session_without_a_secret_offers_no_takeaway():
    s = room(tables=1, per_table=1)
    s.state.secret = ""
    s.host("end_session")
    assert me_view(s.state, "t0a")["takeaway"] is None
    assert takeaway.takeaway_key(s.state, 0) is None
