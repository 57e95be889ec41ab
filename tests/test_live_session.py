"""One live session in memory (game/live_session.py) and the hub's answers to repeated client ids.

A phone repeats a command (same client id) when it did not see the answer. The hub must answer
the repeat without acting again, whether the first answer is still in memory, fell out of the
per-session cache (`RecentAnswers`), or was given by a process that ran before a restart. These
run in-process against a real SQLite store: no server, no clock.
"""

from game.core.rules import FACILITATOR, Actor
from game.hub import Hub
from game.live_session import REMEMBERED_ANSWERS, RecentAnswers
from game.storage.sqlite import SQLiteStore as Store
from tests.coregame import hub_session


def _seated(path):
    """A hub over a SQLite file, a session created there, one participant seated, a card dealt."""
    hub = Hub(Store(path))
    live = hub_session(hub)
    pid, _ = hub.join(live, "t" * 30, "A")
    hub.command(live, Actor.participant(pid), "take_seat", {"table": 0})
    hub.command(live, FACILITATOR, "deal_card", {"card": "pick"})
    return hub, live, pid


def _notes(live):
    return [note.text for _, note in live.state.notes.values()]


def test_the_cache_is_complete_until_it_first_forgets_an_answer():
    answers = RecentAnswers()
    for n in range(REMEMBERED_ANSWERS):
        answers[("p", f"c{n}")] = {"ok": True}
    assert answers.complete is True and len(answers) == REMEMBERED_ANSWERS
    answers[("p", "one more")] = {"ok": True}
    assert answers.complete is False and len(answers) == REMEMBERED_ANSWERS
    assert ("p", "c0") not in answers and ("p", "one more") in answers
    # Once incomplete, always incomplete: the forgotten answer is only in the store now.
    answers.pop(("p", "one more"))
    assert answers.complete is False
    # A cache that starts incomplete (a session loaded from the store) stays so.
    assert RecentAnswers(complete=False).complete is False


def test_a_repeat_after_its_answer_left_the_cache_is_answered_from_the_store(tmp_path):
    hub, live, pid = _seated(tmp_path / "s.sqlite3")
    assert live.applied.complete  # created here: a miss would mean a new client id
    live.applied = RecentAnswers(limit=3, complete=True)  # the 2,048 of a long session, shrunk
    phone = Actor.participant(pid)
    first, _ = hub.command(live, phone, "add_note", {"text": "once"}, cid="n-1")
    for n in range(3):  # three newer answers push the note's out of memory
        hub.command(live, FACILITATOR, "send_message", {"text": f"m{n}"}, cid=f"m-{n}")
    assert (pid, "n-1") not in live.applied
    stored = hub.store.event_count(live.code)
    again, events = hub.command(live, phone, "add_note", {"text": "once"}, cid="n-1")
    assert again == dict(first, repeated=True) and events == []
    assert _notes(live) == ["once"]
    assert hub.store.event_count(live.code) == stored
    hub.store.close()


def test_a_restarted_hub_answers_a_repeat_from_the_store_not_from_memory(tmp_path):
    hub, live, pid = _seated(tmp_path / "s.sqlite3")
    phone = Actor.participant(pid)
    first, _ = hub.command(live, phone, "add_note", {"text": "before"}, cid="n-1")
    hub.command(live, phone, "cast_vote", {"choice": 1}, cid="v-1")
    code = live.code
    hub.store.close()

    again = Hub(Store(tmp_path / "s.sqlite3"))  # a new process on the same file
    live = again.get(code)
    assert not live.applied.complete  # its memory holds none of the earlier answers
    stored = again.store.event_count(code)
    note, events = again.command(live, phone, "add_note", {"text": "before"}, cid="n-1")
    assert note == dict(first, repeated=True) and events == []
    vote, events = again.command(live, phone, "cast_vote", {"choice": 0}, cid="v-1")
    assert vote == {"ok": True, "repeated": True} and events == []
    assert _notes(live) == ["before"]
    assert live.state.tables[0].current.votes == {pid: 1}
    assert again.store.event_count(code) == stored
    # A new client id after the restart does act.
    answer, events = again.command(live, phone, "cast_vote", {"choice": 0}, cid="v-2")
    assert answer == {"ok": True} and [e["type"] for e in events] == ["vote_cast"]
    again.store.close()
