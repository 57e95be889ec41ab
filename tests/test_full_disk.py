"""A full disk under SQLite: the session file lives on a small tmpfs that fills up while phones
write notes (a real ENOSPC in the middle of group commits). Commands are then answered
`unavailable` (retryable, nothing applied), `/readyz` says the store cannot be written, nothing
acknowledged is lost, the file passes `PRAGMA integrity_check`, and once space is freed the same
server, never restarted, takes the commands sent again with their cids, each once."""

import sqlite3
import time

import pytest

from game.core.registry import replay
from game.storage.sqlite import SQLiteStore
from tests.outage import fill, readiness, send_until_ok, small_filesystem, until
from tests.realclients import Facilitator, RealPhone, close_client, tiny_server

DISK = 4 * 1024 * 1024  # bytes of the small file system
ROOM = 160 * 1024  # bytes left free when the writes start: a few group commits' worth
PHONES = 4
MOST_NOTES = 400  # a bound: the disk is full long before
BOUND = 30.0


@pytest.mark.slow  # starts a server process
def test_a_full_disk_refuses_clearly_loses_nothing_and_recovers(tmp_path):
    disk = tmp_path / "disk"
    with small_filesystem(disk, DISK):
        database = disk / "tafelronde.sqlite3"
        server = tiny_server(tmp_path / "node", TAFELRONDE_DATABASE=str(database))
        host = Facilitator(server.start().url)
        phones, sockets = [], []
        try:
            code = host.create_session(flow="deal", table_count="1")
            host_sio, _ = host.socket(code)
            sockets.append(host_sio)
            for i in range(PHONES):
                phone = RealPhone(server.url, code, f"P{i}")
                phones.append(phone)
                phone.join()
                assert phone.call("take_seat", table=0)["ok"]
            assert host_sio.call("deal_card", {"card": "one"}, timeout=5)["ok"]
            assert readiness(server.url)[0] == 200

            ballast = fill(disk, ROOM)
            acked, refused = {}, []  # note id -> text; (phone, cid, text)
            text = ("A note that takes room on the disk. " * 12).strip()
            for n in range(MOST_NOTES):
                phone = phones[n % PHONES]
                cid, body = f"note-{n}", f"{n}: {text}"
                answer = phone.call("add_note", text=body, cid=cid)
                if answer["ok"]:
                    acked[answer["note"]] = body
                    continue
                assert answer["code"] == "unavailable" and answer["retry_after"] > 0, answer
                assert "Saving is paused" in answer["error"]
                refused.append((phone, cid, body))
                if len(refused) >= PHONES:
                    break
                pause = time.monotonic() + 0.3  # a phone's next command, a moment later
                while time.monotonic() < pause:
                    time.sleep(0.05)
            assert refused, "the disk never filled up"
            full_after = len(acked)
            status, body = readiness(server.url)
            assert status == 503 and "full" in body["store"]["error"], body

            ballast.unlink()  # an operator frees space; the server is not restarted
            freed = time.monotonic()
            until(lambda: readiness(server.url)[0] == 200, BOUND, "readyz 200 after freeing")
            ready_after = time.monotonic() - freed
            for phone, cid, body in refused:  # each phone's outbox sends its note again
                answer, _ = send_until_ok(phone, "add_note", BOUND, text=body, cid=cid)
                assert not answer.get("repeated")
                acked[answer["note"]] = body
            first, cid, _ = refused[0]
            again = first.call("add_note", text="ignored", cid=cid)
            assert again["ok"] and again.get("repeated"), again  # applied once, whatever is resent
            for i, phone in enumerate(phones):
                assert phone.call("cast_vote", choice=i % 3, cid=f"vote-{i}")["ok"]
        finally:
            for phone in phones:
                phone.close()
            for sio in sockets:
                close_client(sio)
            host.close()
            server.stop()

        with sqlite3.connect(database) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        store = SQLiteStore(database)
        events = store.load(code)
        store.close()
        notes = [e for e in events if e["type"] == "note_added"]
        assert {e["note"]: e["text"] for e in notes} == acked  # nothing acknowledged lost
        assert len(notes) == len(acked)  # nothing twice
        assert len(replay(events).tables[0].current.votes) == PHONES
    print(
        f"\nfull disk: {full_after} notes acknowledged before it filled, {len(refused)} refused"
        f" (unavailable), all {len(acked)} stored once; readyz 200 {ready_after:.2f} s after"
        " space was freed; integrity_check ok"
    )
