"""Keyboard only: a participant joins, takes a seat, votes, writes a note and calls the
facilitator with Tab, Shift+Tab, Enter, Space and typing; every control reached shows its focus."""

import re

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser

MAX_TABS = 60  # more than every focusable control of the phone page

IS_FOCUSED = "e => e === document.activeElement"
# Focus the keyboard can see: :focus-visible matches and draws an outline at least 2 px wide.
FOCUS_SHOWN = """e => e.matches(":focus-visible") && getComputedStyle(e).outlineStyle !== "none" &&
  parseFloat(getComputedStyle(e).outlineWidth) >= 2"""


def tab_to(page, target, key="Tab"):
    """Press `key` (Tab or Shift+Tab) until `target` has the focus (at most MAX_TABS presses);
    its focus must be visible. Returns how many presses it took."""
    expect(target).to_be_visible()
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press(key)
        if target.evaluate(IS_FOCUSED):
            assert target.evaluate(FOCUS_SHOWN), f"focus not visible on {target}"
            return presses
    raise AssertionError(f"{MAX_TABS} × {key} never reached {target}")


def test_a_participant_plays_with_the_keyboard_only(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)
    note = "Said with the keyboard alone."

    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=2, flow="deal", seating="choose")
        anna = e2e.phone(room, "anna", server, e2e.join_path(host, code))
        keys = anna.keyboard

        # Join: the name field, typing, then Tab to "Join" and Enter.
        tab_to(anna, anna.get_by_label("Your name (optional)"))
        keys.type("Anna")
        tab_to(anna, anna.get_by_role("button", name="Join", exact=True))
        keys.press("Enter")
        expect(anna.get_by_role("heading", name="Choose your table")).to_be_visible()

        # A seat: Tab past table 1 to table 2, back with Shift+Tab, Space.
        table1 = anna.get_by_role("button", name=re.compile(r"^Table 1 "))
        tab_to(anna, anna.get_by_role("button", name=re.compile(r"^Table 2 ")))
        tab_to(anna, table1, key="Shift+Tab")
        keys.press("Space")
        expect(anna.get_by_role("heading", name="Table 1", level=1)).to_be_visible()

        # A new card takes the focus to its heading; the options come next.
        e2e.deal(host, card)
        heading = anna.get_by_role("heading", name=card.title, level=2)
        expect(heading).to_be_focused()
        tab_to(anna, e2e.vote_button(anna, options[0]))
        tab_to(anna, e2e.vote_button(anna, options[1]))
        keys.press("Enter")
        # She is the only one present: her vote reveals the table.
        expect(e2e.my_vote(anna, options[1])).to_have_count(1)
        expect(anna.get_by_role("heading", name="How your table voted")).to_be_visible()

        # A note of another kind: the kind buttons, the text, "Add note".
        kinds = anna.get_by_role("group", name="Kind of note")
        tab_to(anna, kinds.get_by_role("button", name="Tip"))
        keys.press("Space")
        expect(kinds.get_by_role("button", name="Tip")).to_have_attribute("aria-pressed", "true")
        tab_to(anna, anna.get_by_label("Your note"))
        keys.type(note)
        tab_to(anna, anna.get_by_role("button", name="Add note"))
        keys.press("Enter")
        expect(anna.get_by_label("Your note")).to_have_value("")
        mine = anna.get_by_role("listitem").filter(has_text=note)
        expect(mine.get_by_role("button", name="Edit")).to_be_visible()  # saved
        expect(mine.get_by_text("Tip", exact=True)).to_be_visible()

        # Call the facilitator (flag_table).
        calling = anna.get_by_role("group", name="Call the facilitator:")
        tab_to(anna, calling.get_by_role("button", name="Need help"), key="Shift+Tab")
        keys.press("Enter")
        expect(anna.get_by_text("The facilitator has been called.")).to_be_visible()

        room.keep_screenshots(anna="phone-keyboard-called.png")
        calls = host.locator("#calls")
        expect(calls.get_by_text(re.compile(r"Need help · Table 1 · Anna"))).to_be_visible()
        table = e2e.table_card(host, "Table 1")
        expect(table.get_by_text(note)).to_have_count(1)
        e2e.bar(table, options[1], 1)
        room.assert_clean()
