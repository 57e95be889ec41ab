"""Helpers for the end-to-end tests: a facilitator, a projector and phones in headless Chromium.

Each person gets their own browser *context* (own cookies and localStorage), as on separate
devices; the projector is the facilitator's projector link in a window of its own. Assertions
use Playwright's auto-waiting ``expect``; nothing here sleeps.
"""

import contextlib
import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from tests.ci import need_playwright

need_playwright()  # a module that imports this one is skipped (fails under CI) without it
from playwright.sync_api import expect  # noqa: E402

from game.decks.deck import load_deck  # noqa: E402
from tests.servers import HOST_KEY, ROOT  # noqa: E402

TIMEOUT = 10_000  # ms, for every expect()
expect.set_options(timeout=TIMEOUT)

DECK_ID = "social-media-dilemmas.en"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
PROJECTOR = {"width": 1920, "height": 1080}
# Where test 1 leaves screenshots for people to look at (unset: none are kept).
SHOTS_ENV = "TAFELRONDE_E2E_SHOTS"


def deck():
    """The deck the tests play, read with the app's own loader."""
    return load_deck(ROOT / "decks" / f"{DECK_ID}.yaml")


def choice_card(skip_first=True):
    """A card with a multiple-choice vote; not the deck's first, so the deal list really matters."""
    cards = deck().cards
    return next(c for c in cards[1 if skip_first else 0 :] if c.response.kind == "choice")


class Watch:
    """Records a page's dialogs (dismissing them), console errors and uncaught exceptions."""

    def __init__(self, page, name):
        self.name = name
        self.dialogs, self.console_errors, self.page_errors = [], [], []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def assert_clean(self, console=True):
        """No dialog, no uncaught exception, and (if `console`) no console error on this page."""
        assert self.dialogs == [], f"{self.name}: dialogs {self.dialogs}"
        assert self.page_errors == [], f"{self.name}: page errors {self.page_errors}"
        if console:
            assert self.console_errors == [], f"{self.name}: console errors {self.console_errors}"


class Room:
    """The browsers of one workshop; closes them at the end, screenshots all pages on failure."""

    def __init__(self, browser, server, tmp_path=None):
        self.browser, self.server, self.tmp_path = browser, server, tmp_path
        self.pages = {}  # name -> page
        self.watches = {}  # name -> Watch
        self.contexts = []

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if error is not None and self.tmp_path is not None:
            for name, page in self.pages.items():
                # A page that is already closed must not hide the real failure.
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(Path(self.tmp_path) / f"failure-{name}.png"))
        for context in self.contexts:
            context.close()
        return False

    def page(self, name, viewport, **options):
        """A fresh browser context (as on its own device) with one watched page."""
        context = self.browser.new_context(viewport=viewport, **options)
        self.contexts.append(context)
        return self.adopt(name, context.new_page())

    def adopt(self, name, page):
        """Watch a page that was opened some other way (a popup, a second tab)."""
        self.pages[name] = page
        self.watches[name] = Watch(page, name)
        return page

    def assert_clean(self, names=None, console=True):
        """`Watch.assert_clean` for the named pages (default: all)."""
        for name in names or self.watches:
            self.watches[name].assert_clean(console=console)

    def keep_screenshots(self, full_page=False, **sizes):
        """Screenshots of the named pages into $TAFELRONDE_E2E_SHOTS, when that is set
        (`full_page`: the whole page, not only what is in sight)."""
        folder = os.environ.get(SHOTS_ENV)
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        for name, filename in sizes.items():
            self.pages[name].screenshot(path=str(Path(folder) / filename), full_page=full_page)


# --- the facilitator ---------------------------------------------------------------------------


SEATING = {
    "choose": "People choose their table",
    "balance": "Tafelronde places people to keep tables even",
    "facilitator": "I place people myself",
}
FLOW = {"deal": "I deal the same card to all tables", "draw": "Each table draws at its own pace"}


def sign_in(page, server):
    """Sign in on /host with the facilitator key; lands on the start page."""
    page.goto(server.url + "/host")
    page.get_by_label("Facilitator key").fill(HOST_KEY)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/")


