"""The printable cards as a PDF, for ``flask decks print``: the print page in headless Chromium.

Why Chromium and not a Python PDF library: the PDF must be the page browsers print, with the same
CSS (``@page``, ``break-inside``) and the same text-fitting script, so that one layout is tested
and what an organiser previews is what comes out. Pure-Python renderers either lack that CSS or
(WeasyPrint) need system libraries such as Pango that do not install with pip on every laptop.
Playwright drives an installed Chromium (``--chromium``; Debian's ``/usr/bin/chromium`` by
default), never a downloaded one. The page is served to it from the app itself, in memory, with
no network server: every request the page makes is answered by Flask's test client.
"""

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from ...decks.deck import DeckError, DeckProblem, load_deck
from ...decks.messages import Message
from ...errors import N_
from ...storage.library import deck_path
from .files import print_page

BASE = "http://tafelronde.invalid"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def find_deck(name):
    """(deck, slug) for a deck name in DECKS_DIR or a path to a YAML file."""
    path = deck_path(current_app.config["DECKS_DIR"], name)
    if path is None:
        path = Path(name)
    if path.suffix not in (".yaml", ".yml") or not path.exists():
        message = N_("there is no deck of this name in the decks folder, and no such YAML file")
        raise DeckError([DeckProblem((), Message(message))], name)
    return load_deck(path), path.stem


def render_pdf(name, output, *, reflections="sheet", code="", chromium="/usr/bin/chromium"):
    """Write the deck `name`'s cards to the PDF `output`; returns the number of pages."""
    deck, slug = find_deck(name)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise RuntimeError(
            "PDF needs Playwright: pip install playwright (and a Chromium); "
            "or open the deck's Print page in a browser and save it as PDF"
        ) from None
    if not Path(chromium).exists():
        raise RuntimeError(f"no Chromium at {chromium}; give its path with --chromium")
    with current_app.test_request_context("/", base_url=BASE):
        html = print_page(deck, slug, reflections=reflections, code=code)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = open_print_page(browser, html)
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    Path(output).write_bytes(pdf)
    return count_pages(pdf)


def open_print_page(browser, html):
    """A Playwright page showing `html`, its static files answered by the app; text fitted."""
    client = current_app.test_client()

    def serve(route):
        url = urlsplit(route.request.url)
        if url.path == "/print":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            return
        answer = client.get(url.path)
        route.fulfill(status=answer.status_code, headers=dict(answer.headers), body=answer.data)
        answer.close()

    page = browser.new_page()
    page.route(f"{BASE}/**", serve)
    page.goto(f"{BASE}/print")
    page.wait_for_function("document.documentElement.dataset.fitted === 'yes'")
    return page


def count_pages(pdf):
    """The number of pages of a PDF that Chromium wrote (its page objects)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
