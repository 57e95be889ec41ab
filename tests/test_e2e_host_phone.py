"""The facilitator walking between tables with a phone: the page fits 360 px, two facilitators on
two devices see the same session live, and switching language keeps the typed fields."""

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser


def test_two_facilitators_on_phones_see_the_same_session_and_keep_fields(browser, server, tmp_path):
    card = e2e.choice_card()
    with e2e.Room(browser, server, tmp_path) as room:
        laptop = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(laptop, server)
        code = e2e.start_session(laptop, tables=2, flow="deal", seating="choose")
        pocket = room.page("facilitator-phone", e2e.PHONE, is_mobile=True, has_touch=True)
        e2e.sign_in(pocket, server)
        pocket.goto(laptop.url)
        expect(pocket.locator("#conn")).to_have_text("Connected")
        width = pocket.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"facilitator page {width} px wide on a 360 px phone"

        ann = e2e.phone(room, "ann", server, e2e.join_path(laptop, code))
        e2e.join(ann, "Ann", "Table 1")
        e2e.deal(pocket, card)  # dealt from the phone, seen on the laptop and at the table
        expect(e2e.table_card(laptop, "Table 1").get_by_text(card.title)).to_be_visible()
        expect(ann.get_by_role("heading", name=card.title)).to_be_visible()
        e2e.vote(ann, list(card.response.options)[0])
        expect(
            e2e.table_card(pocket, "Table 1").get_by_text("Votes: 1 of 1 present")
        ).to_be_visible()

        # Typed but not sent: the language switch keeps both fields.
        pocket.get_by_label("Round timer (minutes, or m:ss)").fill("7")
        pocket.get_by_label("Message to all phones").fill("Five more minutes, then plenary")
        pocket.get_by_role("link", name="NL", exact=True).click()
        expect(pocket.get_by_label("Rondetimer (minuten, of m:ss)")).to_have_value("7")
        expect(pocket.get_by_label("Bericht aan alle telefoons")).to_have_value(
            "Five more minutes, then plenary"
        )
        room.assert_clean()
