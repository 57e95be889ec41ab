"""The deck editor in a real headless Chromium against a real server (``python app.py``)."""

import re

import pytest

from tests.ci import need_playwright
from tests.servers import HOST_KEY

playwright_api = need_playwright()
expect = playwright_api.expect

pytestmark = pytest.mark.browser

DECK = """\
# yaml-language-server: $schema=schema.json
# Written by hand: keep this comment.
title: Browser deck   # the title
language: en

cards:
  # The first card.
  - id: first
    title: The first dilemma
    text: >
      Should we do the first thing
      or not?
    response:
      type: choice
      options:
        - Yes
        - No

  - id: second
    title: The second dilemma
    text: Second text.
"""


@pytest.fixture
def page(browser, server):
    """A signed-in organiser's browser tab at 1280×800 (fixtures from conftest.py).

    Errors thrown by the page's scripts fail the test.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/host?next=/decks")
    page.fill("#key", HOST_KEY)
    page.click("button[type=submit]")
    page.wait_for_url("**/decks")
    yield page
    context.close()
    assert errors == []


def deck_file(server, slug, text=DECK):
    """Write a hand-made deck into the server's folder; return its path."""
    path = server.workdir / "decks" / f"{slug}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def open_editor(page, server, slug):
    page.goto(f"{server.url}/decks/{slug}/edit")
    expect(page.locator("#ed-state")).to_have_text("All changes saved")


def test_edit_a_card_preview_save_and_restore(page, server):
    path = deck_file(server, "edit-restore")
    open_editor(page, server, "edit-restore")
    page.click("#nav-list li:nth-child(2) button")  # the first card
    preview = page.locator("#preview .card h2")
    expect(preview).to_have_text("The first dilemma")

    page.locator("#ed-detail").get_by_label("Title", exact=True).fill("A dilemma, changed")
    expect(preview).to_have_text("A dilemma, changed")
    expect(page.locator("#ed-state")).to_have_text("Unsaved changes")
    page.click("#btn-save")
    expect(page.locator("#ed-state")).to_contain_text("Saved at")
    saved = path.read_text(encoding="utf-8")
    assert "    title: A dilemma, changed\n" in saved
    assert "# Written by hand: keep this comment." in saved and "# The first card." in saved

    page.click("#btn-history")
    page.locator("#history-list button").first.click()
    # What changed, in words; the lines of YAML on request.
    expect(page.locator("#history-words")).to_have_text(
        "Cards changed since:A dilemma, changed (title)"
    )
    expect(page.locator("#history-diff")).not_to_be_visible()
    page.get_by_text("Show the changes line by line (YAML)").click()
    expect(page.locator("#history-diff")).to_contain_text("+    title: A dilemma, changed")
    page.click("#btn-restore")
    expect(page.locator("#ed-banners")).to_contain_text("Restored the version")
    expect(preview).to_have_text("The first dilemma")
    expect(page.locator("#ed-detail").get_by_label("Title", exact=True)).to_have_value(
        "The first dilemma"
    )
    assert path.read_text(encoding="utf-8") == DECK


def test_a_comment_typed_in_the_yaml_survives_a_form_edit(page, server):
    path = deck_file(server, "comments")
    open_editor(page, server, "comments")
    page.click("#tab-yaml")
    textarea = page.locator("#yaml-text")
    expect(textarea).to_be_visible()
    text = textarea.input_value().replace(
        "  - id: second\n", "  # Typed in the YAML view.\n  - id: second\n"
    )
    textarea.fill(text)
    page.click("#tab-form")
    expect(page.locator("#pane-form")).to_be_visible()
    page.click("#nav-list li:nth-child(3) button")  # the second card
    page.locator("#ed-detail").get_by_label("Dilemma").fill("A text changed in the form.")
    expect(page.locator("#preview .card .text")).to_have_text("A text changed in the form.")
    page.click("#btn-save")
    expect(page.locator("#ed-state")).to_contain_text("Saved at")
    saved = path.read_text(encoding="utf-8")
    assert "  # Typed in the YAML view.\n  - id: second\n" in saved
    assert "    text: A text changed in the form.\n" in saved
    assert "title: Browser deck   # the title\n" in saved


def test_problems_at_line_and_column_and_a_draft_that_survives_reload(page, server):
    path = deck_file(server, "problems")
    open_editor(page, server, "problems")
    page.click("#tab-yaml")
    textarea = page.locator("#yaml-text")
    textarea.fill(
        DECK.replace("    title: The second dilemma\n", "    titel: The second dilemma\n")
    )
    problem = page.locator("#problems-list button", has_text="titel")
    expect(problem).to_contain_text("Line 20, column 5")
    problem.click()
    start = page.evaluate("document.getElementById('yaml-text').selectionStart")
    assert textarea.input_value()[start:].startswith("titel:")

    page.click("#btn-save")
    expect(page.locator("#ed-banners")).to_contain_text("not saved")
    assert path.read_text(encoding="utf-8") == DECK  # refused: the file is unchanged

    page.reload()
    expect(page.locator("#ed-banners")).to_contain_text("brought back")
    expect(page.locator("#yaml-text")).to_have_value(re.compile("titel: The second dilemma"))
    expect(page.locator("#ed-state")).to_have_text("Unsaved changes")


def test_library_create_delete_and_undo(page, server):
    page.click("#new-deck")
    page.fill("#new-title", "Made in the browser")
    page.click("#new-form button[type=submit]")
    page.wait_for_url("**/decks/made-in-the-browser.*/edit")
    expect(page.locator("#ed-title")).to_have_text("Made in the browser")
    page.goto(server.url + "/decks")
    row = page.locator("tr", has_text="Made in the browser")
    row.get_by_role("button", name="Delete").click()
    expect(page.locator("#lib-status")).to_contain_text("Moved")
    expect(page.locator("tr", has_text="Made in the browser")).to_have_count(0)
    page.locator("#lib-status").get_by_role("button", name="Undo").click()
    expect(page.locator("tr", has_text="Made in the browser")).to_have_count(1)


def test_library_fits_a_phone_and_dates_read_as_on_the_start_page(page, server):
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    row = page.locator("tr", has_text="social-media-dilemmas.en.yaml")
    expect(row.get_by_role("link", name="Edit")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # One date format everywhere (the start page's): YYYY-MM-DD HH:MM, in local time.
    expect(row.locator("time")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$"))
    page.goto(server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for link in page.locator(".langs a, .langs strong").all():
        box = link.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
