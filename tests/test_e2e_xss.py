"""Nothing lost, nothing run: names and notes that look like HTML show as the text people typed
on the facilitator's page, the other phones of the table and the projector — never as markup."""

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser

NAME_IMG = "<img src=x onerror=alert(1)>"
NAME_SCRIPT = "<script>alert(2)</script>"
NOTE_SCRIPT = "<script>alert(3)</script> & <b>not bold</b>"
NOTE_SVG = "\"'><svg onload=alert(4)><img src=x onerror=alert(5)>"

# Elements that would exist had any of the above been inserted as HTML.
INJECTED = 'img[src="x"], svg[onload], [onerror], b:text-is("not bold")'


def no_markup(page):
    """None of the typed markup became elements, and no script carries it."""
    expect(page.locator('img[src="x"]')).to_have_count(0)
    expect(page.locator(INJECTED)).to_have_count(0)
    expect(page.locator("script", has_text="alert(")).to_have_count(0)


def test_typed_markup_shows_as_text_everywhere(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)

    with e2e.Room(browser, server, tmp_path) as room:
        people = [("phone-img", NAME_IMG), ("phone-script", NAME_SCRIPT)]
        notes = [(0, NOTE_SCRIPT, None), (1, NOTE_SVG, "Concern")]
        host, wall, (img, script) = e2e.table_with_notes(room, server, card, people, notes)
        e2e.vote(img, options[0])
        e2e.vote(script, options[3])
        e2e.spotlight_notes(host, "Table 1", [NOTE_SCRIPT, NOTE_SVG], card)

        # Each phone shows the other's name and both notes as text.
        for page, other in ((img, NAME_SCRIPT), (script, NAME_IMG)):
            expect(page.get_by_role("heading", name="How your table voted")).to_be_visible()
            expect(page.get_by_role("listitem").filter(has_text=other).first).to_be_visible()
            for text in (NOTE_SCRIPT, NOTE_SVG):
                expect(page.get_by_text(text, exact=True)).to_be_visible()

        # The facilitator: both names (as people and as authors) and both notes.
        table = e2e.table_card(host, "Table 1")
        for name in (NAME_IMG, NAME_SCRIPT):
            expect(table.get_by_text(name, exact=True)).to_be_visible()
        expect(table.get_by_text(f"Experience {NAME_IMG}")).to_be_visible()
        expect(table.get_by_text(f"Concern {NAME_SCRIPT}")).to_be_visible()
        for text in (NOTE_SCRIPT, NOTE_SVG):
            expect(table.get_by_text(text, exact=True)).to_be_visible()

        # The projector: the spotlighted notes (never names).
        expect(wall.get_by_role("heading", name=card.title, level=1)).to_be_visible()
        for text in (NOTE_SCRIPT, NOTE_SVG):
            expect(wall.get_by_text(text, exact=True)).to_be_visible()
        expect(wall.get_by_text(NAME_IMG)).to_have_count(0)

        for page in (host, wall, img, script):
            no_markup(page)
        # No alert(), no uncaught exception, and no console error (a blocked inline script or
        # handler would at least log a Content-Security-Policy violation there).
        room.assert_clean()
