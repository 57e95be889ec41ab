"""What a facilitator met on a Monday morning, end to end in headless Chromium: a deal passes an
empty table by; a moved phone is told where to; a note's writer hears it was hidden; earlier
cards keep their notes on the facilitator's page for the spotlight; a pause keeps the wall on
and the timer still; the timer takes m:ss; a draw before the reveal asks in place; ★ is the
table's choice and "✓ your vote" one's own; the spotlight list shows what is on the wall after
a change of language."""

import re

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser


def test_a_room_where_the_facilitator_moves_hides_pauses_and_spotlights(browser, server, tmp_path):
    first, second = e2e.choice_card(), e2e.choice_card(skip_first=False)
    if first.id == second.id:
        second = next(c for c in e2e.deck().cards if c.response.options and c.id != first.id)
    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=3, flow="deal", seating="choose")
        wall = e2e.open_projector(room, host)
        path = e2e.join_path(host, code)
        anna, bram = (e2e.phone(room, n, server, path) for n in ("anna", "bram"))
        e2e.join(anna, "Anna", "Table 1")
        e2e.join(bram, "Bram", "Table 1")

        # A deal reaches the table where people sit, not the empty ones.
        e2e.deal(host, first)
        expect(e2e.table_card(host, "Table 1").get_by_text(first.title)).to_be_visible()
        expect(e2e.table_card(host, "Table 2").get_by_text("Nobody sits here")).to_be_visible()
        expect(e2e.table_card(host, "Table 2").get_by_text(first.title)).to_have_count(0)

        # Votes, the table's choice and one's own vote: ★ marks only the first.
        options = list(first.response.options)
        e2e.write_note(anna, "We tried a small test first. It went well.", kind="Experience")
        e2e.vote(anna, options[0])
        e2e.vote(bram, options[1])
        expect(anna.get_by_role("heading", name="How your table voted")).to_be_visible()
        anna.get_by_role("group", name="Your table's choice").get_by_role(
            "button", name=options[1]
        ).click()
        result = anna.locator(".s-result .bars")
        expect(result.get_by_role("listitem").nth(0)).to_have_text(f"{options[0]} ✓ your vote1")
        expect(result.get_by_role("listitem").nth(1)).to_have_text(f"★ {options[1]}1")

        # The facilitator hides Anna's note: Anna is told, Bram simply no longer sees it.
        note = e2e.table_card(host, "Table 1").get_by_role("listitem").filter(has_text="small test")
        note.get_by_role("button", name="Hide").click()
        expect(
            anna.get_by_text(re.compile(r"The facilitator hid your note “We tried"))
        ).to_be_visible()
        expect(bram.get_by_text("We tried a small test first.")).to_have_count(0)
        expect(bram.get_by_text(re.compile("hid your note"))).to_have_count(0)
        note.get_by_role("button", name="Show").click()
        expect(anna.get_by_text(re.compile("hid your note"))).to_have_count(0)

        # Bram is moved to table 3: he is told where, and table 1 does not count him present.
        e2e.table_card(host, "Table 1").get_by_label("Move Bram to another table").select_option(
            label="Table 3"
        )
        expect(bram.get_by_text("The facilitator moved you to Table 3.")).to_be_visible()
        expect(bram.get_by_role("heading", name="Table 3", level=1)).to_be_visible()
        expect(bram.get_by_role("heading", name=first.title)).to_be_visible()  # caught up
        table1 = e2e.table_card(host, "Table 1")
        expect(
            table1.get_by_text(re.compile(r"^Votes shown: 2 · 1 person · \d+:\d\d on this card$"))
        ).to_be_visible()
        expect(anna.get_by_text(re.compile("moved you"))).to_have_count(0)

        # The next card: the first one's notes stay on the facilitator's page, and can go on
        # the wall when that card is spotlighted.
        e2e.deal(host, second)
        expect(anna.get_by_role("heading", name=second.title)).to_be_visible()
        earlier = table1.locator("details.earlier")
        expect(earlier.locator("summary")).to_have_text("Earlier cards (1)")
        earlier.locator("summary").click()
        earlier.get_by_role("listitem").filter(has_text="small test").get_by_label(
            "for the projector"
        ).check()
        expect(host.get_by_label("Spotlight on the projector")).to_have_value(first.id)
        host.get_by_role("button", name="Spotlight", exact=True).click()
        expect(wall.get_by_role("heading", name=first.title, level=1)).to_be_visible()
        expect(wall.get_by_text("We tried a small test first. It went well.")).to_be_visible()

        # The timer in minutes and seconds; a pause stops it and keeps the wall on.
        host.get_by_label("Round timer (minutes, or m:ss)").fill("1:30")
        host.get_by_role("button", name="Start", exact=True).click()
        expect(wall.locator(".wtimer")).to_have_text(re.compile(r"^Time left: 1:[0-3]\d$"))
        host.get_by_role("button", name="Pause all").click()
        expect(wall.locator(".wpaused")).to_have_text("Paused")
        expect(wall.get_by_role("heading", name=first.title, level=1)).to_be_visible()
        expect(wall.locator(".wtimer")).to_have_text(
            re.compile(r"^Time left: 1:[0-3]\d \(paused\)$")
        )
        frozen = wall.locator(".wtimer").text_content()
        expect(anna.locator("#banners .timer")).to_have_text(frozen)
        expect(anna.get_by_text("Paused — look up")).to_be_visible()
        host.get_by_role("button", name="Resume").click()
        expect(wall.locator(".wpaused")).to_have_count(0)
        expect(wall.locator(".wtimer")).not_to_contain_text("paused")
        host.get_by_label("Round timer (minutes, or m:ss)").fill("soon")
        host.get_by_role("button", name="Start", exact=True).click()
        expect(
            host.get_by_text("Type minutes (10, 2.5) or minutes and seconds (1:30).")
        ).to_be_visible()

        # After a change of language the spotlight list still shows the card on the wall.
        host.get_by_role("link", name="NL", exact=True).click()
        expect(host.locator("#conn")).to_have_text("Verbonden")
        expect(host.get_by_label("Uitlichten op de projector")).to_have_value(first.id)
        room.assert_clean()


