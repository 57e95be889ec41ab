"""The deck editor's HTTP API: who may use it, saving safely, history, trash and uploads."""

import pytest

from game.storage.deckfiles import revision_of
from tests.conftest import csrf_of, sign_in
from tests.work import counted

SLUG = "social-media-dilemmas.en"

SMALL = """\
# A comment the organiser wrote.
title: Small deck   # on the home page
language: en
cards:
  # The only card.
  - id: one
    title: One
    text: The first dilemma.
"""


@pytest.fixture
def host(client):
    """The test client, signed in; requests carry the CSRF header."""
    token = sign_in(client)
    client.environ_base["HTTP_X_CSRF_TOKEN"] = token
    return client


@pytest.fixture
def decks(app):
    from pathlib import Path

    return Path(app.config["DECKS_DIR"])


def small(host, slug="small"):
    """Upload the small deck and return its revision."""
    answer = upload(host, SMALL.encode(), f"{slug}.yaml")
    assert answer.status_code == 201, answer.json
    return answer.json["revision"]


def save(host, slug, text, base_revision):
    """Save `text` as the YAML view does; returns the response."""
    return host.put(f"/api/decks/{slug}", json={"text": text, "base_revision": base_revision})


def upload(client, raw, name="deck.yaml", **form):
    """Post `raw` as the uploaded file `name`, as a browser's form would.

    The body is built here, in memory: Werkzeug's test client spools large bodies to a temporary
    file it never closes, which pytest (warnings as errors) would report as our bug.
    """
    boundary = "----TafelrondeTestBoundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in form.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/yaml\r\n\r\n".encode()
        + raw
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/api/upload",
        data=b"".join(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


# -- access ---------------------------------------------------------------------------------------

API = [
    ("get", "/api/decks"),
    ("post", "/api/decks"),
    ("post", "/api/check"),
    ("get", f"/api/decks/{SLUG}"),
    ("put", f"/api/decks/{SLUG}"),
    ("delete", f"/api/decks/{SLUG}"),
    ("get", f"/api/decks/{SLUG}/download"),
    ("get", f"/api/decks/{SLUG}/history"),
    ("post", f"/api/decks/{SLUG}/rename"),
    ("post", f"/api/decks/{SLUG}/duplicate"),
    ("get", "/api/trash"),
    ("post", "/api/upload"),
]


@pytest.mark.parametrize(("method", "url"), API)
def test_only_hosts_use_the_api(client, decks, method, url):
    token = csrf_of(client)
    before = sorted(p.name for p in decks.iterdir())
    answer = getattr(client, method)(url, json={}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 403
    assert answer.json["ok"] is False and answer.json["problems"] == []
    assert sorted(p.name for p in decks.iterdir()) == before


def test_pages_send_others_to_sign_in(client):
    for url in ("/decks", f"/decks/{SLUG}/edit"):
        answer = client.get(url)
        assert answer.status_code == 302
        assert "/host" in answer.headers["Location"]


def test_changes_need_the_csrf_token(client):
    sign_in(client)
    answer = client.post("/api/decks", json={"title": "X"})
    assert answer.status_code == 400


def test_pages_for_hosts(host):
    library = host.get("/decks")
    assert library.status_code == 200
    assert b"social-media-dilemmas.en.yaml" in library.data
    editor = host.get(f"/decks/{SLUG}/edit")
    assert editor.status_code == 200
    assert b'id="deck-start"' in editor.data
    missing = host.get("/decks/no-such-deck/edit")
    assert missing.status_code == 404 and b"There is no deck with this name." in missing.data


# -- creating and editing -------------------------------------------------------------------------


def test_create_from_the_template(host, decks, runner):
    answer = host.post("/api/decks", json={"title": "Our new deck", "language": "nl"})
    assert answer.status_code == 201
    slug = answer.json["slug"]
    assert slug == "our-new-deck.nl"
    assert answer.json["urls"]["edit"] == f"/decks/{slug}/edit"
    text = (decks / f"{slug}.yaml").read_text(encoding="utf-8")
    assert "title: Our new deck\nlanguage: nl\n" in text and "Het eerste dilemma" in text
    result = runner.invoke(args=["decks", "validate", str(decks / f"{slug}.yaml")])
    assert result.exit_code == 0, result.output
    again = host.post("/api/decks", json={"title": "Our new deck", "language": "nl"})
    assert again.json["slug"] == "our-new-deck.nl-2"  # never overwrites


def test_create_refuses_what_cannot_be_a_deck(host):
    answer = host.post("/api/decks", json={"title": "x" * 200, "language": "en"})
    assert answer.status_code == 422
    assert "too long" in answer.json["problems"][0]["message"]
    taken = host.post("/api/decks", json={"title": "T", "slug": SLUG})
    assert taken.status_code == 409


def test_read(host):
    answer = host.get(f"/api/decks/{SLUG}")
    assert answer.json["ok"] and answer.json["valid"]
    assert answer.json["data"]["cards"][0]["id"] == "copy-the-auction"
    assert answer.json["revision"] == revision_of(answer.json["text"])


def test_edit_the_yaml_text(host, decks, runner):
    revision = small(host)
    text = SMALL.replace("The first dilemma.", "A changed dilemma.")
    answer = host.put("/api/decks/small", json={"text": text, "base_revision": revision})
    assert answer.status_code == 200, answer.json
    assert answer.json["revision"] == revision_of(text)
    assert (decks / "small.yaml").read_text(encoding="utf-8") == text
    assert runner.invoke(args=["decks", "validate", str(decks / "small.yaml")]).exit_code == 0


def test_a_form_edit_keeps_the_organisers_comments(host, decks):
    revision = small(host)
    data = host.get("/api/decks/small").json["data"]
    data["cards"][0]["title"] = "Renamed in the form"
    data["cards"].append({"id": "two", "title": "Two", "text": "Second."})
    body = {"text": SMALL, "data": data, "origins": ["one", None], "base_revision": revision}
    answer = host.put("/api/decks/small", json=body)
    assert answer.status_code == 200, answer.json
    saved = (decks / "small.yaml").read_text(encoding="utf-8")
    assert saved == answer.json["text"]
    for comment in ("# A comment the organiser wrote.", "# on the home page", "# The only card."):
        assert comment in saved
    assert "title: Renamed in the form" in saved and "- id: two" in saved


def test_an_invalid_save_is_refused_with_positions(host, decks):
    revision = small(host)
    text = SMALL.replace("    title: One\n", "    titel: One\n")
    answer = host.put("/api/decks/small", json={"text": text, "base_revision": revision})
    assert answer.status_code == 422
    assert answer.json["ok"] is False and answer.json["error"]
    problems = answer.json["problems"]
    assert {"path", "message", "line", "column"} <= set(problems[0])
    typo = next(p for p in problems if "titel" in p["message"])
    assert (typo["line"], typo["column"]) == (7, 5)
    assert typo["path"] == ["cards", 0, "titel"]
    assert (decks / "small.yaml").read_text(encoding="utf-8") == SMALL


def test_a_conflict_is_detected(host, decks):
    revision = small(host)
    first = SMALL.replace("One", "Saved first")
    assert save(host, "small", first, revision).status_code == 200
    second = SMALL.replace("One", "Saved second")
    answer = host.put("/api/decks/small", json={"text": second, "base_revision": revision})
    assert answer.status_code == 409
    assert answer.json["current_revision"] == revision_of(first)
    assert "-    title: Saved first\n+    title: Saved second\n" in answer.json["diff"]
    assert (decks / "small.yaml").read_text(encoding="utf-8") == first
    forced = {"text": second, "base_revision": answer.json["current_revision"]}
    assert host.put("/api/decks/small", json=forced).status_code == 200


def test_check_without_saving(host, decks):
    answer = host.post("/api/check", json={"text": "title: [oops\n"})
    assert answer.status_code == 200
    assert answer.json["valid"] is False and answer.json["data"] is None
    assert answer.json["problems"][0]["line"] == 2
    data = {"title": "T", "language": "en", "cards": [{"id": "a", "title": "A", "text": "X"}]}
    answer = host.post("/api/check", json={"text": SMALL, "data": data})
    assert answer.json["valid"] is True
    assert answer.json["text"].startswith("# A comment the organiser wrote.\ntitle: T")
    bad = host.post("/api/check", json={"text": SMALL, "data": ["no"]})
    assert bad.status_code == 400 and bad.json["ok"] is False


def test_history_diff_and_restore(host, decks):
    revision = small(host)
    changed = SMALL.replace("The first dilemma.", "Changed.")
    revision = host.put("/api/decks/small", json={"text": changed, "base_revision": revision})
    versions = host.get("/api/decks/small/history").json["versions"]
    assert len(versions) == 1 and {"id", "saved", "replaced"} <= set(versions[0])
    version = host.get(f"/api/decks/small/history/{versions[0]['id']}").json
    assert version["text"] == SMALL
    assert "-    text: The first dilemma.\n+    text: Changed.\n" in version["diff"]
    assert version["changes"]["changed"] == [{"title": "One", "fields": ["text"]}]

    restore = f"/api/decks/small/history/{versions[0]['id']}/restore"
    stale = host.post(restore, json={"base_revision": "not-the-current-one"})
    assert stale.status_code == 409
    answer = host.post(restore, json={"base_revision": revision.json["revision"]})
    assert answer.status_code == 200
    assert (decks / "small.yaml").read_text(encoding="utf-8") == SMALL
    texts = [
        host.get(f"/api/decks/small/history/{v['id']}").json["text"]
        for v in host.get("/api/decks/small/history").json["versions"]
    ]
    assert texts == [changed, SMALL]  # the restore kept the version it replaced
    assert host.get("/api/decks/small/history/../../x").status_code == 404


def test_an_invalid_version_is_not_restored(host, decks):
    (decks / "hand.yaml").write_text("title: broken\n", encoding="utf-8")
    revision = host.get("/api/decks/hand").json["revision"]
    assert save(host, "hand", SMALL, revision).status_code == 200
    version = host.get("/api/decks/hand/history").json["versions"][0]["id"]
    answer = host.post(
        f"/api/decks/hand/history/{version}/restore", json={"base_revision": revision_of(SMALL)}
    )
    assert answer.status_code == 422 and answer.json["problems"]


# -- the library ----------------------------------------------------------------------------------


def test_list(host):
    decks = host.get("/api/decks").json["decks"]
    entry = next(d for d in decks if d["slug"] == SLUG)
    assert entry["valid"] and entry["language"] == "en" and entry["cards"] == 28
    assert entry["modified"].endswith("Z")


def test_duplicate_rename_delete_and_restore(host, decks):
    small(host)
    copy = host.post("/api/decks/small/duplicate", json={})
    assert copy.status_code == 201 and copy.json["slug"] == "small-copy"
    assert "title: Small deck (copy) # on the home page" in (decks / "small-copy.yaml").read_text()

    assert host.post("/api/decks/small-copy/rename", json={"slug": "small"}).status_code == 409
    assert host.post("/api/decks/small-copy/rename", json={"slug": "../x"}).status_code == 400
    renamed = host.post("/api/decks/small-copy/rename", json={"slug": "renamed"})
    assert renamed.json["slug"] == "renamed" and (decks / "renamed.yaml").exists()

    gone = host.delete("/api/decks/renamed")
    assert gone.status_code == 200
    assert not (decks / "renamed.yaml").exists()
    assert "renamed" not in [d["slug"] for d in host.get("/api/decks").json["decks"]]
    trash = host.get("/api/trash").json["trash"]
    assert [t["slug"] for t in trash] == ["renamed"]
    back = host.post(f"/api/trash/{trash[0]['id']}/restore", json={})
    assert back.json["slug"] == "renamed" and (decks / "renamed.yaml").exists()
    assert host.get("/api/trash").json["trash"] == []


def test_restore_from_trash_under_a_taken_name(host, decks):
    small(host)
    entry = host.delete("/api/decks/small").json["trash"]["id"]
    small(host)
    assert host.post(f"/api/trash/{entry}/restore", json={}).status_code == 409
    answer = host.post(f"/api/trash/{entry}/restore", json={"slug": "small-old"})
    assert answer.json["slug"] == "small-old"


def test_download(host):
    answer = host.get(f"/api/decks/{SLUG}/download")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == f'attachment; filename="{SLUG}.yaml"'
    assert answer.data.startswith(b"# yaml-language-server")


# -- uploads --------------------------------------------------------------------------------------


def test_upload(host, decks):
    answer = upload(host, SMALL.encode(), "Our Deck.NL.yml")
    assert answer.status_code == 201
    assert answer.json["slug"] == "our-deck.nl"
    assert (decks / "our-deck.nl.yaml").read_text(encoding="utf-8") == SMALL
    taken = upload(host, SMALL.encode(), "Our Deck.NL.yml")
    assert taken.status_code == 409 and taken.json["suggestion"] == "our-deck.nl-2"
    assert upload(host, SMALL.encode(), "x.yaml", slug="our-deck.nl-2").status_code == 201


BOMB = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}" + f",*{chr(97 + i)}" * 8 + "]\n"
    for i in range(8)
)
HOSTILE = {
    "alias bomb": BOMB.encode(),
    "python tag": b"title: !!python/object/apply:os.system ['echo pwned']\nlanguage: en\n",
    "deep": b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "not text": b"title: \xff\xfe\n",
}