def start_session(page, tables=2, flow="deal", seating="choose", rounds=None):
    """From the signed-in start page: "Start a session" on the deck, fill the form, submit
    (`rounds`: the rounds per card chosen there; default as the deck says).

    Returns the session code; the page is the facilitator's page, connected.
    """
    title = deck().title
    entry = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )
    entry.get_by_role("link", name="Start a session").click()
    page.wait_for_url(re.compile(r"/host/new\?deck="))
    page.get_by_label("A number of tables").check()
    page.get_by_label("How many tables").fill(str(tables))
    page.get_by_label(SEATING[seating]).check()
    page.get_by_label(FLOW[flow]).check()
    if rounds is not None:
        page.get_by_label("Rounds per card").select_option(str(rounds))
    page.get_by_role("button", name="Start the session").click()
    page.wait_for_url(re.compile(r"/host/s/[A-Z0-9]+$"))
    expect(page.locator("#conn")).to_have_text("Connected")
    return urlsplit(page.url).path.rsplit("/", 1)[1]


def join_path(host_page, code):
    """The join link's path from the facilitator page (its host may be the LAN address)."""
    link = host_page.get_by_role("link", name=f"/j/{code}")
    path = urlsplit(link.get_attribute("href")).path
    assert path == f"/j/{code}"
    return path


def open_projector(room, host_page, name="projector", clock=False):
    """The "Open projector" link, opened in a window of its own at projector size (with
    `clock`, under Playwright's controllable clock, installed before the page's scripts run).

    A facilitator drags that window to the projector screen. Clicking the link instead would
    open a tab in front of the facilitator's page in the same headless window; Chromium then
    runs the facilitator's page at about one animation frame a second (measured), and every
    Playwright click there waits seconds for its stability check.
    """
    href = host_page.get_by_role("link", name="Open projector", exact=True).get_attribute("href")
    wall = room.page(name, PROJECTOR)
    if clock:
        wall.clock.install()
    wall.goto(urljoin(host_page.url, href))
    expect(wall.locator("#conn")).to_have_text("Connected")
    return wall


def table_card(host_page, table):
    """A table's card on the facilitator page."""
    return host_page.get_by_role("article").filter(
        has=host_page.get_by_role("heading", name=table, exact=True)
    )


def deal(host_page, card):
    """Deal `card` (a deck card) to all tables through the "Deal a card" list."""
    select = host_page.get_by_label("Deal a card")
    expect(select.locator(f'option[value="{card.id}"]')).to_have_count(1)
    select.select_option(card.id)
    host_page.get_by_role("button", name="Deal to all tables").click()


def spotlight_notes(host_page, table, texts, card):
    """Tick "for the projector" on the notes `texts` of `table`, then press Spotlight."""
    for text in texts:
        note = table_card(host_page, table).get_by_role("listitem").filter(has_text=text)
        note.get_by_label("for the projector").check()
    # Ticking a note chooses its card for the spotlight.
    expect(host_page.get_by_label("Spotlight on the projector")).to_have_value(card.id)
    host_page.get_by_role("button", name="Spotlight", exact=True).click()
    with_notes = "with 1 note" if len(texts) == 1 else f"with {len(texts)} notes"
    expect(host_page.get_by_text(f"On the projector: {card.title} {with_notes}")).to_be_visible()


def add_table(host_page, name):
    """Add a table named `name` from the facilitator's toolbar."""
    host_page.get_by_label("Add a table").fill(name)
    host_page.get_by_role("button", name="Add table", exact=True).click()
    expect(table_card(host_page, name)).to_have_count(1)


def end_session(host_page):
    """Press "End session" and confirm: the button asks its question, pressed again it ends."""
    box = host_page.locator("#end-box")
    box.get_by_role("button", name="End session").click()
    expect(box.locator(".ask")).to_be_visible()
    box.get_by_role("button", name="End session").click()


def on_the_wall(wall, text, pages=12):
    """Expect `text` on the projector, turning its pages (Page Down) until it shows: what does
    not fit on one screen is shown in pages."""
    shown = wall.get_by_text(text, exact=True)
    expect(shown).to_have_count(1)
    for _ in range(pages):
        if shown.is_visible():
            return
        wall.keyboard.press("PageDown")
    expect(shown).to_be_visible()


