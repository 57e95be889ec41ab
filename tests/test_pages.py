"""HTTP pages: creating a session, joining, QR codes, and the phone page's weight."""

import gzip
import json
import re
from urllib.parse import urljoin

from game.web.live import offline
from tests.conftest import ROOT, csrf_of, sign_in
from tests.test_sockets import make_session

WEIGHT_LIMIT = 30 * 1024


def test_home_shows_a_participant_the_join_box_and_no_decks(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Join a table" in page and "Session code" in page
    assert "Social media" not in page and "cards" not in page


def test_home_lists_decks_with_language_and_card_count(client):
    sign_in(client)
    page = client.get("/?lang=en").get_data(as_text=True)
    assert (
        "Social media: dilemmas for civil-society organisations" in page or "Social media" in page
    )
    assert "28 cards" in page
    assert "NL" in page and "EN" in page


def test_facilitator_pages_need_the_sign_in(client):
    for path in ("/host/new?deck=tiny", "/host/s/ABCDEF"):
        response = client.get(path)
        assert response.status_code == 302 and "/host" in response.headers["Location"]
    token = csrf_of(client)
    response = client.post("/host/sessions", data={"deck": "tiny", "csrf_token": token})
    assert response.status_code == 302 and "/host?next" in response.headers["Location"]


def test_wrong_host_key_is_refused(client):
    token = csrf_of(client)
    response = client.post("/host", data={"key": "nope", "csrf_token": token})
    assert response.status_code == 403
    assert "not right" in response.get_data(as_text=True)


def test_create_session_with_named_tables(app, client):
    code = make_session(app, client, tables_mode="names", table_names="Oak\nBeech\n\nElm")
    state = app.extensions["tafelronde.hub"].get(code).state
    assert [t.name for t in state.tables] == ["Oak", "Beech", "Elm"]
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", code)
    page = client.get(f"/host/s/{code}").get_data(as_text=True)
    assert code in page and f"/s/{code}/qr.svg" in page


def test_groups_of_n_seat_people_automatically(app, client):
    code = make_session(app, client, tables_mode="groups", group_size="3", seating="choose")
    state = app.extensions["tafelronde.hub"].get(code).state
    assert state.settings.seating == "balance" and state.settings.group_size == 3


def test_bad_session_form_is_explained(app, client):
    token = sign_in(client)
    response = client.post(
        "/host/sessions",
        data={"deck": "tiny", "tables_mode": "count", "table_count": "500", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "table_count" in response.get_data(as_text=True)
    assert app.extensions["tafelronde.hub"].store.sessions() == []


def test_ended_session_page_points_to_the_results(app, client):
    code = make_session(app, client)
    banner = re.compile(r'<div id="ended" class="endbanner" role="status"( hidden)?>')
    page = client.get(f"/host/s/{code}?lang=en").get_data(as_text=True)
    assert banner.search(page).group(1) == " hidden"  # the script shows it when the session ends
    host = app.extensions["socketio"].test_client(app, flask_test_client=client)
    assert host.emit("hello", {"code": code, "role": "facilitator"}, callback=True)["ok"]
    assert host.emit("end_session", {}, callback=True)["ok"]
    page = client.get(f"/host/s/{code}?lang=en").get_data(as_text=True)
    assert banner.search(page).group(1) is None  # shown from the start, not after a round trip
    ended = page[page.index('<div id="ended"') :]
    ended = ended[: ended.index("</div>")]
    assert "This session has ended." in ended
    assert f'href="/host/s/{code}/report"' in ended and "Results and downloads" in ended
    dutch = client.get(f"/host/s/{code}?lang=nl").get_data(as_text=True)
    assert "Deze sessie is afgelopen." in dutch and "Resultaten en downloads" in dutch


def test_session_snapshots_the_deck(app, client, tmp_path):
    code = make_session(app, client)
    deck_file = tmp_path / "decks" / "tiny.yaml"
    deck_file.write_text(deck_file.read_text().replace("title: First", "title: Changed later"))
    state = app.extensions["tafelronde.hub"].get(code).state
    assert state.deck.card("one").title == "First"


def test_join_by_code_normalises_and_unknown_codes_get_a_page(app, client):
    code = make_session(app, client)
    typed = f" {code[:3].lower()}-{code[3:]} "
    response = client.get("/join", query_string={"code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/j/{code}")
    unknown = client.get("/join?code=ZZZZZZ")
    assert unknown.status_code == 404
    assert "No session with that code" in unknown.get_data(as_text=True)
    assert client.get("/j/ZZZZZZ").status_code == 404


def test_qr_code_is_a_local_svg_of_the_join_link(app, client):
    code = make_session(app, client)
    response = client.get(f"/s/{code}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.lstrip().startswith("<svg") and "<path" in svg
    assert "http" not in svg.replace("http://www.w3.org", "")  # no external references


def test_projector_page_needs_its_key(app, client):
    code = make_session(app, client)
    live = app.extensions["tafelronde.hub"].get(code)
    assert client.get(f"/wall/{code}?k=wrong").status_code == 403
    assert client.get(f"/wall/{code}?k={live.projector_key}").status_code == 200


def _assets(page):
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


def _more_loaded_by(url, script, page_url):
    """What a script at `url` loads besides: the modules it imports (relative to the script),
    the service worker it registers (relative to the page)."""
    imports = re.findall(r'^import [^;]* from "([^"]+)";', script, re.M)
    workers = re.findall(r'serviceWorker\.register\("([^"]+)"\)', script)
    return [urljoin(url, n) for n in imports] + [urljoin(page_url, n) for n in workers]


def test_phone_page_with_everything_it_loads_stays_under_30_kb_compressed(app, client):
    code = make_session(app, client)
    phone = app.test_client()
    headers = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium on a phone sends
    page_url = f"/j/{code}"
    response = phone.get(page_url, headers=headers)
    assert response.status_code == 200
    total = len(response.data)
    assert response.headers.get("Content-Encoding") == "gzip"
    html = gzip.decompress(response.data).decode()
    # The HTML's own references first, then what each script loads in turn (once each).
    todo, sizes = [urljoin(page_url, a) for a in _assets(html)], {}
    assert any("socket.io" in a for a in todo)
    while todo:
        asset = todo.pop(0)
        if asset in sizes:
            continue
        got = phone.get(asset, headers=headers)
        body = got.get_data()
        got.close()
        assert got.status_code == 200, asset
        sizes[asset] = len(body)
        total += len(body)
        if asset.endswith(".js"):
            text = gzip.decompress(body) if got.headers.get("Content-Encoding") else body
            todo += _more_loaded_by(asset, text.decode(), page_url)
    assert "/j/sw.js" in sizes  # the service worker is part of the weight
    print(f"phone page with everything it loads: {total} bytes gzip {sizes}")
    assert total < WEIGHT_LIMIT, f"{total} bytes: {sizes}"
    # Nothing from anywhere else.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


def test_the_service_worker_keeps_what_the_phone_page_loads(app, client):
    code = make_session(app, client)
    page_url = f"/j/{code}"
    html = client.get(page_url).get_data(as_text=True)
    response = client.get("/j/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"  # a release reaches phones at once
    worker = response.get_data(as_text=True)
    kept = json.loads(re.search(r"const ASSETS = (\[[^\]]*\])", worker).group(1))
    loaded = set(_assets(html))
    for asset in list(loaded):
        if asset.endswith(".js"):
            got = client.get(asset)
            script = got.get_data(as_text=True)
            got.close()
            loaded |= {a for a in _more_loaded_by(asset, script, page_url) if a != "/j/sw.js"}
    assert sorted(kept) == sorted(loaded)
    assert "socket.io/" in worker  # its traffic passes through, never cached
    assert "{#" not in worker and "/*" not in worker  # comments stay in the template


def test_the_service_worker_cache_is_named_after_the_files_it_keeps(tmp_path):
    for name in offline.PHONE_ASSETS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("one")
    first = offline.assets_version(tmp_path)
    assert offline.assets_version(tmp_path) == first
    (tmp_path / "js" / "play.js").write_text("two")
    assert offline.assets_version(tmp_path) != first


def test_pages_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_our_scripts_and_stylesheets_are_served_without_their_comments(client):
    def served(name):
        response = client.get(f"/static/{name}")
        body = response.get_data()
        response.close()
        return body

    for name in ("js/play.js", "js/live.js", "css/live.css", "css/app.css"):
        on_disk = (ROOT / "static" / name).read_bytes()
        lean = served(name)
        assert re.search(rb"^\s*/\*", on_disk, re.M), name
        assert not re.search(rb"^\s*(/\*|//)", lean, re.M), name  # no comment starts a line
        # Each comment becomes empty lines: line numbers in the browser match the file.
        assert lean.count(b"\n") == on_disk.count(b"\n"), name
        assert len(lean) < len(on_disk)
        assert not re.search(rb"^[ \t]", lean, re.M), name  # nor indentation
    vendored = "vendor/socket.io-client-4.8.4/socket.io.esm.min.js"
    assert served(vendored) == (ROOT / "static" / vendored).read_bytes()  # licence comment kept


def test_a_template_literal_over_several_lines_keeps_its_spaces():
    from app import _without_comments

    script = b"// a comment\nconst a = `one\n    two`;\n  call(a);\n"
    assert (
        _without_comments("/static/js/x.js", script) == b"\nconst a = `one\n    two`;\n  call(a);\n"
    )
    assert _without_comments("/static/js/y.js", b"  call(`x`);\n") == b"call(`x`);\n"


def test_tables_the_session_names_are_in_the_facilitators_language(app, client):
    client.set_cookie("lang", "nl")  # the facilitator's page is in Dutch; the deck is English
    code = make_session(app, client, table_count="2")
    state = app.extensions["tafelronde.hub"].peek(code).state
    assert [t.name for t in state.tables] == ["Tafel 1", "Tafel 2"]
    assert state.settings.language == "nl"  # and so are tables added later
