"""A late vote on the phone: someone who did not answer before the table's votes were shown
(phone asleep, away, seated late) can still vote; the vote is kept apart as late, never mixed
into the round the table saw, and the facilitator and the votes CSV count it apart."""

import csv
import io

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser

STEP_SHOWN = "The votes are shown. Go on to the next step when your table is ready."
LATE_HINT = "You had not voted yet. You can still vote: yours is kept apart, as a late vote."


def test_a_phone_that_missed_the_round_votes_late_and_it_is_counted_apart(
    browser, server, tmp_path
):
    card = e2e.choice_card()
    options = list(card.response.options)
    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=1, flow="deal", seating="choose")
        path = e2e.join_path(host, code)
        anna, bram = (e2e.phone(room, n, server, path) for n in ("anna", "bram"))
        e2e.join(anna, "Anna", "Table 1")
        e2e.join(bram, "Bram", "Table 1")
        e2e.deal(host, card)
        e2e.vote(anna, options[0])
        table = e2e.table_card(host, "Table 1")
        expect(table.get_by_text("Votes: 1 of 2 present")).to_be_visible()
        table.get_by_role("button", name="Reveal", exact=True).click()

        # Anna voted: her options fold into her vote. Bram did not: he is offered a late vote.
        expect(anna.get_by_role("heading", name="How your table voted")).to_be_visible()
        expect(e2e.my_vote(anna, options[0])).to_have_count(1)
        expect(anna.get_by_text(LATE_HINT)).to_have_count(0)
        expect(bram.get_by_text(LATE_HINT)).to_be_visible()
        # The table is still on its script's vote step: the phones say the votes are shown.
        for phone in (anna, bram):
            expect(phone.get_by_text(STEP_SHOWN)).to_be_visible()
        room.keep_screenshots(full_page=True, bram="phone-late-vote.png")
        e2e.vote(bram, options[1])
        expect(table.get_by_text("voted after the reveal, counted apart: 1")).to_be_visible()

        # The round the table saw is unchanged, on both phones and the facilitator's page.
        for scope in (anna, bram, table):
            e2e.bar(scope, options[0], 1)
            e2e.bar(scope, options[1], 0)
        bram.reload()
        expect(e2e.vote_button(bram, options[1])).to_have_attribute("aria-pressed", "true")
        expect(bram.get_by_text(LATE_HINT)).to_be_visible()

        rows = csv.DictReader(
            io.StringIO(
                host.request.get(f"{server.url}/host/s/{code}/votes.csv").text().lstrip("\ufeff")
            )
        )
        late = [
            (r["option"], r["votes"]) for r in rows if r["source"] == "late" and r["votes"] != "0"
        ]
        assert late == [(options[1], "1")]
        room.assert_clean()
