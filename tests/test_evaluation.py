"""The closing evaluation: only after the end, checked, replaceable, anonymous in every view."""

import copy
import json

import pytest

from game.core import export
from game.core.features import evaluation
from game.core.registry import replay
from game.core.rules import FACILITATOR
from game.core.views import view_for
from game.errors import InvalidInput, NotFound, OutOfTurn
from tests.coregame import Game


def ended_game():
    g = Game(tables=2)
    for pid, table, name in (("a", 0, "Anna"), ("b", 0, "Bram"), ("c", 1, "Cato")):
        g.seat(pid, table, name=name)
    g.host("end_session")
    return g


def test_the_evaluation_opens_only_when_the_session_ends():
    g = Game()
    g.seat("a", 0)
    with pytest.raises(OutOfTurn, match="ends the session"):
        g.do("a", "submit_evaluation", useful=4)
    g.host("end_session")
    g.do("a", "submit_evaluation", useful=4, keep="The tables", add="More time")
    assert g.state.evaluations["a"]["useful"] == 4
    with pytest.raises(OutOfTurn, match="has ended"):
        g.do("a", "add_note", kind="tip", text="too late")


def test_answers_are_checked_and_a_refusal_changes_nothing():
    g = ended_game()
    before = copy.deepcopy(g.state)
    for payload in ({}, {"useful": 0}, {"useful": 6}, {"useful": True}, {"useful": "4"}):
        with pytest.raises(InvalidInput):
            g.do("a", "submit_evaluation", **payload)
    with pytest.raises(InvalidInput, match="too long"):
        g.do("a", "submit_evaluation", useful=3, keep="x" * 501)
    with pytest.raises(InvalidInput):
        g.do("a", "submit_evaluation", useful=3, add=["a list"])
    with pytest.raises(NotFound):
        g.do("stranger", "submit_evaluation", useful=3)
    assert g.state == before


def test_sending_again_replaces_and_the_same_answers_change_nothing():
    g = ended_game()
    g.do("a", "submit_evaluation", useful=2, keep="  Notes  ")
    assert g.do("a", "submit_evaluation", useful=2, keep="Notes") == []
    g.do("a", "submit_evaluation", useful=5, keep="Notes", add="A break")
    assert evaluation.own_answers(g.state, "a") == {"useful": 5, "keep": "Notes", "add": "A break"}
    assert evaluation.summary(g.state)["answers"] == 1


def test_summary_is_anonymous_and_sorted():
    g = ended_game()
    g.do("c", "submit_evaluation", useful=5, keep="the plenary", add="")
    g.do("a", "submit_evaluation", useful=3, keep="Cards about failure", add="more time")
    g.do("b", "submit_evaluation", useful=4)
    summary = evaluation.summary(g.state)
    assert summary == {
        "answers": 3,
        "people": 3,
        "useful": [0, 0, 1, 1, 1],
        "useful_average": 4.0,
        "keep": ["Cards about failure", "the plenary"],
        "add": ["more time"],
    }
    facilitator = json.dumps(view_for(g.state, FACILITATOR, g.now))
    assert '"evaluation"' in facilitator
    for secret in ("Anna", "Bram", "Cato"):
        assert f'"{secret}"' not in json.dumps(summary)


def test_a_phone_sees_only_its_own_answers():
    g = ended_game()
    g.do("a", "submit_evaluation", useful=3, keep="Cards")
    mine = view_for(g.state, _p("a"), g.now)
    other = view_for(g.state, _p("b"), g.now)
    assert mine["me"]["evaluation"] == {"useful": 3, "keep": "Cards", "add": ""}
    assert other["me"]["evaluation"] is None
    assert "Cards" not in json.dumps(other)


def _p(pid):
    from game.core.rules import Actor

    return Actor.participant(pid)


def test_the_evaluation_survives_a_replay_and_reaches_the_exports():
    g = ended_game()
    g.do("a", "submit_evaluation", useful=4, keep="The cards", add="[a link](http://x)")
    again = replay(g.log)
    assert again.evaluations["a"]["keep"] == "The cards"
    data = export.results(again, g.now)
    assert data["evaluation"]["useful_average"] == 4.0
    report = export.markdown_report(data, lambda m, **p: m % p if p else m)
    assert "## Evaluation" in report
    assert "\\[a link\\](http://x)" in report  # the link is broken: only [ and ] escaped
    assert "Anna" not in report.split("## Evaluation")[1]
