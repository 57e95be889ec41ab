"""One whole session, scripted: every command of the game played at least once, with the
refusals a room runs into, at three tables and a fourth added late. `tests/test_golden.py`
holds what each viewer sees at several moments and every export at the end to a recorded copy.

Only the public face of the rules is used (`handle` through `tests.coregame.Game`, `presence`,
`replay`, `view_for`, the exports), so the script outlives any reshaping of game/core/.
"""

import copy

from game.core.rules import FACILITATOR, PROJECTOR, Actor
from game.errors import GameError
from tests.coregame import SMALL_DECK, Game

# The small deck, card "two" with a script of its own and perspectives (issue 20).
DECK = copy.deepcopy(SMALL_DECK)
DECK["cards"][3]["steps"] = [
    {"label": "Vote alone", "minutes": 2, "kind": "vote"},
    {"label": "Each says why", "instruction": "One minute each.", "minutes": 3},
    {"label": "Vote again", "minutes": 1, "kind": "round"},
]
DECK["cards"][3]["perspectives"] = [{"label": "The director"}, {"label": "A volunteer"}]

# Who is at which table: a, b, c at table 1; x, y at table 2; s keeps table 3's shared phone.
SEATS = {"a": 0, "b": 0, "c": 0, "x": 1, "y": 1, "s": 2}
NAMES = {"a": "Ann", "b": "Bo", "c": "Cy", "x": "Xan", "y": "Yu", "s": "Sam"}
# Whose eyes each snapshot is taken through: a member of each kind of table, someone not yet
# seated, the facilitator and the wall.
VIEWERS = {
    "participant a (table 1)": Actor.participant("a"),
    "participant x (table 2)": Actor.participant("x"),
    "participant late (no seat)": Actor.participant("late"),
    "facilitator": FACILITATOR,
    "projector": PROJECTOR,
}


class Script:
    """A `Game` that keeps, in order, what every step did: its events, or its refusal."""

    def __init__(self, tables=3, seed=11, now=1000.0, code="ABC234", **settings):
        self.game = Game(tables=tables, seed=seed, now=now, code=code, deck=DECK, **settings)
        self.steps = []  # (who, command, payload, events or refusal)
        self.views = {}  # moment -> viewer -> view

    def tick(self, seconds=7.0):
        self.game.now += seconds

    def do(self, who, command, **payload):
        """One command (`who`: a pid, or "host"); a refusal is kept, not raised."""
        self.tick()
        actor = FACILITATOR if who == "host" else Actor.participant(who)
        try:
            events = self.game.do(actor, command, **payload)
        except GameError as error:
            self.steps.append([who, command, payload, _refusal(error)])
            return None
        self.steps.append([who, command, payload, events])
        return events

    def refused(self, who, command, **payload):
        """A command that must be refused (the test fails here if it was taken)."""
        assert self.do(who, command, **payload) is None, (who, command, payload)

    def note(self, who, text, **payload):
        """Add a note; its id."""
        (event,) = self.do(who, "add_note", text=text, **payload)
        return event["note"]

    def look(self, moment):
        """What every viewer sees now."""
        from game.core.views import view_for

        self.views[moment] = {
            name: view_for(self.game.state, viewer, self.game.now, 480)
            for name, viewer in VIEWERS.items()
        }


def _refusal(error):
    return {"refused": error.code, "message": error.message, "params": error.params}


