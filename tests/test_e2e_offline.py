"""Nothing lost: a phone votes and writes a note while it cannot reach the server, is reloaded
while still cut off, and both arrive exactly once when the connection is back."""

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e  # noqa: E402

pytestmark = pytest.mark.browser

SOCKET_IO = "**/socket.io/**"
NOT_SENT = "Not sent yet — it will be sent when the connection is back"
WAITING = "Waiting for connection…"


def test_a_vote_and_a_note_made_offline_survive_a_reload_and_arrive_once(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)
    note = "Written in the basement, without a signal."

    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=1, flow="deal", seating="choose")
        anna = e2e.phone(room, "anna", server, e2e.join_path(host, code))
        e2e.join(anna, "Anna", "Table 1")
        e2e.deal(host, card)
        expect(anna.get_by_role("heading", name=card.title, level=2)).to_be_visible()
        conn = anna.locator("#conn")
        phone = anna.context

        # How the phone loses the server, deterministically:
        # - `context.route` does not touch a WebSocket that is already open, so blocking
        #   Socket.IO's URLs alone leaves the phone connected;
        # - `context.set_offline(True)` fires the window's "offline" event, on which the
        #   Socket.IO client (engine.io) closes its connection at once — but an offline page
        #   cannot be reloaded;
        # so: block Socket.IO's HTTP requests first (every reconnection starts with an HTTP
        # long-polling handshake, which then fails), go offline to drop the open connection, and
        # come back online with the server still unreachable: pages and scripts load, the socket
        # does not, until `unroute`.
        phone.route(SOCKET_IO, lambda route: route.abort())
        phone.set_offline(True)
        expect(conn).to_have_text("Offline — your answers are kept")

        e2e.vote(anna, options[2])
        expect(anna.get_by_text(NOT_SENT)).to_be_visible()
        e2e.write_note(anna, note)
        mine = anna.get_by_role("listitem").filter(has_text=note)
        expect(mine.get_by_text(WAITING)).to_be_visible()

        phone.set_offline(False)
        expect(conn).to_have_text("Reconnecting…")
        anna.reload()

        # The reloaded page shows the card, the vote and the note from localStorage, unsent.
        expect(conn).to_have_text("Reconnecting…")
        expect(anna.get_by_role("heading", name=card.title, level=2)).to_be_visible()
        expect(e2e.vote_button(anna, options[2])).to_have_attribute("aria-pressed", "true")
        expect(anna.get_by_text(NOT_SENT)).to_be_visible()
        expect(mine.get_by_text(WAITING)).to_be_visible()
        table = e2e.table_card(host, "Table 1")
        expect(table.get_by_text(note)).to_have_count(0)
        expect(table.get_by_text("Votes: 0 of 0 present")).to_be_visible()  # Anna is away

        phone.unroute(SOCKET_IO)
        # Reconnection backs off up to 5 s between attempts (live.js), hence the longer wait.
        expect(conn).to_have_text("Connected", timeout=15_000)
        expect(anna.get_by_text(NOT_SENT)).to_have_count(0)
        expect(mine.get_by_text(WAITING)).to_have_count(0)
        expect(mine.get_by_role("button", name="Edit")).to_be_visible()  # a saved note of hers
        expect(e2e.my_vote(anna, options[2])).to_have_count(1)
        # She was the only one present, so her vote revealed the table.
        expect(anna.get_by_role("heading", name="How your table voted")).to_be_visible()

        # The facilitator's live view, then a fresh one from the server: one vote, one note.
        for fresh in (False, True):
            if fresh:
                host.reload()
                expect(host.locator("#conn")).to_have_text("Connected")
            table = e2e.table_card(host, "Table 1")
            expect(table.get_by_text("Votes: 1 of 1 present")).to_be_visible()
            for i, option in enumerate(options):
                e2e.bar(table, option, 1 if i == 2 else 0)
            expect(table.get_by_text(note)).to_have_count(1)

        anna.reload()
        expect(conn).to_have_text("Connected")
        expect(anna.get_by_role("listitem").filter(has_text=note)).to_have_count(1)

        # Aborted requests are logged to the phone's console by Chromium: only check for
        # dialogs and uncaught exceptions there.
        room.assert_clean(["facilitator"])
        room.assert_clean(["anna"], console=False)


