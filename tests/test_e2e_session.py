"""Live session, end to end: a facilitator, a projector and three phones in headless Chromium
against a real server (``python app.py``): sign in, start a session, join, deal, vote, note,
reveal, spotlight."""

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser


def test_a_session_from_sign_in_to_the_spotlight(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)
    note = "We tried a small test with five volunteers first."

    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=2, flow="deal", seating="choose")
        wall = e2e.open_projector(room, host)
        expect(wall.get_by_text(code, exact=True)).to_be_visible()  # the lobby

        path = e2e.join_path(host, code)
        anna, bram, cato = (
            e2e.phone(room, name, server, path) for name in ("anna", "bram", "cato")
        )
        e2e.join(anna, "Anna", "Table 1")
        e2e.join(bram, "Bram", "Table 1")
        e2e.join(cato, "Cato", "Table 2")
        expect(host.locator("#people")).to_have_text("3 people")
        expect(wall.get_by_text("3 people joined")).to_be_visible()
        for page in (anna, bram, cato):
            expect(page.get_by_text("Waiting for the facilitator to deal a card.")).to_be_visible()

        e2e.deal(host, card)
        for page in (anna, bram, cato):
            expect(page.get_by_role("heading", name=card.title, level=2)).to_be_visible()

        # Votes stay secret until everyone present at the table has voted.
        e2e.vote(anna, options[0])
        expect(anna.locator("#screen").get_by_text("Saved ✓")).to_be_visible()  # the vote
        expect(bram.get_by_text("Votes in: 1 of 2")).to_be_visible()
        expect(bram.get_by_role("heading", name="How your table voted")).to_have_count(0)
        e2e.write_note(anna, note, kind="Experience")
        e2e.vote(bram, options[1])
        e2e.vote(cato, options[1])

        # Revealed by itself: the distribution and the reflection on every phone.
        for page, counts in ((anna, [1, 1, 0, 0]), (bram, [1, 1, 0, 0]), (cato, [0, 1, 0, 0])):
            expect(page.get_by_role("heading", name="How your table voted")).to_be_visible()
            for option, count in zip(options, counts, strict=False):
                e2e.bar(page, option, count)
            expect(page.get_by_role("heading", name="Reflection")).to_be_visible()
            expect(page.get_by_text(" ".join(card.reflection.split())[:60])).to_be_visible()
        expect(bram.get_by_text(note)).to_be_visible()  # Anna's note, on her table's other phone
        expect(cato.get_by_text(note)).to_have_count(0)  # ... and not at another table

        # The facilitator sees table 1: votes in, the distribution, the note.
        table1 = e2e.table_card(host, "Table 1")
        expect(table1.get_by_text("Votes: 2 of 2 present")).to_be_visible()
        expect(table1.get_by_text(card.title, exact=True)).to_be_visible()
        for option, count in zip(options, [1, 1, 0, 0], strict=False):
            e2e.bar(table1, option, count)
        expect(table1.get_by_text(note)).to_be_visible()
        expect(e2e.table_card(host, "Table 2").get_by_text("Votes: 1 of 1 present")).to_be_visible()

        # The plenary: the card and Anna's note on the projector.
        e2e.spotlight_notes(host, "Table 1", [note], card)
        expect(wall.get_by_role("heading", name=card.title, level=1)).to_be_visible()
        expect(wall.get_by_role("heading", name="All tables: 3 votes")).to_be_visible()
        for letter, option, count in zip("ABCD", options, [1, 2, 0, 0], strict=False):
            e2e.bar(wall, f"{letter}. {option}", count)
        for table, counts in (("Table 1", [1, 1, 0, 0]), ("Table 2", [0, 1, 0, 0])):
            box = wall.get_by_role("group", name=table)
            for letter, count in zip("ABCD", counts, strict=False):
                e2e.bar(box, letter, count)
        expect(wall.get_by_text(note)).to_be_visible()
        expect(wall.get_by_text(re.compile(r"Anna|Bram|Cato"))).to_have_count(0)  # no names

        # The results, at any moment: the facilitator's report page opens from the session.
        with host.context.expect_page() as opened:
            host.get_by_role("link", name="Results and downloads").click()
        report = opened.value
        room.adopt("report", report)
        expect(report.get_by_role("heading", name=card.title, level=2)).to_be_visible()
        expect(report.get_by_role("heading", name="All tables", level=3)).to_be_visible()
        expect(report.get_by_text(note)).to_be_visible()
        expect(report.get_by_role("link", name="Votes (CSV)")).to_be_visible()
        with report.expect_download() as download:
            report.get_by_role("link", name="Notes (CSV)").click()
        assert note in Path(download.value.path()).read_text(encoding="utf-8-sig")

        room.assert_clean(console=True)
        table1.get_by_text(note).scroll_into_view_if_needed()
        room.keep_screenshots(
            anna="phone-360x740.png",
            facilitator="facilitator-1280x800.png",
            projector="projector-1920x1080.png",
            report="report-1280x800.png",
        )
