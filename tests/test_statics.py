"""Static files minified and compressed once, sent in the encoding the browser asks for."""

import gzip
from pathlib import Path

import brotli

from game.web.serving import statics
from game.web.serving.statics import _accepts


def get(client, path, accept):
    return client.get(path, headers={"Accept-Encoding": accept} if accept is not None else {})


def test_brotli_when_asked_else_gzip_else_the_minified_file(app, client):
    written = (Path(app.static_folder) / "js" / "live.js").read_text(encoding="utf-8")
    br = get(client, "/static/js/live.js", "gzip, deflate, br, zstd")
    gz = get(client, "/static/js/live.js", "gzip")
    plain = get(client, "/static/js/live.js", "identity")
    assert br.headers["Content-Encoding"] == "br" and gz.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    for response in (br, gz, plain):
        assert response.status_code == 200
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.mimetype == "text/javascript"
    text = plain.get_data(as_text=True)
    assert brotli.decompress(br.get_data()).decode() == text
    assert gzip.decompress(gz.get_data()).decode() == text
    # Without comments and the spaces between tokens, and nothing else changed.
    assert len(text) < 0.8 * len(written) and "/*" not in text
    assert "function connect(code)" in written and "function connect(code){" in text
    assert int(br.headers["Content-Length"]) == len(br.get_data())


def test_each_encoding_has_its_own_validator_and_a_repeat_gets_304(client):
    first = get(client, "/static/css/app.css", "br")
    etag = first.headers["ETag"]
    assert etag.endswith(':br"')
    again = client.get(
        "/static/css/app.css", headers={"Accept-Encoding": "br", "If-None-Match": etag}
    )
    assert again.status_code == 304
    other = client.get(
        "/static/css/app.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert other.status_code == 200 and other.headers["Content-Encoding"] == "gzip"


def test_a_changed_file_is_sent_as_it_is_now(tmp_path):
    (tmp_path / "x.css").write_text("a  {  color : red ;  }  /* note */\n", encoding="utf-8")
    variants = statics.Variants(str(tmp_path))
    first = variants.get("x.css")["identity"]
    (tmp_path / "x.css").write_text("b { color: blue; }\n", encoding="utf-8")
    second = variants.get("x.css")["identity"]
    assert first == b"a{color:red}" and second == b"b{color:blue}"
    assert variants.get("../x.css") is None  # nothing outside the folder


def test_already_minified_files_are_left_as_they_are(app, client):
    body = get(client, "/static/vendor/socket.io-client-4.8.4/socket.io.slim.min.js", None)
    path = Path(app.static_folder) / "vendor/socket.io-client-4.8.4/socket.io.slim.min.js"
    assert body.get_data() == path.read_bytes()


def test_accept_encoding_is_read_with_its_weights():
    assert _accepts("gzip, deflate, br, zstd", "br")
    assert not _accepts("gzip, br;q=0", "br")
    assert _accepts("br;q=0.5, gzip", "br")
    assert not _accepts("gzip", "br")
    assert not _accepts("br;q=x", "br")


def test_the_phone_page_and_its_worker_are_compressed_once_for_every_phone(app, client):
    from tests.test_sockets import make_session

    code = make_session(app, client)
    phones = [app.test_client() for _ in range(3)]
    pages = [get(p, f"/j/{code}", "gzip, br") for p in phones]
    assert {p.headers["Content-Encoding"] for p in pages} == {"br"}
    assert len({p.get_data() for p in pages}) == 1  # one body for every phone of the session
    plain = get(phones[0], f"/j/{code}", "identity").get_data()
    assert brotli.decompress(pages[0].get_data()) == plain and b'data-code="' in plain
    worker = get(phones[0], "/j/sw.js", "identity")
    assert worker.headers["Cache-Control"] == "no-cache" and b"\n  " not in worker.get_data()