def _kept_by_the_service_worker(page):
    """Wait (at most 10 s) until the phone page's service worker controls `page`; then it holds
    a copy of the page (it keeps it before it activates)."""
    kept = page.evaluate(
        """async () => {
          const sw = navigator.serviceWorker;
          for (let i = 0; i < 200 && !sw.controller; i++) await new Promise((r) => setTimeout(r, 50));
          return !!sw.controller && !!(await caches.match(location.pathname, {cacheName: "tafelronde-pages"}));
        }"""
    )
    assert kept, "no service worker controls the phone page, or it kept no copy of it"


def test_a_reload_while_offline_shows_the_phone_page_with_what_is_unsent(browser, server, tmp_path):
    card = e2e.choice_card()
    options = list(card.response.options)
    note = "Typed on the train, between two tunnels."

    with e2e.Room(browser, server, tmp_path) as room:
        host = room.page("facilitator", e2e.LAPTOP)
        e2e.sign_in(host, server)
        code = e2e.start_session(host, tables=1, flow="deal", seating="choose")
        path = e2e.join_path(host, code)
        anna = e2e.phone(room, "anna", server, path)
        e2e.join(anna, "Anna", "Table 1")
        e2e.deal(host, card)
        expect(anna.get_by_role("heading", name=card.title, level=2)).to_be_visible()
        _kept_by_the_service_worker(anna)
        conn = anna.locator("#conn")

        # Offline for real: no page, no script and no socket reaches the server any more.
        anna.context.set_offline(True)
        expect(conn).to_have_text("Offline — your answers are kept")
        e2e.vote(anna, options[1])
        expect(anna.get_by_text(NOT_SENT)).to_be_visible()
        e2e.write_note(anna, note)
        mine = anna.get_by_role("listitem").filter(has_text=note)
        expect(mine.get_by_text(WAITING)).to_be_visible()

        # And the server is gone too, so the reload cannot be answered by it, whatever Chromium's
        # offline emulation does or does not apply to the service worker's own requests.
        server.stop()
        reloaded = anna.reload()
        assert reloaded is not None and reloaded.ok and reloaded.from_service_worker
        # The phone page, not the browser's error page: the card, the vote and the note, unsent.
        expect(conn).to_have_text("Offline — your answers are kept")
        expect(anna.get_by_role("heading", name=card.title, level=2)).to_be_visible()
        expect(e2e.vote_button(anna, options[1])).to_have_attribute("aria-pressed", "true")
        expect(anna.get_by_text(NOT_SENT)).to_be_visible()
        expect(mine.get_by_text(WAITING)).to_be_visible()
        room.keep_screenshots(full_page=True, anna="phone-offline-reloaded.png")

        server.start()  # on the same port and data, as after a restart in the room
        anna.context.set_offline(False)
        # Reconnection backs off up to 5 s between attempts (live.js), hence the longer wait.
        expect(conn).to_have_text("Connected", timeout=15_000)
        expect(anna.get_by_text(NOT_SENT)).to_have_count(0)
        # Connected, a waiting note says "Sending…" until the server's ack, which comes after
        # the commit: wait for the note to say nothing at all before reading what was stored.
        expect(mine).to_have_count(1)
        expect(mine.locator(".state")).to_have_count(0)
        expect(e2e.my_vote(anna, options[1])).to_have_count(1)
        expect(host.locator("#conn")).to_have_text("Connected", timeout=15_000)
        expect(e2e.table_card(host, "Table 1").get_by_text("Votes: 1 of 1 present")).to_be_visible()

        room.keep_screenshots(full_page=True, anna="phone-back-online.png")
        # What the server stored: one note, one vote (her vote revealed the table of one).
        notes = host.request.get(f"{server.url}/host/s/{code}/notes.csv").text()
        assert notes.count(note) == 1
        results = host.request.get(f"{server.url}/host/s/{code}/results.json").json()
        plays = [p for c in results["cards"] if c["id"] == card.id for p in c["plays"]]
        assert [p["distribution"] for p in plays] == [[int(i == 1) for i in range(len(options))]]
        # Both pages lost the server for a while; Chromium logs the failed requests.
        room.assert_clean(console=False)
