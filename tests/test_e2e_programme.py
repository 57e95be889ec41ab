"""Issue 20 end to end, in headless Chromium against a real server: a session of a deck with a
script and perspectives, started with a name and a programme, two tables; a table proposes a
dilemma, the facilitator deals it to all; the phones step through the script (each with its own
perspective); the session ends; a phone opens its table's takeaway; the organiser adds the
proposed dilemma to the deck from the editor's inbox, and the deck's history shows it.
Screenshots go to $TAFELRONDE_E2E_SHOTS when set; axe-core finds nothing on any of the pages."""

import re

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402
from tests.axe import violations  # noqa: E402

pytestmark = pytest.mark.browser

DECK = """\
title: Our own dilemmas
language: en
steps:
  - label: Vote alone
    instruction: Read the dilemma and vote without talking.
    minutes: 2
    kind: vote
  - label: Each says why
    instruction: Go round the table; everyone says why in a minute.
    minutes: 4
  - label: Vote again
    minutes: 1
    kind: round
  - label: One sentence
    instruction: Agree on one sentence for the plenary.
    minutes: 3
    kind: conclusion
perspectives:
  - label: The director
    description: You answer to the board.
  - label: An ambassador
  - label: The conversation team
cards:
  - id: first
    title: The first card
    text: Pick one.
    response: {type: choice, options: [Yes, No]}
  - id: second
    title: The second card
    text: This or that.
    response: {type: choice, options: [This, That]}
"""
NAME = "Masterclass March, group B"
TITLE = "The empty Facebook group"
TEXT = "Nobody posts in our group any more. Do we close it?"
OPTIONS = ["Close it", "Find a host"]
CONCLUSION = "Find a host before closing anything."