# Refused with work that does not grow with what the file asks for, counted in function calls
# (tests/work.py), not timed: about 3,500 calls for most, 65,000 for deep nesting (PyYAML's scanner
# looks up to 1,024 characters ahead for a possible key), where expanding the alias bomb would
# build 9**9 strings and parsing a file of a megabyte takes some 6.5 million calls.
REFUSAL_BUDGET = 200_000


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_uploads_are_refused_with_bounded_work(host, decks, name):
    before = sorted(p.name for p in decks.iterdir())
    answer, _ = counted(upload, host, HOSTILE[name], "evil.yaml", budget=REFUSAL_BUDGET)
    assert answer.status_code == 422
    assert answer.json["ok"] is False and answer.json["problems"]
    assert sorted(p.name for p in decks.iterdir()) == before


def test_deep_nesting_costs_the_same_however_long_the_line(host):
    def cost(depth):
        raw = b"a: " + b"[" * depth + b"]" * depth + b"\n"
        answer, calls = counted(upload, host, raw, "deep.yaml", budget=REFUSAL_BUDGET)
        assert answer.status_code == 422 and "nests deeper" in answer.json["problems"][0]["message"]
        return calls

    cost(5_000)  # the first request of an app does some one-off work; leave it out
    assert cost(100_000) < cost(5_000) * 1.1


