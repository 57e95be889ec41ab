"""The plenary fits the wall: the comparison of 28 cards x 12 tables at 1920x1080 shows every row
in pages (Page Down, or by itself every 15 s), nothing cut off, every bar with its count, text
>= 25 px. The projector runs under Playwright's clock, paused: pages turn by themselves only when
the test moves that clock, so the Page Down walk never races the pager and the 15 s are exact."""

import os
import re
from pathlib import Path

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402
from tests.realclients import Facilitator, RealPhone  # noqa: E402

pytestmark = pytest.mark.browser

TABLES = 12
PAGE_MS = 15_000  # static/js/wall.js: the comparison turns its page by itself this often


def played_everything(server):
    """A session of the 28-card deck at 12 tables (2 phones each), every card dealt and voted."""
    host = Facilitator(server.url)
    code = host.create_session(
        deck=e2e.DECK_ID, table_count=str(TABLES), flow="deal", seating="choose"
    )
    sio, _ = host.socket(code)
    phones = []
    for i in range(TABLES * 2):
        phone = RealPhone(server.url, code, f"P{i}")
        phone.join()
        assert phone.call("take_seat", table=i // 2)["ok"]
        phones.append(phone)
    for n, card in enumerate(e2e.deck().cards):
        assert sio.call("deal_card", {"card": card.id}, timeout=5)["ok"]
        for i, phone in enumerate(phones):
            if card.response.options:
                choice = (n + i) % len(card.response.options)
                assert phone.call("cast_vote", choice=choice, card=card.id)["ok"]
    return host, sio, phones, code


def test_comparison_of_28_cards_and_12_tables_fits_1920x1080(browser, server, tmp_path):
    host, sio, phones, code = played_everything(server)
    try:
        with e2e.Room(browser, server, tmp_path) as room:
            page = room.page("facilitator", e2e.LAPTOP)
            e2e.sign_in(page, server)
            page.goto(f"{server.url}/host/s/{code}")
            wall = e2e.open_projector(room, page, clock=True)
            wall.keyboard.press("c")
            expect(wall.get_by_role("heading", name="How every table voted")).to_be_visible()
            label = wall.locator(".cmppage")
            expect(label).to_have_text(re.compile(r"^Page 1 of \d+"))
            # From here on the wall's time moves only when the test says (see the docstring).
            wall.clock.pause_at(wall.evaluate("Date.now()") / 1000 + 0.5)  # Unix seconds
            expect(label).to_have_text(re.compile(r"^Page 1 of \d+"))
            pages = int(label.text_content().split(" of ")[1].split()[0])
            assert 2 <= pages <= 12
            seen = []
            shots = os.environ.get(e2e.SHOTS_ENV)
            for n in range(pages):
                expect(label).to_have_text(re.compile(rf"^Page {n + 1} of {pages}"))
                rows = wall.locator(".compare tbody tr:not([hidden])")
                seen += rows.locator("th").evaluate_all(
                    "ths => ths.map(th => th.firstChild.textContent)"
                )
                fit = wall.evaluate(
                    """() => {
                      const foot = document.getElementById("footer").getBoundingClientRect().top;
                      const shown = [...document.querySelectorAll(".cmp *")].filter(e => e.getClientRects().length);
                      return {
                        bottom: Math.max(...shown.map(e => e.getBoundingClientRect().bottom)),
                        right: Math.max(...shown.map(e => e.getBoundingClientRect().right)),
                        foot, width: innerWidth, scroll: document.documentElement.scrollWidth,
                        cut: shown.filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== "visible").length,
                      };
                    }"""
                )
                assert fit["bottom"] <= fit["foot"], fit  # no row behind the footer
                assert fit["right"] <= fit["width"] and fit["scroll"] <= fit["width"], fit
                # Every bar carries its count, as text.
                for item in rows.locator("ol.bars li").all()[:40]:
                    assert item.locator("b").text_content().strip().isdigit()
                assert e2e.smallest_text(wall)[0] >= 25, e2e.smallest_text(wall)
                if shots:
                    wall.screenshot(path=str(Path(shots) / f"wall-comparison-{n + 1}.png"))
                wall.keyboard.press("PageDown")
            assert seen == [card.title for card in e2e.deck().cards]
            # After the last page, Page Down comes back to the first.
            expect(label).to_have_text(re.compile(rf"^Page 1 of {pages}"))
            # By itself: the next page exactly PAGE_MS after the last key (a key restarts the
            # period, so a page turned by hand gets its full time), then every PAGE_MS.
            shown = 1
            for _ in range(2):
                wall.clock.run_for(PAGE_MS - 1)
                expect(label).to_have_text(re.compile(rf"^Page {shown} of {pages}"))
                wall.clock.run_for(1)
                shown = shown % pages + 1
                expect(label).to_have_text(re.compile(rf"^Page {shown} of {pages}"))
            room.assert_clean()
    finally:
        for phone in phones:
            phone.close()
        sio.disconnect()
        host.close()