def play():
    """The whole session; returns the `Script` with its steps and views."""
    s = Script()
    g = s.game
    for pid, table in SEATS.items():
        s.tick()
        g.seat(pid, table, name=NAMES[pid])
    s.do("late", "join", name="Late")  # joined, not seated yet
    s.do("b", "rename", name="Bob")
    s.refused("b", "rename", name=["Bob"])
    s.refused("a", "cast_vote", choice=0)  # no card yet
    s.refused("a", "deal_card", card="pick")  # the facilitator's command
    s.refused("host", "deal_card", card="nope")
    s.do("host", "set_devices", devices="shared", table=2)
    s.do("host", "deal_card", card="pick")
    s.look("a card dealt")

    # Table 1 votes, one passes: all answered, so it reveals by itself.
    s.do("a", "cast_vote", choice=0, card="pick")
    s.do("a", "cast_vote", choice=1, card="pick")  # a change of mind before the reveal
    s.refused("b", "cast_vote", choice=3)  # not an option
    s.refused("b", "cast_vote", choice=0, card="two")  # not the table's card
    s.do("b", "cast_vote", choice=2)
    s.look("votes in, secret")
    s.do("c", "pass_vote")
    # Table 2: one vote, then the table shows it; table 3's phone counts hands.
    s.do("x", "cast_vote", choice=1)
    s.do("x", "reveal_votes")
    s.do("y", "cast_vote", choice=0)  # late for the round that was shown
    s.refused("s", "record_tally", counts=[1, 2], passes=0)  # three options
    s.do("s", "record_tally", counts=[2, 1, 0], passes=1)

    # Notes, a reason for an option, a hidden one, an edited and a deleted one.
    tip = s.note("a", "Ask the volunteers first.", kind="tip")
    worry = s.note("b", "Nobody owns the page.", kind="concern")
    reason = s.note("x", "We tried it in 2019.", kind="experience", option=1)
    gone = s.note("c", "Is this about us?", kind="question")
    s.do("a", "edit_note", note=tip, text="Ask the volunteers first, then the board.")
    s.refused("b", "edit_note", note=tip, text="Not mine")
    s.do("c", "delete_note", note=gone)
    s.do("host", "hide_note", note=worry, hidden=True)
    s.do("a", "record_choice", choice=2, card="pick")
    s.do("b", "set_conclusion", text="We would ask the volunteers before the board.")

    # A second round at table 1: everyone moves to B.
    s.do("a", "revote")
    for pid in ("a", "b", "c"):
        s.do(pid, "cast_vote", choice=1)
    s.look("two rounds at table 1")

    # Care: a call for the facilitator answered, another left open.
    s.do("y", "flag_table", reason="need_help")
    s.do("host", "clear_flag", table=1)
    s.do("x", "flag_table", reason="sensitive")
    s.do("x", "withdraw_flag")  # thought better of it
    s.do("x", "flag_table", reason="sensitive")
    # The facilitator: timer, message, a pause that holds the room, the spotlight.
    s.do("host", "start_timer", seconds=300)
    s.do("host", "send_message", text="Five more minutes.")
    s.do("host", "pause", paused=True)
    s.refused("a", "add_note", text="While paused", kind="tip")
    s.do("host", "pause", paused=False)
    s.do("host", "spotlight", card="pick", notes=[reason, tip])
    s.do("host", "set_rounds", rounds=2)
    s.look("spotlight on the wall")

    # The next card: table 3 skips it, table 1 leaves it unrevealed when the next one comes.
    s.do("host", "deal_card", card="agree")
    s.do("s", "skip_card")
    s.do("s", "draw_card")  # and goes on at its own pace
    s.do("a", "cast_vote", choice=4)
    s.do("b", "cast_vote", choice=0)
    s.tick(600)  # a long talk: tables stall
    s.look("a stalled card")
    s.do("host", "deal_card", card="two")
    s.do("x", "cast_vote", choice=0)
    s.do("host", "reveal_table", table=1)
    s.do("host", "add_table", name="Extra")
    s.do("host", "move_participant", pid="y", table=3)
    s.do("late", "take_seat", table=3)
    s.do("host", "stop_timer")
    s.do("host", "reset_table", table=1)
    s.do("x", "cast_vote", choice=1)
    s.do("host", "reveal_table")
    # Card "two" has a script and perspectives: table 2 moves on, the facilitator moves it into
    # "vote again" (a new round); perspectives off and on; table 1 writes its own dilemma and the
    # facilitator deals it to that table.
    s.do("x", "next_step", step=0, card="two")
    s.do("x", "next_step", step=0)  # a second tap on a step already left: nothing
    s.refused("x", "next_step", step=9)
    s.do("host", "advance_tables", table=1)
    s.do("host", "set_perspectives", on=False)
    s.do("host", "set_perspectives", on=True)
    s.do("a", "propose_dilemma", title="Our own", text="What now?", options=["Go", "Stay"])
    s.refused("a", "propose_dilemma", title="", text="Nothing")
    s.do("host", "deal_card", card="room-1", table=0)
    s.look("a dilemma from the room")
    s.do("host", "deal_card", card="talk")
    s.note("a", "We talked about the members' group.", kind="experience")
    s.refused("a", "cast_vote", choice=0)  # an open card has no vote
    s.do("host", "spotlight", card=None)
    s.refused("s", "draw_card")  # table 3 has had every card
    s.look("before the end")

    s.do("host", "end_session")
    s.refused("a", "add_note", text="After the end", kind="tip")
    s.do("a", "submit_evaluation", useful=4, keep="The cards", add="More time")
    s.do("x", "submit_evaluation", useful=5, keep="", add="")
    s.refused("x", "submit_evaluation", useful=9, keep="", add="")
    s.do("host", "offer_takeaway", offered=False)
    s.do("host", "file_dilemma", proposal="room-1", deck="small")
    g.connect("b", connected=False)  # a phone that went away
    s.look("ended")
    return s


def play_again():
    """A second, shorter run of the deck a week later (for comparing runs): two tables, a card
    that one table talks over without showing it, a joint choice typed like a formula, no
    evaluation answers."""
    week = 7 * 24 * 3600
    s = Script(2, 5, 1000.0 + week, "DEF567", flow="deal", names_required=True)
    g = s.game
    s.refused("p", "join")  # this session asks for names
    for pid, table in (("p", 0), ("q", 0), ("r", 1)):
        s.tick()
        g.seat(pid, table, name="=" + pid.upper())  # a name a spreadsheet would run
    s.do("host", "deal_card", card="two")
    s.do("p", "cast_vote", choice=1)
    s.do("q", "cast_vote", choice=1)
    s.do("r", "cast_vote", choice=0)
    s.do("p", "record_choice", choice=1)
    s.do("host", "deal_card", card="pick")
    s.do("p", "cast_vote", choice=2)
    s.do("r", "pass_vote")
    s.do("host", "end_session")
    s.look("ended")
    return s
