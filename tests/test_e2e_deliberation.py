"""Deliberation end to end: three tables play a card in two rounds, two people at one table
change their mind; the phones, the facilitator's plenary board and the projector's shift view
show the same counts, with the table's conclusion and a reason. Screenshots of the three views
go to $TAFELRONDE_E2E_SHOTS when set; axe-core finds nothing on them."""

import re

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402
from tests.axe import violations  # noqa: E402

pytestmark = pytest.mark.browser

WALL_SMALLEST_PX = 24  # readable from the back of the room at 1920 x 1080
REASON = "Trying it small first shows what our supporters really want."
CONCLUSION = "Test small with loyal supporters, then decide."


def shift_row(scope, label, before, after):
    """Expect the shift row of option `label` ("A. text", or "A") to read "before → after"."""
    page = scope if hasattr(scope, "goto") else scope.page
    name = page.locator(".bl", has_text=re.compile(rf"^{re.escape(label)}$"))
    row = scope.locator(".shiftbars li").filter(has=name)
    expect(row.locator("b [aria-hidden]")).to_have_text(f"{before} → {after}")


def test_two_rounds_the_shift_on_phones_board_and_projector(browser, server, tmp_path):
    calm = e2e.deck().cards[1]  # everyone agrees on this one
    card = e2e.choice_card(skip_first=False)  # ... and the room divides on this one
    assert calm.id != card.id and calm.response.kind == "choice"
    a, b = card.response.options[:2]
    found = {}
    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=3, flow="deal", seating="choose", rounds=2)
        expect(host.get_by_label("Rounds per card")).to_have_value("2")
        wall = e2e.open_projector(room, host)
        path = e2e.join_path(host, code)
        names = {
            "ann": "Table 1",
            "bob": "Table 1",
            "cas": "Table 1",
            "dan": "Table 2",
            "eva": "Table 3",
        }
        phones = {name: e2e.phone(room, name, server, path) for name in names}
        for name, table in names.items():
            e2e.join(phones[name], name.title(), table)
        ann, bob, cas, dan, eva = phones.values()

        # A card the whole room agrees on, one round.
        e2e.deal(host, calm)
        for page in phones.values():
            e2e.vote(page, calm.response.options[0])
        expect(ann.get_by_role("heading", name="How your table voted")).to_be_visible()

        # The card that divides: round 1.
        e2e.deal(host, card)
        for page, option in ((ann, a), (bob, a), (cas, b), (dan, a), (eva, b)):
            expect(page.get_by_role("heading", name=card.title, level=2)).to_be_visible()
            e2e.vote(page, option)
        expect(ann.get_by_role("heading", name="How your table voted")).to_be_visible()
        e2e.bar(ann, a, 2)
        e2e.bar(ann, b, 1)
        # Two rounds planned: the phone invites the talk, and offers no plain change of vote.
        expect(ann.get_by_text("Talk it through, then vote again.")).to_be_visible()
        expect(ann.get_by_role("group", name="Your vote")).to_have_count(0)

        # Table 1 starts round 2 itself, after a confirmation.
        ann.get_by_role("button", name="Vote again (new round)").click()
        question = ann.get_by_role(
            "group", name="Start a new round for the whole table? This round is kept."
        )
        question.get_by_role("button", name="Vote again (new round)").click()
        for page in (ann, bob, cas):
            expect(page.get_by_role("heading", name="Your vote · round 2")).to_be_visible()
        expect(ann.get_by_text(f"Last round you chose: {a}")).to_be_visible()
        expect(cas.get_by_text(f"Last round you chose: {b}")).to_be_visible()

        # The facilitator starts round 2 at the other tables (table 1 is voting, not revealed).
        host.get_by_role("button", name="New round at every table").click()
        host.get_by_role("group", name=re.compile("^Start a new round at every table")).get_by_role(
            "button", name="New round at every table"
        ).click()
        for page in (dan, eva):
            expect(page.get_by_role("heading", name="Your vote · round 2")).to_be_visible()
        expect(e2e.table_card(host, "Table 2").get_by_text("Round 2 of 2")).to_be_visible()

        # Round 2: Ann and Bob change their mind; the others keep theirs.
        for page, option in ((ann, b), (bob, b), (cas, b), (dan, a), (eva, b)):
            e2e.vote(page, option)

        # The phone: its table's shift, anonymous.
        moved = ann.locator(".moved")
        expect(moved.get_by_role("heading", name="How your table moved")).to_be_visible()
        expect(moved.get_by_text("Changed their mind: 2 of 3")).to_be_visible()
        expect(moved.get_by_text(f"2 from “{a}” to “{b}”")).to_be_visible()
        expect(moved.locator(".shiftlist li").filter(has_text=a)).to_have_text(
            re.compile(r"2 → 0$")
        )
        expect(moved.locator(".shiftlist li").filter(has_text=b)).to_have_text(
            re.compile(r"1 → 3$")
        )
        expect(dan.locator(".moved").get_by_text("Changed their mind: 0 of 1")).to_be_visible()

        # A reason for one's choice, and the table's conclusion.
        reason = ann.get_by_role("button", name=f"My reason for “{b}”")
        reason.click()
        expect(reason).to_have_attribute("aria-pressed", "true")
        e2e.write_note(ann, REASON)
        expect(ann.locator(".s-notes .why")).to_have_count(1)  # sent: no longer also in the outbox
        expect(ann.locator(".s-notes .why")).to_have_text(f" · reason for “{b}”")
        bob.get_by_label("Your table's conclusion").fill(CONCLUSION)
        bob.get_by_role("button", name="Save", exact=True).click()
        expect(ann.get_by_label("Your table's conclusion")).to_have_value(CONCLUSION)
        expect(ann.get_by_text(re.compile(r"^Last written by Bob at "))).to_be_visible()
        found["phone shift"] = violations(ann)
        ann.locator(".moved").scroll_into_view_if_needed()

        # The facilitator's table card: the round, the shift, the conclusion, the reason.
        table1 = e2e.table_card(host, "Table 1")
        expect(table1.get_by_text("Round 2 of 2")).to_be_visible()
        shift_row(table1, f"A. {a}", 2, 0)
        shift_row(table1, f"B. {b}", 1, 3)
        expect(table1.get_by_text(CONCLUSION)).to_be_visible()
        expect(table1.get_by_text(f"reason for B. {b}")).to_be_visible()

        # The plenary board: the divided card first, in shares with counts, with the moves.
        board = host.locator("#board")
        first = board.locator(".bcard").first
        expect(first.get_by_role("heading", level=3)).to_have_text(card.title)
        expect(board.locator(".bcard").nth(1).get_by_role("heading", level=3)).to_have_text(
            calm.title
        )
        expect(first.get_by_text("Room divided: 36 %")).to_be_visible()
        expect(first.get_by_text("Opinions moved: 2 of 5 (40 %)")).to_be_visible()
        expect(first.locator(".shares li").filter(has_text=f"A. {a}")).to_contain_text("20 % (1)")
        expect(first.locator(".shares li").filter(has_text=f"B. {b}")).to_contain_text("80 % (4)")
        shift_row(first, "A", 3, 1)
        shift_row(first, "B", 2, 4)
        expect(first.get_by_text("2 × A → B")).to_be_visible()
        expect(first.get_by_text(CONCLUSION)).to_be_visible()
        expect(first.get_by_role("heading", name=f"Reasons for B. {b} (1)")).to_be_visible()
        expect(first.get_by_text(REASON)).to_be_visible()
        found["plenary board"] = violations(host)

        # One click puts it on the projector, with the reason and the conclusion.
        first.get_by_role("button", name=f"Spotlight: {card.title}").click()
        expect(first.get_by_role("button", name=f"On the projector: {card.title}")).to_be_visible()
        expect(wall.get_by_role("heading", name=card.title, level=1)).to_be_visible()
        expect(wall.get_by_role("heading", name="How the room moved")).to_be_visible()
        shift_row(wall, f"A. {a}", 3, 1)
        shift_row(wall, f"B. {b}", 2, 4)
        expect(wall.get_by_text("Changed their mind: 2 of 5 (40 %)")).to_be_visible()
        expect(wall.get_by_text("2 × A → B")).to_be_visible()
        expect(wall.get_by_text(CONCLUSION)).to_be_visible()
        expect(wall.get_by_role("heading", name=f"Why B. {b}")).to_be_visible()
        expect(wall.get_by_text(REASON)).to_be_visible()
        tables = wall.locator(".tbox")
        expect(
            tables.filter(has_text="Table 1").get_by_text("changed their mind: 2")
        ).to_be_visible()
        assert e2e.smallest_text(wall)[0] >= WALL_SMALLEST_PX, e2e.smallest_text(wall)
        found["projector shift"] = violations(wall)

        host.locator("#board").scroll_into_view_if_needed()
        host.evaluate("document.getElementById('board').scrollIntoView()")
        room.keep_screenshots(full_page=True, ann="deliberation-phone-full.png")
        room.keep_screenshots(
            ann="deliberation-phone.png",
            facilitator="deliberation-board.png",
            projector="deliberation-wall.png",
        )

        # The next card starts afresh on every phone: no earlier round, no reason to give yet.
        third = next(
            c for c in e2e.deck().cards[2:] if c.response.kind == "choice" and c.id != card.id
        )
        e2e.deal(host, third)
        for page in (ann, cas):
            expect(page.get_by_role("heading", name=third.title, level=2)).to_be_visible()
            expect(page.get_by_role("heading", name="Your vote · round 1")).to_be_visible()
            expect(page.get_by_text(re.compile("^Last round you chose"))).to_have_count(0)
            expect(page.get_by_role("button", name=re.compile("^My reason for"))).to_have_count(0)

        # A talk card: no votes to count, reveal or reset; "Show reflection" opens it, and
        # nobody hears that votes were revealed.
        talk = next(c for c in e2e.deck().cards if c.response.kind == "open")
        e2e.deal(host, talk)
        table1 = e2e.table_card(host, "Table 1")
        expect(table1.get_by_text(re.compile("^Talk card: no vote"))).to_be_visible()
        expect(table1.get_by_role("button", name="Reveal")).to_have_count(0)
        expect(table1.get_by_role("button", name="New round")).to_have_count(0)
        ann.get_by_role("button", name="Show reflection").click()
        expect(ann.locator("#announce")).to_have_text("The reflection is shown.")
        expect(table1.get_by_text(re.compile("^Reflection shown"))).to_be_visible()
        expect(host.locator("#announce")).not_to_contain_text("Votes revealed")
        room.assert_clean()
    assert {where: v for where, v in found.items() if v} == {}
