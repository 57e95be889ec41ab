"""Care at the table and one shared phone per table, end to end in headless Chromium: a table
skips a card and calls the facilitator, who sees and clears the call; a table sharing one device
counts hands, and the tally reaches the projector and the CSV."""

import csv
import io
import re

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser


def test_a_table_skips_a_card_and_calls_the_facilitator(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)
    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=2, flow="deal")
        wall = e2e.open_projector(room, host)
        path = e2e.join_path(host, code)
        anna, bram, cato = (e2e.phone(room, n, server, path) for n in ("anna", "bram", "cato"))
        e2e.join(anna, "Anna", "Table 1")
        e2e.join(bram, "Bram", "Table 1")
        e2e.join(cato, "Cato", "Table 2")
        e2e.deal(host, card)
        expect(anna.get_by_role("heading", name=card.title, level=2)).to_be_visible()

        # Bram calls the facilitator: prominent at the top of the facilitator's page.
        bram.get_by_role("group", name="Call the facilitator:").get_by_role(
            "button", name="Sensitive"
        ).click()
        calls = host.locator("#calls")
        expect(calls.get_by_role("heading", name="Tables calling you: 1")).to_be_visible()
        expect(calls.get_by_text(re.compile(r"Sensitive · Table 1 · Bram"))).to_be_visible()
        expect(anna.get_by_text("The facilitator has been called.")).to_be_visible()
        called = anna.get_by_role("button", name="Sensitive")
        expect(called).to_have_attribute("aria-pressed", "true")  # the call made is marked
        # A call can be withdrawn, and made again.
        bram.get_by_role("button", name="Withdraw the call").click()
        expect(calls.get_by_role("heading")).to_have_count(0)
        expect(called).to_have_attribute("aria-pressed", "false")
        expect(anna.get_by_text("The facilitator has been called.")).to_have_count(0)
        anna.get_by_role("button", name="Sensitive").click()
        expect(calls.get_by_text(re.compile(r"Sensitive · Table 1 · Anna"))).to_be_visible()

        # Table 1 skips the card (the button asks first, as every confirmation does); the
        # votes are gone from its phones. Cato passes at table 2.
        anna.get_by_role("button", name="Skip this card").click()
        asked = anna.get_by_role("group", name="Skip this card for your table?")
        asked.get_by_role("button", name="Skip this card").click()
        expect(bram.get_by_text("Your table skipped this card.")).to_have_count(1)
        expect(bram.get_by_role("group", name="Your vote")).to_have_count(0)
        expect(anna.get_by_role("button", name="Skip this card")).to_have_count(0)
        cato.get_by_role("button", name="Pass").click()
        # Cato was the only one to answer: the pass completes the table, which reveals.
        expect(cato.get_by_role("heading", name="How your table voted")).to_be_visible()
        table1 = e2e.table_card(host, "Table 1")
        expect(table1.get_by_text("skipped this card", exact=True)).to_be_visible()
        expect(e2e.table_card(host, "Table 2").get_by_text("passed: 1")).to_be_visible()
        compared = host.locator("#comparison").get_by_role("row").filter(has_text=card.title)
        expect(compared.get_by_role("cell").nth(0)).to_have_text("⤼skipped this card")

        # The projector says skipped, never "still talking".
        wall.keyboard.press("c")
        row = wall.get_by_role("row").filter(has_text=card.title)
        expect(row.get_by_role("cell").nth(0)).to_have_text("⤼skipped this card")
        expect(wall.get_by_text("still talking")).to_have_count(0)

        # The facilitator clears the call; the table sees it was seen.
        calls.get_by_role("button", name="Seen").click()
        expect(calls.get_by_role("heading")).to_have_count(0)
        expect(anna.get_by_text("The facilitator has seen your call ✓")).to_be_visible()
        expect(bram.get_by_text("The facilitator has seen your call ✓")).to_be_visible()
        expect(cato.get_by_text("The facilitator has seen your call ✓")).to_have_count(0)
        assert options  # a card with a vote
        room.assert_clean(console=True)


def test_a_shared_device_table_counts_hands_for_the_projector_and_the_csv(
    browser, server, tmp_path
):
    card = e2e.choice_card()
    options = list(card.response.options)
    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        title = e2e.deck().title
        entry = host.get_by_role("listitem").filter(
            has=host.get_by_role("heading", name=title, exact=True)
        )
        entry.get_by_role("link", name="Start a session").click()
        host.get_by_label("How many tables").fill("2")
        host.get_by_label("I deal the same card to all tables").check()
        host.get_by_label("Some tables share one device").check()
        host.get_by_label("Tables that share one device (numbers, e.g. 2, 5)").fill("2")
        host.get_by_role("button", name="Start the session").click()
        host.wait_for_url(re.compile(r"/host/s/[A-Z0-9]+$"))
        code = host.url.rsplit("/", 1)[1]
        expect(e2e.table_card(host, "Table 2").get_by_label("One shared device")).to_be_checked()
        expect(
            e2e.table_card(host, "Table 1").get_by_label("One shared device")
        ).not_to_be_checked()
        wall = e2e.open_projector(room, host)
        path = e2e.join_path(host, code)
        anna, shared = (e2e.phone(room, n, server, path) for n in ("anna", "shared"))
        e2e.join(anna, "Anna", "Table 1")
        e2e.join(shared, "Garden group", "Table 2")
        e2e.deal(host, card)

        # Mixed: Anna votes on her own phone; the shared device counts hands, no own vote.
        expect(shared.get_by_role("heading", name="Hands per option")).to_be_visible()
        expect(shared.get_by_role("group", name="Your vote")).to_have_count(0)
        expect(anna.get_by_role("heading", name="Hands per option")).to_have_count(0)
        e2e.vote(anna, options[0])
        counts = [3, 1] + [0] * (len(options) - 2)
        for option, count in zip(options, counts, strict=True):
            shared.get_by_label(option, exact=True).fill(str(count))
        shared.get_by_role("button", name="Save the count").click()
        expect(shared.get_by_role("heading", name="How your table voted")).to_be_visible()
        for option, count in zip(options, counts, strict=True):
            e2e.bar(shared, option, count)
        expect(shared.get_by_role("heading", name="Your table's choice")).to_be_visible()
        expect(e2e.table_card(host, "Table 2").get_by_text("show of hands")).to_be_visible()

        # The projector: the tally as table 2's votes, marked as a show of hands.
        wall.keyboard.press("c")
        row = wall.get_by_role("row").filter(has_text=card.title)
        cell = row.get_by_role("cell").nth(1)
        e2e.bar(cell, "A", 3)
        e2e.bar(cell, "B", 1)
        expect(cell.get_by_text("show of hands")).to_be_visible()

        # The CSV: table 2's counts, source "tally"; table 1's own votes, source "votes".
        body = host.request.get(f"{server.url}/host/s/{code}/votes.csv").text()
        rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
        tally = [r for r in rows if r["table"] == "Table 2"]
        assert [int(r["votes"]) for r in tally] == counts
        assert {r["source"] for r in tally} == {"tally"}
        assert {r["source"] for r in rows if r["table"] == "Table 1"} == {"votes"}
        room.assert_clean(console=True)
