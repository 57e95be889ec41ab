"""Live session, end to end: a facilitator, a projector and three phones in headless Chromium
against a real server (``python app.py``): sign in, start a session, join, deal, vote, note,
reveal, spotlight, compare, end."""

import re
from pathlib import Path

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser


# Projector text must be readable from the back of the room: at least this at 1920 x 1080.
WALL_SMALLEST_PX = 24


def test_a_session_from_sign_in_to_the_spotlight(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)
    note = "We tried a small test with five volunteers first."

    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=2, flow="deal", seating="choose")
        e2e.add_table(host, "Corner")  # nobody sits here: a deal passes it by
        wall = e2e.open_projector(room, host)
        expect(wall.get_by_text(code, exact=True)).to_be_visible()  # the lobby
        assert e2e.smallest_text(wall)[0] >= WALL_SMALLEST_PX, e2e.smallest_text(wall)

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
        expect(wall.get_by_role("group", name="Corner")).to_have_count(0)  # empty, did not play
        assert e2e.smallest_text(wall)[0] >= WALL_SMALLEST_PX, e2e.smallest_text(wall)

        # The comparison tells a table that did not play the card from one still talking.
        compared = host.locator("#comparison").get_by_role("row").filter(has_text=card.title)
        expect(compared.get_by_role("cell")).to_have_count(3)
        expect(compared.get_by_role("cell").nth(2)).to_have_text("—did not play this card")
        expect(compared.get_by_role("img")).to_have_count(2)  # the charts of tables 1 and 2

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

        # The projector's comparison (key C): bars for tables 1 and 2, a dash for the corner,
        # and a key under the table that says what the dash means.
        wall.keyboard.press("c")
        expect(wall.get_by_role("heading", name="How every table voted")).to_be_visible()
        row = wall.get_by_role("row").filter(has_text=card.title)
        expect(row.get_by_role("cell").nth(2)).to_have_text("—did not play this card")
        expect(wall.locator(".cmpkey")).to_have_text("— did not play this card")
        e2e.bar(row.get_by_role("cell").nth(1), "B", 1)
        assert e2e.smallest_text(wall)[0] >= WALL_SMALLEST_PX, e2e.smallest_text(wall)
        room.keep_screenshots(projector="projector-comparison-1920x1080.png")

        # Ending: a banner points to the results; nothing on the tables can change them any more.
        def live_controls():
            found = host.locator("#tables, #unseated").locator("button, select, input")
            return found.filter(visible=True).and_(host.locator(":enabled"))

        expect(live_controls()).not_to_have_count(0)  # reveal, reset, move, hide, pick
        e2e.end_session(host)
        banner = host.locator("#ended")
        expect(banner).to_contain_text("This session has ended.")
        results = banner.get_by_role("link", name="Results and downloads")
        expect(results).to_have_attribute("href", f"/host/s/{code}/report")
        # Like every link that leaves the live page: a tab of its own, marked as such.
        expect(results).to_have_attribute("target", "_blank")
        expect(results).to_have_accessible_description("Opens in a new tab")
        expect(host.get_by_role("button", name="Deal to all tables")).to_have_count(0)
        expect(banner.locator(".err")).to_have_count(0)
        expect(wall.locator("#footer")).to_be_empty()  # no "Join at", no timer once ended
        expect(live_controls()).to_have_count(0)
        expect(table1.get_by_text(note)).to_be_visible()  # what happened stays in view
        expect(host.get_by_role("heading", name="All cards played")).to_be_visible()
        expect(
            wall.get_by_role("heading", name="This session has ended. Thank you!")
        ).to_be_visible()

        # The closing evaluation: phones ask three questions; the facilitator sees the answers
        # without names.
        expect(anna.get_by_role("heading", name="One last thing: how was it?")).to_be_visible()
        anna.get_by_role("group", name="How useful was this session for you?").get_by_role(
            "button", name="4"
        ).click()
        anna.get_by_label("What should we keep?").fill("Talking at small tables")
        anna.get_by_label("What should we add or change?").fill("A longer plenary")
        anna.get_by_role("button", name="Send").click()
        expect(anna.get_by_text("Thank you! Your answers are saved.")).to_be_visible()
        bram.get_by_role("button", name="Send").click()  # no number chosen: told, not sent
        expect(bram.get_by_text("Choose a number from 1 to 5 first.")).to_be_visible()
        evaluation = host.locator("#evaluation")
        expect(evaluation).to_contain_text("1 of 3 people answered")
        expect(evaluation).to_contain_text("How useful: 4 out of 5 on average")
        expect(evaluation.get_by_text("A longer plenary")).to_be_visible()
        expect(evaluation.get_by_text("Anna")).to_have_count(0)
        anna.reload()  # the answers come back with the page
        expect(anna.get_by_label("What should we keep?")).to_have_value("Talking at small tables")

        room.assert_clean(console=True)
        room.keep_screenshots(anna="phone-evaluation-360x740.png")
        host.evaluate("scrollTo(0, 0)")
        room.keep_screenshots(facilitator="facilitator-ended-1280x800.png")