def test_a_scripted_session_with_perspectives_a_dilemma_from_the_room_and_a_takeaway(
    browser, server, tmp_path
):
    (server.workdir / "decks" / "own.yaml").write_text(DECK, encoding="utf-8")
    found = {}
    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        host.goto(server.url + "/host/new?deck=own")
        expect(host.locator("#programme-total")).to_contain_text("2 cards chosen: about 20 min")
        host.get_by_label("Name of the session (optional)").fill(NAME)
        host.get_by_label("How many tables").fill("2")
        host.get_by_label(e2e.FLOW["deal"]).check()
        found["new session"] = violations(host)
        host.get_by_role("button", name="Start the session").click()
        host.wait_for_url(re.compile(r"/host/s/[A-Z0-9]+$"))
        expect(host.locator("#conn")).to_have_text("Connected")
        expect(host.get_by_text(NAME, exact=True)).to_be_visible()
        code = host.url.rsplit("/", 1)[1]

        path = e2e.join_path(host, code)
        phones = {n: e2e.phone(room, n.lower(), server, path) for n in ("Ann", "Bob", "Cas", "Dee")}
        for n, page in phones.items():
            e2e.join(page, n, "Table 1" if n in ("Ann", "Bob") else "Table 2")
        ann, bob, cas, dee = phones.values()

        # Table 1 writes its own dilemma; only the facilitator (and table 1) see it.
        ann.get_by_role("button", name="Write our own dilemma").click()
        ann.get_by_label("Title").fill(TITLE)
        ann.get_by_label("The situation, and the question").fill(TEXT)
        ann.get_by_label("Options, one per line (none: we only talk)").fill("\n".join(OPTIONS))
        ann.get_by_role("button", name="Send to the facilitator").click()
        expect(ann.get_by_text(f"{TITLE} · sent to the facilitator")).to_be_visible()
        proposal = host.locator(".proposal").filter(has_text=TITLE)
        expect(proposal.get_by_text("from Table 1 · by Ann")).to_be_visible()
        expect(cas.get_by_text(TITLE)).to_have_count(0)
        found["facilitator proposals"] = violations(host)
        room.keep_screenshots(facilitator="programme-facilitator-proposals.png", full_page=True)
        proposal.get_by_role("button", name="Deal to all tables").click()

        # Everyone has the dilemma, the script's first step, and a perspective of their own.
        for page in phones.values():
            expect(page.get_by_role("heading", name=TITLE, level=2)).to_be_visible()
            expect(page.get_by_role("heading", name="Step 1 of 4: Vote alone")).to_be_visible()
        argue = {n: p.locator(".s-step .notice b").inner_text() for n, p in phones.items()}
        assert all(a.startswith("Argue as: ") for a in argue.values()), argue
        assert argue["Ann"] != argue["Bob"] and argue["Cas"] != argue["Dee"], argue
        expect(ann.locator(".s-head")).not_to_contain_text("Argue as")
        found["phone step and perspective"] = violations(ann)
        room.keep_screenshots(ann="programme-phone-step.png", full_page=True)

        # Table 1 steps through the script: voting, moving on reveals, "vote again" is round 2.
        e2e.vote(ann, OPTIONS[0])
        ann.get_by_role("button", name="Next step").click()
        expect(bob.get_by_role("heading", name="Step 2 of 4: Each says why")).to_be_visible()
        expect(bob.get_by_role("heading", name="How your table voted")).to_be_visible()
        bob.get_by_role("button", name="Next step").click()
        expect(ann.get_by_role("heading", name="Step 3 of 4: Vote again")).to_be_visible()
        expect(ann.get_by_role("heading", name=re.compile("round 2"))).to_be_visible()
        e2e.vote(ann, OPTIONS[1])
        e2e.vote(bob, OPTIONS[1])
        ann.get_by_role("button", name="Next step").click()
        expect(bob.get_by_role("heading", name="Step 4 of 4: One sentence")).to_be_visible()
        bob.get_by_label("Your table's conclusion: one line for the plenary").fill(CONCLUSION)
        bob.get_by_role("button", name="Save", exact=True).click()
        expect(ann.get_by_text(re.compile("Last written by Bob"))).to_be_visible()
        e2e.write_note(ann, "Ask the members first.")
        e2e.write_note(cas, "Table 2 keeps this to itself.")

        # The facilitator sees each table's step and moves table 2 on.
        t2 = e2e.table_card(host, "Table 2")
        expect(t2.get_by_text("Step 1 of 4: Vote alone")).to_be_visible()
        t2.get_by_role("button", name="Next step").click()
        expect(cas.get_by_role("heading", name="Step 2 of 4: Each says why")).to_be_visible()
        host.get_by_role("button", name="Next step for all tables").click()
        expect(dee.get_by_role("heading", name="Step 3 of 4: Vote again")).to_be_visible()
        found["facilitator steps"] = violations(host)

        # The end: the takeaway, one table's own, readable on the phone.
        e2e.end_session(host)
        link = ann.get_by_role("link", name="Our table's page, to keep")
        expect(link).to_be_visible()
        expect(ann.get_by_label("What should we keep?")).to_be_visible()
        link.click()
        ann.wait_for_url(re.compile(r"/takeaway/0/"))
        expect(ann.get_by_role("heading", name=TITLE)).to_be_visible()
        expect(ann.get_by_text(CONCLUSION)).to_be_visible()
        expect(ann.get_by_text("Ask the members first.")).to_be_visible()
        expect(ann.get_by_text("Table 2 keeps this to itself.")).to_have_count(0)
        expect(ann.get_by_text(NAME)).to_be_visible()
        found["takeaway"] = violations(ann)
        room.keep_screenshots(ann="programme-phone-takeaway.png", full_page=True)

        # The organiser adds the proposal to the deck from the editor's inbox.
        editor = host.context.new_page()
        room.adopt("editor", editor)
        editor.goto(server.url + "/decks")
        editor.get_by_role("link", name="Inbox: dilemmas from the room").click()
        item = editor.locator(".inbox-item").filter(has_text=TITLE)
        expect(item.get_by_text(f"From session {NAME} ({code}), Table 1")).to_be_visible()
        found["editor inbox"] = violations(editor)
        room.keep_screenshots(editor="programme-editor-inbox.png", full_page=True)
        item.get_by_label("Card id").fill("first")  # taken: refused with its place in the file
        item.get_by_role("button", name="Add to the deck").click()
        expect(
            editor.get_by_text(re.compile(r"own\.yaml:\d+:\d+: card id `first` is used twice"))
        ).to_be_visible()
        item = editor.locator(".inbox-item").filter(has_text=TITLE)
        item.get_by_label("Card id").fill("empty-group")
        item.get_by_role("button", name="Add to the deck").click()
        expect(editor.get_by_text("The dilemma was added to the deck own.")).to_be_visible()
        expect(editor.get_by_text("The inbox is empty.", exact=False)).to_be_visible()
        editor.goto(server.url + "/decks/own/edit")
        editor.get_by_role("button", name="History").click()
        versions = editor.locator("#history-list button")
        expect(versions).to_have_count(1)
        versions.first.click()
        expect(editor.locator("#history-diff")).to_contain_text(f"+    title: {TITLE}")
        room.assert_clean(["facilitator", "ann", "bob", "cas", "dee"])
        # The refused card came back as 422 (what a form with problems answers), which the
        # browser logs; nothing else may.
        room.assert_clean(["editor"], console=False)
    assert {where: v for where, v in found.items() if v} == {}
