"""axe-core finds no WCAG 2.1 AA violation on the home, phone, facilitator, projector, report and
editor pages, in the states people see them."""

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402
from tests.axe import violations  # noqa: E402

pytestmark = pytest.mark.browser


def test_every_page_has_no_axe_violations(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)
    found = {}
    with e2e.Room(browser, server, tmp_path) as room:
        home = room.page("home", e2e.LAPTOP)
        home.goto(server.url + "/")
        found["home"] = violations(home)

        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=1, flow="deal", seating="choose")
        wall = e2e.open_projector(room, host)
        found["projector lobby"] = violations(wall)
        path = e2e.join_path(host, code)
        ann = e2e.phone(room, "ann", server, path)
        bob = e2e.phone(room, "bob", server, path)
        e2e.join(ann, "Ann", "Table 1")
        found["phone seat"] = violations(ann)
        e2e.join(bob, "Bob", "Table 1")
        e2e.deal(host, card)
        expect(ann.get_by_role("heading", name=card.title)).to_be_visible()
        # The live region, there from the start, says what changed.
        expect(ann.locator("#announce")).to_have_text(f"New card: {card.title}")
        found["phone card"] = violations(ann)
        e2e.write_note(ann, "We tried a small test first.")
        e2e.vote(ann, options[0])
        e2e.vote(bob, options[1])
        expect(ann.get_by_role("heading", name="How your table voted")).to_be_visible()
        expect(ann.locator("#announce")).to_have_text("The votes are revealed.")
        found["phone revealed"] = violations(ann)
        found["facilitator"] = violations(host)
        e2e.spotlight_notes(host, "Table 1", ["We tried a small test first."], card)
        expect(wall.get_by_role("heading", name=card.title, level=1)).to_be_visible()
        found["projector spotlight"] = violations(wall)
        wall.keyboard.press("c")
        expect(wall.get_by_role("heading", name="How every table voted")).to_be_visible()
        found["projector comparison"] = violations(wall)

        report = host.context.new_page()
        room.adopt("report", report)
        report.goto(server.url + f"/host/s/{code}/report")
        found["report"] = violations(report)
        editor = host.context.new_page()
        room.adopt("editor", editor)
        editor.goto(server.url + f"/decks/{e2e.DECK_ID}/edit")
        found["editor"] = violations(editor)

        e2e.end_session(host)
        expect(ann.get_by_label("What should we keep?")).to_be_visible()
        found["phone evaluation"] = violations(ann)
    assert {where: v for where, v in found.items() if v} == {}


def test_the_shared_device_phone_has_no_axe_violations(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)
    found = {}
    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=1, flow="deal", seating="choose")
        shared_box = e2e.table_card(host, "Table 1").get_by_label("One shared device")
        shared_box.check()
        expect(shared_box).to_be_checked()
        garden = e2e.phone(room, "garden", server, e2e.join_path(host, code))
        e2e.join(garden, "Garden group", "Table 1")
        e2e.deal(host, card)
        expect(garden.get_by_role("heading", name="Hands per option")).to_be_visible()
        found["shared: counting hands"] = violations(garden)
        for i, option in enumerate(options):
            garden.get_by_label(option, exact=True).fill(str(i + 1))
        garden.get_by_role("button", name="Save the count").click()
        expect(garden.get_by_role("heading", name="How your table voted")).to_be_visible()
        found["shared: counted"] = violations(garden)
    assert {where: v for where, v in found.items() if v} == {}
