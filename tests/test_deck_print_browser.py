"""Printed decks in headless Chromium: the expected pages, and no card box over a page edge."""

import pytest

from game.decks.deck import load_deck
from game.web.decks.files import print_page
from game.web.decks.pdf import BASE, count_pages, open_print_page
from tests.e2e import ROOT

pytestmark = pytest.mark.browser
MM = 96 / 25.4  # CSS pixels per millimetre
A4_HEIGHT = 297 * MM


def rendered(app, browser, name, reflections):
    deck = load_deck(ROOT / "decks" / f"{name}.yaml")
    with app.test_request_context("/", base_url=BASE):
        html = print_page(deck, name, reflections=reflections)
    with app.app_context():
        page = open_print_page(browser, html)
    page.emulate_media(media="print")
    return deck, page


LAYOUT = """() => {
  const out = [];
  document.querySelectorAll('.sheet').forEach((sheet, s) => {
    const box = sheet.getBoundingClientRect();
    sheet.querySelectorAll('.card').forEach((card, c) => {
      const r = card.getBoundingClientRect();
      const body = card.querySelector('.body');
      out.push({s, c, top: r.top - box.top, bottom: r.bottom - box.top, left: r.left - box.left,
        right: r.right - box.left, sheetHeight: box.height, sheetWidth: box.width,
        overflow: body ? body.scrollHeight > body.clientHeight + 1 : false});
    });
  });
  return out;
}"""


@pytest.mark.parametrize("name", ["social-media-dilemmas.en", "social-media-dilemmas.nl"])
def test_printed_starter_decks_have_the_expected_pages_and_no_card_crosses_an_edge(
    app, browser, name
):
    deck, page = rendered(app, browser, name, "none")
    sheets = -(-len(deck.cards) // 4)
    assert sheets == 7
    boxes = page.evaluate(LAYOUT)
    assert len(boxes) == len(deck.cards)
    for box in boxes:
        assert box["sheetHeight"] == pytest.approx(A4_HEIGHT, abs=1)
        assert box["top"] >= 0 and box["bottom"] <= box["sheetHeight"], box
        assert box["left"] >= 0 and box["right"] <= box["sheetWidth"], box
        assert not box["overflow"], f"card {box} overflows its box"
    # One sheet per page: had any sheet spilled over a page edge, there would be more pages.
    assert count_pages(page.pdf(prefer_css_page_size=True)) == sheets
    page.close()

    _deck, page = rendered(app, browser, name, "backs")
    assert count_pages(page.pdf(prefer_css_page_size=True)) == 2 * sheets
    assert not any(b["overflow"] for b in page.evaluate(LAYOUT))
    page.close()

    _deck, page = rendered(app, browser, name, "sheet")
    pages = count_pages(page.pdf(prefer_css_page_size=True))
    facilitator = page.evaluate("document.querySelector('.facilitator').offsetHeight")
    assert pages == sheets + -(-facilitator // int(A4_HEIGHT)) or pages > sheets
    page.close()


def test_a_card_with_the_longest_texts_shrinks_to_fit(app, browser):
    from game.decks.deck import parse_deck

    card = {
        "id": "long",
        "title": "T" * 120,
        "text": "word " * 300,
        "response": {"type": "choice", "options": [f"{i} " + "option " * 28 for i in range(6)]},
        "prompts": [f"{i} " + "prompt " * 42 for i in range(6)],
    }
    deck = parse_deck({"title": "Long", "language": "en", "cards": [card]})
    with app.test_request_context("/", base_url=BASE):
        html = print_page(deck, "long", reflections="none")
    with app.app_context():
        page = open_print_page(browser, html)
    page.emulate_media(media="print")
    boxes = page.evaluate(LAYOUT)
    page.close()
    assert boxes and boxes[0]["bottom"] <= boxes[0]["sheetHeight"]
    assert not boxes[0]["overflow"], "the longest card must shrink until it fits"


def test_decks_print_writes_a_pdf_of_the_cards(tmp_path):
    # A process of its own: Playwright's sync API cannot run inside the tests' own browser session.
    import subprocess
    import sys

    from tests.ci import need_playwright
    from tests.servers import chromium_or_skip

    need_playwright()  # `flask decks print` drives Chromium with it
    chromium = chromium_or_skip()
    output = tmp_path / "cards.pdf"
    command = [sys.executable, "-m", "flask", "--app", "app", "decks", "print"]
    args = ["social-media-dilemmas.en", "--output", str(output), "--reflections", "backs"]
    result = subprocess.run(
        [*command, *args, "--chromium", chromium],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert output.read_bytes().startswith(b"%PDF")
    assert count_pages(output.read_bytes()) == 14
    assert result.stdout.strip() == f"{output}: 14 pages"
    missing = subprocess.run(
        [*command, "no-such-deck", "-o", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "LANG": "nl_NL.UTF-8", "LC_ALL": ""},
    )
    assert missing.returncode == 1
    assert "er is geen kaartspel met deze naam" in missing.stderr