def smallest_text(page):
    """(font size in px, the text) of the smallest text shown on `page` (not visually hidden)."""
    return page.evaluate(
        """() => {
          let best = null;
          const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            const e = n.parentElement, text = n.textContent.trim();
            if (!text || e.closest(".visually-hidden, script")) continue;
            const box = e.getBoundingClientRect(), style = getComputedStyle(e);
            if (!box.width || !box.height || style.visibility === "hidden") continue;
            const px = parseFloat(style.fontSize);
            if (!best || px < best[0]) best = [px, text.slice(0, 60)];
          }
          return best;
        }"""
    )


# --- phones --------------------------------------------------------------------------------------


def phone(room, name, server, path):
    """A phone-sized page of its own context on the join link; "Connected" once it is up."""
    page = room.page(name, PHONE, is_mobile=True, has_touch=True)
    page.goto(server.url + path)
    expect(page.locator("#conn")).to_have_text("Connected")
    return page


def join(page, name, table):
    """Give a name, join, and take a seat at `table` (seating: people choose)."""
    page.get_by_label("Your name (optional)").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("heading", name="Choose your table")).to_be_visible()
    page.get_by_role("button", name=re.compile(rf"^{re.escape(table)} ")).click()
    expect(page.get_by_role("heading", name=table, level=1)).to_be_visible()


def table_with_notes(room, server, card, people, notes):
    """One table of typed text: a signed-in facilitator on a laptop starts a one-table session
    (the facilitator deals; people choose their table) and opens the projector; a phone for each
    (page name, person's name) of `people` joins "Table 1"; `card` is dealt; then each
    (phone index, text, kind or None) of `notes` is written. Returns (host, wall, phones)."""
    host = room.page("facilitator", LAPTOP)
    sign_in(host, server)
    code = start_session(host, tables=1, flow="deal", seating="choose")
    wall = open_projector(room, host)
    path = join_path(host, code)
    phones = [phone(room, page_name, server, path) for page_name, _ in people]
    for page, (_, name) in zip(phones, people, strict=True):
        join(page, name, "Table 1")
    deal(host, card)
    for index, text, kind in notes:
        write_note(phones[index], text, kind=kind)
    return host, wall, phones


def vote_button(page, option):
    """The phone's vote button for the option text `option` (pressed, CSS prefixes a "✓ ")."""
    name = re.compile(rf"^(✓\s*)?{re.escape(option)}$")
    return page.get_by_role("group", name="Your vote").get_by_role("button", name=name)


def vote(page, option):
    """Tap an option; it is pressed at once (saved or waiting, whatever the network does). If
    that vote revealed the table, the options fold into one line naming the vote."""
    vote_button(page, option).click()
    expect(my_vote(page, option)).to_have_count(1)


def my_vote(page, option):
    """The phone's sign that `option` is its vote: the pressed option, or after the reveal the
    folded line naming it."""
    mine = page.locator('.s-vote [aria-pressed="true"], .s-vote p.row > span')
    return mine.filter(has_text=re.compile(rf"^(✓\s*)?{re.escape(option)}$"))


def write_note(page, text, kind=None):
    """Write a note (optionally choosing its kind) and press "Add note"."""
    if kind:
        page.get_by_role("group", name="Kind of note").get_by_role("button", name=kind).click()
    page.get_by_label("Your note").fill(text)
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_label("Your note")).to_have_value("")


# How a bar's label may be marked: ★ the table's choice, "✓ your vote" one's own.
MARKS = r"(★\s*)?{}(\s*✓ your vote)?\s*"


def bar(scope, label, count):
    """Expect the bar of `label` (in a chart under `scope`) to show `count`."""
    marked = MARKS.format(re.escape(label))
    item = scope.get_by_role("listitem").filter(has_text=re.compile(rf"^{marked}\d+$"))
    expect(item).to_have_count(1)
    expect(item).to_have_text(re.compile(rf"^{marked}{count}$"))
