"""Live regions on the facilitator's page and the projector: a polite region in the page from
the start says a new card, a reveal, a message and the end of the timer, and not every vote."""

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser

REGION = '<p id="announce" class="visually-hidden" aria-live="polite" aria-atomic="true"></p>'


def test_the_facilitator_and_the_projector_hear_what_changes(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)
    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        # A clock of the test's own, so the timer's end comes without waiting for it.
        host.clock.install()
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=2, flow="deal", seating="choose")
        wall_href = host.get_by_role("link", name="Open projector", exact=True).get_attribute(
            "href"
        )
        wall = room.page("projector", e2e.PROJECTOR)
        wall.clock.install()
        wall.goto(server.url + wall_href)
        expect(wall.locator("#conn")).to_have_text("Connected")

        # In the page as the server sends it, empty: screen readers watch it from the start.
        for page, path in ((host, f"/host/s/{code}"), (wall, wall_href)):
            assert REGION in page.request.get(server.url + path).text()
        heard = {"facilitator": host.locator("#announce"), "projector": wall.locator("#announce")}
        for region in heard.values():
            expect(region).to_have_text("")

        path = e2e.join_path(host, code)
        anna, bram = (e2e.phone(room, n, server, path) for n in ("anna", "bram"))
        e2e.join(anna, "Anna", "Table 1")
        e2e.join(bram, "Bram", "Table 1")
        e2e.deal(host, card)
        for region in heard.values():  # dealt to every table: said once, without a list
            expect(region).to_have_text(f"New card: {card.title}")

        e2e.vote(anna, options[0])
        expect(e2e.table_card(host, "Table 1").get_by_text("Votes: 1 of 2 present")).to_be_visible()
        for region in heard.values():  # a vote is not news
            expect(region).to_have_text(f"New card: {card.title}")
        e2e.vote(bram, options[1])  # the last vote reveals the table
        for region in heard.values():
            expect(region).to_have_text("Votes revealed: Table 1")

        host.get_by_label("Message to all phones").fill("Five more minutes, then the plenary.")
        host.get_by_role("button", name="Send", exact=True).click()
        expect(heard["facilitator"]).to_have_text(
            "On the phones now: Five more minutes, then the plenary."
        )
        expect(heard["projector"]).to_have_text(
            "From the facilitator: Five more minutes, then the plenary."
        )

        host.get_by_label("Spotlight on the projector").select_option(card.id)
        host.get_by_role("button", name="Spotlight", exact=True).click()
        expect(heard["projector"]).to_have_text(f"On the projector: {card.title}")

        host.get_by_label("Round timer (minutes, or m:ss)").fill("0.17")  # 10 s, the shortest timer
        host.get_by_role("button", name="Start", exact=True).click()
        expect(wall.locator(".wtimer")).to_be_visible()
        expect(host.locator("#timer-left")).not_to_be_empty()
        for page in (host, wall):
            page.clock.fast_forward("00:11")
        for region in heard.values():
            expect(region).to_have_text("Time is up")
        room.assert_clean()
