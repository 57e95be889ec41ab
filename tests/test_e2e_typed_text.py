"""Text people type stays in its box and in its order: a 500-character word and a right-to-left
override in names and notes leave every page without sideways scroll (phone, facilitator on a
laptop and on a phone, projector, report) and show in the order it was typed."""

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser

LONG_WORD = "x" * 500
LONG_NAME = "Bea\u202egnp.exe" + "y" * 29  # 40 characters with the override
SHOWN_NAME = "Beagnp.exe" + "y" * 29  # the override removed: typed order
NOTE = "Bea \u202egnp.exe\u202c " + LONG_WORD[:480]


def no_sideways_scroll(page, where):
    """The document is no wider than the window."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    # The outermost elements that stick out, to say what to fix.
    wide = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
          .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
          .filter(e => !e.parentElement.closest("*") || e.parentElement.getBoundingClientRect().right <= innerWidth + 0.5)
          .slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id + " " + Math.round(e.getBoundingClientRect().right))"""
    )
    assert width <= inner, f"{where}: {width} px wide in a {inner} px window: {wide}"


def test_long_words_and_overrides_leave_every_page_in_shape(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)

    with e2e.Room(browser, server, tmp_path) as room:
        people = [("phone-one", LONG_NAME), ("phone-two", "Ann")]
        notes = [(0, LONG_WORD, None), (0, NOTE, "Concern")]
        host, wall, (one, two) = e2e.table_with_notes(room, server, card, people, notes)
        e2e.vote(one, options[0])
        e2e.vote(two, options[1])
        e2e.spotlight_notes(host, "Table 1", [LONG_WORD, "Bea gnp.exe"], card)

        shown_note = "Bea gnp.exe " + LONG_WORD[:480]
        for page in (one, two):
            expect(page.get_by_text(shown_note, exact=True)).to_be_visible()
            expect(page.get_by_text(LONG_WORD, exact=True)).to_be_visible()
        expect(two.get_by_text(SHOWN_NAME).first).to_be_visible()
        table = e2e.table_card(host, "Table 1")
        expect(table.get_by_text(SHOWN_NAME, exact=True)).to_be_visible()
        expect(table.get_by_text(shown_note, exact=True)).to_be_visible()
        e2e.on_the_wall(wall, shown_note)
        e2e.on_the_wall(wall, LONG_WORD)

        for page, where in (
            (one, "phone"),
            (two, "other phone"),
            (host, "facilitator"),
            (wall, "projector"),
        ):
            no_sideways_scroll(page, where)
            # Nothing on the page carries a bidirectional control any more.
            assert not page.evaluate(
                r"/[\u202a-\u202e\u2066-\u2069]/.test(document.body.textContent)"
            )
        # The projector's boxes hold the long word: none of its text runs past the window.
        overflow = wall.evaluate(
            "Math.max(...[...document.querySelectorAll('#stage *')].map(e => e.getBoundingClientRect().right))"
        )
        assert overflow <= 1920

        host.set_viewport_size(e2e.PHONE)
        no_sideways_scroll(host, "facilitator at 360 px")

        # The report, in the facilitator's browser (signed in), at phone width.
        report = host.context.new_page()
        room.adopt("report", report)
        report.set_viewport_size(e2e.PHONE)
        href = host.get_by_role("link", name="Results and downloads").first.get_attribute("href")
        report.goto(server.url + href)
        expect(report.get_by_text(shown_note).first).to_be_visible()
        expect(report.get_by_text(SHOWN_NAME).first).to_be_visible()
        no_sideways_scroll(report, "report")
        room.assert_clean()