def test_a_large_upload_is_refused_unread(host, decks):
    raw = b"title: x\n" + b"# padding\n" * 100_001  # just over 1 MB
    # Refused on its size: some 3,000 calls, where reading it would take millions.
    answer, _ = counted(upload, host, raw, "big.yaml", budget=50_000)
    assert answer.status_code == 413 and answer.json["ok"] is False
    assert not (decks / "big.yaml").exists()
    huge = upload(host, b"#" * (3 * 1024 * 1024), "huge.yaml")  # over MAX_CONTENT_LENGTH
    assert huge.status_code == 413


def test_the_tag_is_named_in_the_problem(host):
    answer = upload(host, HOSTILE["python tag"], "evil.yaml")
    problem = answer.json["problems"][0]
    assert "!!python/object/apply:os.system" in problem["message"]
    assert (problem["line"], problem["column"]) == (1, 8)


# -- same rules as files --------------------------------------------------------------------------


def test_a_hand_written_file_opens_in_the_editor(host, decks):
    (decks / "Hand_Made.yml").write_text(SMALL.replace("One", "Hand"), encoding="utf-8")
    assert host.get("/decks/Hand_Made/edit").status_code == 200
    answer = host.get("/api/decks/Hand_Made")
    assert answer.json["valid"] and answer.json["data"]["cards"][0]["title"] == "Hand"


def test_sessions_keep_their_snapshot(app, host, decks):
    """Running sessions hold `Deck.to_data()`; a save changes the file, not that data."""
    from game.decks.deck import load_deck, parse_deck

    revision = small(host)
    snapshot = load_deck(decks / "small.yaml").to_data()
    changed = SMALL.replace("The first dilemma.", "Changed.")
    assert save(host, "small", changed, revision).status_code == 200
    assert parse_deck(snapshot).cards[0].text == "The first dilemma."


def test_a_version_says_in_words_what_changed_since():
    from game.decks.versions import changes

    old = SMALL
    new = SMALL.replace("    title: One\n", "    title: One, changed\n").replace(
        "The first dilemma.", "A changed dilemma."
    )
    said = changes(old, new)
    assert said["deck"] == [] and said["added"] == [] and said["removed"] == []
    assert said["changed"] == [{"title": "One, changed", "fields": ["title", "text"]}]
    assert not said["reordered"]
    assert changes(old, "cards: [unclosed") is None  # a version that cannot be read
