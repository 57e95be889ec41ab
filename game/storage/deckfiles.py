"""Deck files on disk for the editor: atomic saves, a history per deck, a trash, and conflicts.

No Flask here: `DeckStore` works on one folder and is tested without a server. It stores text and
never judges it; the editor validates with `game.decks.deck` before it calls `save`.

Layout inside the decks folder (hidden names, so `scan_decks` and the CLI never see them)::

    <slug>.yaml                              the deck people play
    .history/<slug>/<version>.yaml           earlier versions, one per save, newest last
    .trash/<slug>~<stamp>/<slug>.yaml        a deleted deck ...
    .trash/<slug>~<stamp>/history/           ... with its history, so a restore brings both back
    .<name>.<random>.tmp                     a save in progress (left behind only by a crash)
    .lock                                    serialises saves between processes

A *revision* is the SHA-256 of a file's bytes. The editor sends the revision it loaded with every
save; if the file changed since, `save` raises `Conflict` instead of overwriting someone's work.
"""

import contextlib
import difflib
import hashlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import N_
from .library import deck_path

MAX_UPLOAD_BYTES = 1_000_000  # the same limit as `game.decks.deck.MAX_DECK_BYTES`
KEEP_VERSIONS = 100
HISTORY, TRASH, LOCK = ".history", ".trash", ".lock"
# A save holds the lock for milliseconds; waiting longer means another process is stuck.
LOCK_TIMEOUT_SECONDS = 30

# Names for *new* files are stricter than what `decklib` accepts for existing hand-made files.
NEW_SLUG = re.compile(r"^[a-z0-9][a-z0-9.-]{0,80}$")
STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
VERSION_ID = re.compile(r"^\d{8}T\d{12}Z$")
TRASH_ID = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]{0,99})~(\d{8}T\d{12}Z)$")


class StoreError(Exception):
    """Something the organiser asked for cannot be done; `status` is the HTTP status to answer."""

    status = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(StoreError):
    """No such deck, version or trash entry."""

    status = 404


class Exists(StoreError):
    """The chosen name is taken by another deck."""

    status = 409


class Conflict(StoreError):
    """The deck changed on disk since the editor loaded it (`current_revision` is the new one)."""

    status = 409


class TooLarge(StoreError):
    """An upload over `MAX_UPLOAD_BYTES`."""

    status = 413


class Busy(StoreError):
    """The lock between processes was not free within `LOCK_TIMEOUT_SECONDS`."""

    status = 503


@dataclass(frozen=True)
class Version:
    """An earlier version of a deck: `saved` is when it was written, `replaced` when it was not."""

    id: str
    saved: datetime
    replaced: datetime
    size: int


@dataclass(frozen=True)
class TrashEntry:
    """A deleted deck waiting in the trash."""

    id: str
    slug: str
    deleted: datetime
    path: Path


def revision_of(data: bytes | str) -> str:
    """The revision of file content (`bytes` or `str`): its SHA-256 in hex."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def check_new_slug(slug: object) -> str:
    """Return `slug` if it can name a new deck file, else raise `StoreError`."""
    if not isinstance(slug, str) or not NEW_SLUG.match(slug) or ".." in slug:
        raise StoreError(
            N_(
                "A file name may hold lowercase letters, digits, dashes and dots, and start with "
                "a letter or digit."
            ),
            slug=slug,
        )
    return slug


def slug_from(text: object) -> str:
    """A new-deck name made from a title or an uploaded file name (may still be taken)."""
    text = re.sub(r"\.(ya?ml)$", "", str(text).strip().lower())
    slug = re.sub(r"[^a-z0-9.]+", "-", text).strip("-.")
    slug = re.sub(r"\.{2,}", ".", slug)[:60].rstrip("-.")
    return slug or "deck"


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace `path` with `data` (bytes) so that a crash leaves the old file or the new one.

    The temporary file sits in the same folder (os.replace is only atomic within one file
    system), is hidden and ends in ``.tmp`` so no deck listing mistakes it for a deck, and is
    flushed and fsynced before the rename. The folder is fsynced after, so the rename survives a
    power cut too.
    """
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Make a rename in `directory` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on folders; the rename itself is still atomic
    finally:
        os.close(fd)


def unified_diff(old_text: str, new_text: str, old_name: str, new_name: str) -> str:
    """A readable unified diff of two texts (empty when they are equal)."""
    old_lines = [line.rstrip("\n") + "\n" for line in old_text.splitlines()]
    new_lines = [line.rstrip("\n") + "\n" for line in new_text.splitlines()]
    return "".join(difflib.unified_diff(old_lines, new_lines, old_name, new_name, n=3))


