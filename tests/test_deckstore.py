"""Deck storage for the editor: atomic saves, history, trash, conflicts and safe names."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from game.storage import deckfiles as deckstore
from game.storage.deckfiles import (
    Conflict,
    DeckStore,
    Exists,
    NotFound,
    StoreError,
    TooLarge,
    check_new_slug,
    revision_of,
    slug_from,
    unified_diff,
)
from game.storage.library import deck_files, scan_decks

ONE = "title: One\nlanguage: en\ncards:\n  - id: a\n    title: A\n    text: First.\n"
TWO = ONE.replace("First.", "Second.")
THREE = ONE.replace("First.", "Third.")


class Clock:
    """A clock that moves one second per reading, so versions get distinct, known times."""

    def __init__(self):
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self):
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def store(tmp_path):
    return DeckStore(tmp_path, clock=Clock())


def test_create_and_read(store, tmp_path):
    revision = store.create("one.en", ONE)
    assert (tmp_path / "one.en.yaml").read_text(encoding="utf-8") == ONE
    assert store.read("one.en") == (ONE, revision)
    assert revision == revision_of(ONE.encode())
    with pytest.raises(Exists):
        store.create("one.en", TWO)
    assert store.read("one.en")[0] == ONE


@pytest.mark.parametrize(
    "slug", ["../evil", "a/b", ".hidden", "UPPER", "", "a..b", "-dash", "x" * 82, "a b", None]
)
def test_new_names_are_plain(slug):
    with pytest.raises(StoreError):
        check_new_slug(slug)


def test_existing_hand_made_files_open(store, tmp_path):
    (tmp_path / "Old_Deck.yml").write_text(ONE, encoding="utf-8")
    text, revision = store.read("Old_Deck")
    assert text == ONE
    store.save("Old_Deck", TWO, revision)
    assert (tmp_path / "Old_Deck.yml").read_text(encoding="utf-8") == TWO  # the suffix is kept
    with pytest.raises(NotFound):
        store.read("../etc/passwd")


def test_slug_from():
    assert slug_from("Sociale media: dilemma's.NL.yaml") == "sociale-media-dilemma-s.nl"
    assert slug_from("  ") == "deck"
    assert slug_from("a...b") == "a.b"


def test_save_keeps_the_previous_version(store):
    first = store.create("d", ONE)
    second = store.save("d", TWO, first)
    third = store.save("d", THREE, second)
    assert store.read("d") == (THREE, third)
    versions = store.history("d")
    assert [store.version_text("d", v.id) for v in versions] == [TWO, ONE]  # newest first
    assert versions[0].replaced > versions[1].replaced
    assert store.save("d", THREE, third) == third  # the same text again: nothing new to keep
    assert len(store.history("d")) == 2


def test_a_stale_base_revision_is_a_conflict(store):
    first = store.create("d", ONE)
    store.save("d", TWO, first)  # someone else saves
    with pytest.raises(Conflict) as caught:
        store.save("d", THREE, first)
    assert caught.value.details["current_revision"] == revision_of(TWO)
    assert caught.value.details["current_text"] == TWO
    assert caught.value.status == 409
    assert store.read("d")[0] == TWO


def test_history_is_capped(tmp_path):
    store = DeckStore(tmp_path, clock=Clock(), keep_versions=3)
    revision = store.create("d", ONE)
    for n in range(6):
        revision = store.save("d", f"{ONE}# {n}\n", revision)
    assert len(store.history("d")) == 3


def test_unknown_versions(store):
    store.create("d", ONE)
    for version in ("../../d", "20250301T090000000000Z", "x"):
        with pytest.raises(NotFound):
            store.version_text("d", version)


def test_rename_takes_the_history_along(store, tmp_path):
    revision = store.create("old", ONE)
    store.save("old", TWO, revision)
    store.create("taken", ONE)
    with pytest.raises(Exists):
        store.rename("old", "taken")
    assert store.rename("old", "new") == "new"
    assert not (tmp_path / "old.yaml").exists()
    assert store.read("new")[0] == TWO
    assert [store.version_text("new", v.id) for v in store.history("new")] == [ONE]
    with pytest.raises(StoreError):
        store.rename("new", "../escape")


def test_duplicate(store):
    store.create("d", ONE)
    store.duplicate("d", "d-copy")
    assert store.read("d-copy")[0] == ONE
    assert store.history("d-copy") == []


def test_delete_and_restore_from_trash(store, tmp_path):
    revision = store.create("d", ONE)
    store.save("d", TWO, revision)
    entry = store.delete("d")
    assert [e.slug for e in scan_decks(tmp_path)] == []
    assert [e.id for e in store.trash()] == [entry.id]
    with pytest.raises(NotFound):
        store.read("d")

    assert store.restore_from_trash(entry.id) == "d"
    assert store.read("d")[0] == TWO
    assert len(store.history("d")) == 1
    assert store.trash() == []


def test_restore_from_trash_needs_a_free_name(store):
    store.create("d", ONE)
    entry = store.delete("d")
    store.create("d", TWO)
    with pytest.raises(Exists):
        store.restore_from_trash(entry.id)
    assert store.restore_from_trash(entry.id, "d-old") == "d-old"
    assert store.read("d-old")[0] == ONE
    with pytest.raises(NotFound):
        store.restore_from_trash("../../etc~20250101T000000000000Z")


def test_size_limit(store):
    with pytest.raises(TooLarge):
        store.create("big", "#" * (deckstore.MAX_UPLOAD_BYTES + 1))


def crash_on(target):
    """An os.replace that dies when it would put a file at `target` (and works otherwise)."""
    real = os.replace

    def replace(source, destination):
        if os.fspath(destination) == os.fspath(target):
            raise OSError("power cut")
        return real(source, destination)

    return replace


def test_a_crash_before_the_rename_leaves_the_old_deck(store, tmp_path, monkeypatch):
    """os.replace failing is what a crash between writing and renaming looks like from here."""
    revision = store.create("d", ONE)
    monkeypatch.setattr(os, "replace", crash_on(tmp_path / "d.yaml"))
    with pytest.raises(OSError):
        store.save("d", TWO, revision)
    monkeypatch.undo()
    assert store.read("d") == (ONE, revision)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert [e.slug for e in scan_decks(tmp_path)] == ["d"]
    assert scan_decks(tmp_path)[0].deck.cards[0].text == "First."


def test_a_stray_temporary_file_is_never_a_deck(store, tmp_path, monkeypatch, runner_for):
    """Even when the clean-up never ran (SIGKILL), the half-written file is not listed."""
    revision = store.create("d", ONE)
    monkeypatch.setattr(os, "replace", crash_on(tmp_path / "d.yaml"))
    monkeypatch.setattr(os, "unlink", lambda *a: None)  # the process died: nothing cleans up
    with pytest.raises(OSError):
        store.save("d", "title: half", revision)
    monkeypatch.undo()
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".")
    assert [p.name for p in deck_files(tmp_path)] == ["d.yaml"]
    assert [e.slug for e in scan_decks(tmp_path)] == ["d"]
    result = runner_for(tmp_path).invoke(args=["decks", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.count("OK ") == 1


def test_hidden_folders_are_not_decks(store, tmp_path, runner_for):
    revision = store.create("d", ONE)
    store.save("d", "title: broken\n", revision)  # the history now holds ONE
    entry = store.delete("d")
    assert (tmp_path / ".history").is_dir() or (tmp_path / ".trash" / entry.id).is_dir()
    store.restore_from_trash(entry.id)
    store.create("e", ONE)
    assert sorted(e.slug for e in scan_decks(tmp_path)) == ["d", "e"]
    result = runner_for(tmp_path).invoke(args=["decks", "validate"])
    assert ".history" not in result.output and ".trash" not in result.output


def test_unified_diff():
    diff = unified_diff(ONE, TWO, "before", "after")
    assert diff.startswith("--- before\n+++ after\n")
    assert "-    text: First.\n+    text: Second.\n" in diff
    assert unified_diff(ONE, ONE, "a", "b") == ""
    assert unified_diff("a", "b", "x", "y").endswith("-a\n+b\n")  # no final newline needed


@pytest.fixture
def runner_for(tmp_path):
    """A CLI runner for an app whose DECKS_DIR is the given folder."""
    from tests.conftest import make_app

    def make(decks):
        app = make_app(tmp_path / "app", DECKS_DIR=str(decks))
        return app.test_cli_runner()

    return make
