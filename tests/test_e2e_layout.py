"""The layout check: every kind of page at 360 x 740, 1280 x 800 and 1920 x 1080, in English and
Dutch, with long names, long Dutch compound words, notes of three sentences, a two-line message
and a running timer, shows no word broken inside, no squeezed or clipped text, nothing under a
fixed or sticky bar, no sideways scrolling, and on the projector no small text and no scrolling.

The views and the rules are in tests/layout.py and tests/assets/layout-check.js; one server and
one browser serve them all. With $TAFELRONDE_E2E_SHOTS set, every checked screen is kept as a PNG.
"""

import os
from pathlib import Path

import pytest

from tests.ci import need_playwright

need_playwright()
from playwright.sync_api import expect  # noqa: E402 — only once we know Playwright is there

from tests import e2e, layout  # noqa: E402
from tests.servers import Server  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    """A server with the stress deck, its sessions played up to the states the views show."""
    server = Server(tmp_path_factory.mktemp("layout"))
    layout.stress_deck(server.workdir / "decks")
    server.start()
    built = layout.Stage(server)
    try:
        yield built.build()
    finally:
        built.close()
        server.stop()


@pytest.fixture(scope="module")
def signed_in(browser, stage):
    """The cookies of a browser signed in as the facilitator."""
    context = browser.new_context()
    e2e.sign_in(context.new_page(), stage.server)
    state = context.storage_state()
    context.close()
    return state


@pytest.mark.parametrize("view", layout.VIEWS, ids=lambda view: view.name)
def test_layout(view, stage, signed_in, browser):
    shots = os.environ.get(e2e.SHOTS_ENV)
    found = []
    for lang in layout.LANGUAGES:
        context = browser.new_context(storage_state=signed_in if view.who == "host" else None)
        if view.who not in ("host", "guest"):
            context.add_init_script(layout.seat_script(stage, view.who))
        page = context.new_page()
        watch = e2e.Watch(page, view.name)
        try:
            for size in view.sizes:
                page.set_viewport_size(layout.SIZES[size])
                page.goto(layout.address(stage, view, lang))
                expect(page.locator(view.ready).first).to_be_visible()
                if view.then:
                    view.then(page)
                layout.settle(page)
                where = f"{view.name} {lang} {size}"
                seen = layout.problems(page, view.projector)
                found += [layout.line(where, p) for p in seen]
                layout.log(where, seen)
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    name = f"layout-{view.name}-{lang}-{size}.png"
                    page.screenshot(path=str(Path(shots) / name), full_page=not view.projector)
            watch.assert_clean(console=False)
        finally:
            context.close()
    assert not found, f"{len(found)} layout problems:\n" + "\n".join(found)


def test_printed_cards_carry_a_qr_code_a_phone_reads_and_the_backs_show_at_once(
    stage, signed_in, browser
):
    context = browser.new_context(storage_state=signed_in, viewport=e2e.LAPTOP)
    try:
        page = context.new_page()
        slug, code = layout.DECK_SLUG, stage.codes["live"]
        page.goto(f"{stage.server.url}/decks/{slug}/print?session={code}&lang=en")
        expect(page.locator("html[data-fitted=yes]")).to_have_count(1)
        qr = page.locator(".foot .qr svg").first
        millimetres = qr.evaluate("e => e.getBoundingClientRect().width * 25.4 / 96")
        assert millimetres >= 15, f"QR code {millimetres:.1f} mm wide"
        expect(page.locator(".sheet.back")).to_have_count(0)
        page.get_by_label("On the backs of the cards", exact=False).check()  # no "Show" needed
        expect(page.locator(".sheet.back").first).to_be_visible()
        expect(page.get_by_label("Join code of a session", exact=False)).to_have_value(code)
    finally:
        context.close()