class DeckStore:
    """The deck folder as the editor sees it. One per app; safe to share between threads."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        clock: Callable[[], datetime] | None = None,
        keep_versions: int = KEEP_VERSIONS,
    ) -> None:
        self.root = Path(root)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.keep_versions = keep_versions
        self._thread_lock = threading.RLock()

    # -- reading -------------------------------------------------------------------------------

    def path(self, slug: str) -> Path:
        """The file of the existing deck `slug`; raises `NotFound`."""
        found = deck_path(self.root, slug)
        if found is None:
            raise NotFound(N_("There is no deck with this name."), slug=slug)
        return found

    def read(self, slug: str) -> tuple[str, str]:
        """The deck's text and revision; raises `NotFound` or `TooLarge`."""
        raw = self._read_bytes(self.path(slug))
        return raw.decode("utf-8-sig", errors="replace"), revision_of(raw)

    def _read_bytes(self, path: Path) -> bytes:
        """The bytes of `path`, refusing files over the size limit before reading them."""
        try:
            if path.stat().st_size > MAX_UPLOAD_BYTES:
                raise TooLarge(N_("This file is larger than 1 MB."))
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(N_("There is no deck with this name.")) from None

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise changes: threads (or green threads) first, then processes through a lock
        file (`filelock`: flock on POSIX, msvcrt on Windows, so the app also starts there)."""
        with self._thread_lock:
            self.root.mkdir(parents=True, exist_ok=True)
            lock = FileLock(self.root / LOCK, timeout=LOCK_TIMEOUT_SECONDS, thread_local=False)
            try:
                lock.acquire()
            except Timeout:
                raise Busy(N_("Another save of the decks is still running; try again.")) from None
            try:
                yield
            finally:
                lock.release()

    def create(self, slug: str, text: str) -> str:
        """Write a new deck `slug`; raises `Exists` when the name is taken. Returns the revision."""
        check_new_slug(slug)
        data = _encoded(text)
        with self._locked():
            self._refuse_taken(slug)
            atomic_write(self.root / f"{slug}.yaml", data)
        return revision_of(data)

    def save(self, slug: str, text: str, base_revision: str | None) -> str:
        """Replace the deck's text if nobody changed it since `base_revision`; return the new one.

        The text being replaced goes to the history first. Saving the same text again is a no-op.
        """
        data = _encoded(text)
        with self._locked():
            path = self.path(slug)
            current = self._read_bytes(path)
            current_revision = revision_of(current)
            if base_revision != current_revision:
                raise Conflict(
                    N_("Someone else saved this deck after you opened it."),
                    current_revision=current_revision,
                    current_text=current.decode("utf-8-sig", errors="replace"),
                )
            if current != data:
                self._keep_version(slug, path, current)
                atomic_write(path, data)
        return revision_of(data)

    def _refuse_taken(self, slug: str) -> None:
        """Raise `Exists` when any deck file (of any suffix) already uses `slug`."""
        if deck_path(self.root, slug) is not None:
            raise Exists(N_("A deck with this name exists already."), slug=slug)

    def _keep_version(self, slug: str, path: Path, content: bytes) -> None:
        """Copy `content` (the text about to be replaced) into the deck's history."""
        folder = self.root / HISTORY / slug
        folder.mkdir(parents=True, exist_ok=True)
        stamp = self.clock()
        while (folder / f"{stamp.strftime(STAMP_FORMAT)}.yaml").exists():
            stamp += timedelta(microseconds=1)  # two saves within one clock tick
        target = folder / f"{stamp.strftime(STAMP_FORMAT)}.yaml"
        atomic_write(target, content)
        # The version keeps its original time, which is what people recognise it by.
        with contextlib.suppress(OSError):
            saved = path.stat().st_mtime
            os.utime(target, (saved, saved))
        for old in sorted(folder.glob("*.yaml"))[: -self.keep_versions]:
            old.unlink()

    # -- history -------------------------------------------------------------------------------

    def history(self, slug: str) -> list[Version]:
        """Earlier versions of `slug`, newest first."""
        self.path(slug)
        folder = self.root / HISTORY / slug
        versions: list[Version] = []
        for file in sorted(folder.glob("*.yaml"), reverse=True):
            if VERSION_ID.match(file.stem):
                stat = file.stat()
                versions.append(
                    Version(
                        file.stem,
                        datetime.fromtimestamp(stat.st_mtime, UTC),
                        _stamp_time(file.stem),
                        stat.st_size,
                    )
                )
        return versions

    def version_text(self, slug: str, version_id: object) -> str:
        """The text of one earlier version; raises `NotFound`."""
        self.path(slug)
        if not isinstance(version_id, str) or not VERSION_ID.match(version_id):
            raise NotFound(N_("There is no such version."))
        file = self.root / HISTORY / slug / f"{version_id}.yaml"
        return self._read_bytes(file).decode("utf-8-sig", errors="replace")

    # -- names ---------------------------------------------------------------------------------

    def duplicate(self, slug: str, new_slug: str) -> str:
        """Copy deck `slug` to the new name `new_slug` (without history); returns its revision."""
        text, _ = self.read(slug)
        return self.create(new_slug, text)

    def rename(self, slug: str, new_slug: str) -> str:
        """Give deck `slug` the name `new_slug`, history included. Running sessions are not affected."""
        check_new_slug(new_slug)
        with self._locked():
            path = self.path(slug)
            self._refuse_taken(new_slug)
            target = self.root / f"{new_slug}.yaml"
            # A hard link never replaces an existing file, unlike rename; then drop the old name.
            os.link(path, target)
            path.unlink()
            _fsync_dir(self.root)
            self._move_history(self.root / HISTORY / slug, self.root / HISTORY / new_slug)
        return new_slug

    @staticmethod
    def _move_history(source: Path, target: Path) -> None:
        """Move the version files of one history folder into another (merging if it exists)."""
        if not source.is_dir():
            return
        target.mkdir(parents=True, exist_ok=True)
        for file in source.iterdir():
            os.replace(file, target / file.name)
        source.rmdir()

    # -- trash ---------------------------------------------------------------------------------

    def delete(self, slug: str) -> TrashEntry:
        """Move deck `slug` and its history to the trash; returns the `TrashEntry`."""
        with self._locked():
            path = self.path(slug)
            stamp = self.clock()
            while (self.root / TRASH / f"{path.stem}~{stamp.strftime(STAMP_FORMAT)}").exists():
                stamp += timedelta(microseconds=1)
            entry_id = f"{path.stem}~{stamp.strftime(STAMP_FORMAT)}"
            folder = self.root / TRASH / entry_id
            folder.mkdir(parents=True)
            os.replace(path, folder / path.name)
            self._move_history(self.root / HISTORY / path.stem, folder / "history")
            _fsync_dir(self.root)
        return TrashEntry(entry_id, path.stem, stamp, folder / path.name)

    def trash(self) -> list[TrashEntry]:
        """The deleted decks, most recently deleted first."""
        entries: list[TrashEntry] = []
        folder = self.root / TRASH
        if not folder.is_dir():
            return entries
        for item in folder.iterdir():
            match = TRASH_ID.match(item.name)
            files = sorted(item.glob("*.y*ml")) if match and item.is_dir() else []
            if match and files:
                slug, stamp = match.groups()
                entries.append(TrashEntry(item.name, slug, _stamp_time(stamp), files[0]))
        return sorted(entries, key=lambda e: e.deleted, reverse=True)

    def trash_entry(self, entry_id: object) -> TrashEntry:
        """One entry of the trash; raises `NotFound`."""
        for entry in self.trash():
            if entry.id == entry_id:
                return entry
        raise NotFound(N_("This deck is no longer in the trash."))

    def restore_from_trash(self, entry_id: object, slug: str | None = None) -> str:
        """Bring a deleted deck back, under its old name or `slug`; returns the name used."""
        entry = self.trash_entry(entry_id)
        slug = entry.slug if slug is None else check_new_slug(slug)
        with self._locked():
            self._refuse_taken(slug)
            target = self.root / f"{slug}{entry.path.suffix}"
            os.link(entry.path, target)
            entry.path.unlink()
            self._move_history(entry.path.parent / "history", self.root / HISTORY / slug)
            shutil.rmtree(entry.path.parent)
            _fsync_dir(self.root)
        return slug


def _encoded(text: str) -> bytes:
    """Deck text as UTF-8 bytes, refusing anything over the size limit."""
    data = text.encode("utf-8")
    if len(data) > MAX_UPLOAD_BYTES:
        raise TooLarge(N_("A deck may be at most 1 MB."))
    return data


def _stamp_time(stamp: str) -> datetime:
    """The time a version or trash stamp names."""
    return datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=UTC)