def test_drawing_before_the_reveal_asks_in_place_and_a_skipped_card_does_not(
    browser, server, tmp_path
):
    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=1, flow="draw", seating="choose")
        path = e2e.join_path(host, code)
        anna, bram = (e2e.phone(room, n, server, path) for n in ("anna", "bram"))
        e2e.join(anna, "Anna", "Table 1")
        e2e.join(bram, "Bram", "Table 1")
        anna.get_by_role("button", name="Draw the first card").click()
        card = anna.locator(".card h2")
        expect(card).to_be_visible()
        # The pile is shuffled: draw on past the few cards without a vote (never asked for).
        for _ in range(8):
            title = card.text_content()
            if anna.get_by_role("group", name="Your vote").count():
                break
            anna.get_by_role("button", name="Next card").click()
            expect(card).not_to_have_text(title)
        expect(anna.get_by_role("group", name="Your vote")).to_have_count(1)
        title = card.text_content()

        # Nobody has voted: "Next card" asks first, in place; Cancel keeps the card.
        anna.get_by_role("button", name="Next card").click()
        asked = anna.get_by_role(
            "group", name="The votes have not been shown yet. Draw the next card anyway?"
        )
        asked.get_by_role("button", name="Cancel").click()
        expect(card).to_have_text(title)

        # Skipped: no votes to lose, so the next card comes without a question.
        anna.get_by_role("button", name="Skip this card").click()
        anna.get_by_role("group", name="Skip this card for your table?").get_by_role(
            "button", name="Skip this card"
        ).click()
        expect(bram.get_by_role("group", name="Your vote")).to_have_count(0)
        expect(bram.get_by_text("Your table skipped this card.")).to_have_count(1)
        bram.get_by_role("button", name="Next card").click()
        expect(bram.locator(".card h2")).not_to_have_text(title)
        expect(
            anna.get_by_role("group", name=re.compile("Draw the next card anyway"))
        ).to_have_count(0)
        room.assert_clean()
