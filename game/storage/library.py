"""The deck folder as the home page and the editor list it: every deck file, good or not.

Pure apart from reading files; no Flask. Each file is read and validated by `game.decks.deck`, so a deck
shown as valid here is exactly one a session can be started from.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..decks.deck import Deck, DeckError, DeckProblem, load_deck

DECK_SUFFIXES = (".yaml", ".yml")

# What a deck's slug (its file name without the suffix) may look like: no slashes, no leading dot,
# so a slug taken from a URL can never leave the deck folder.
SLUG_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class DeckEntry:
    """One deck file: its slug, path and modification time, and the deck or its error lines.

    `problems` are the `DeckProblem`s behind `errors` (English lines), for shells that translate.
    """

    slug: str
    path: Path
    deck: Deck | None
    errors: tuple[str, ...]
    modified: float
    problems: tuple[DeckProblem, ...] = ()


def deck_files(directory: str | os.PathLike[str]) -> list[Path]:
    """The deck files (``*.yaml``, ``*.yml``) in `directory`, sorted by name, hidden ones left out."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix in DECK_SUFFIXES and not path.name.startswith(".") and path.is_file()
    )


def scan_decks(directory: str | os.PathLike[str]) -> list[DeckEntry]:
    """Read every deck file in `directory` into a `DeckEntry`, sorted by file name."""
    return [read_entry(path) for path in deck_files(directory)]


def read_entry(path: str | os.PathLike[str]) -> DeckEntry:
    """Read one deck file into a `DeckEntry`; an invalid deck keeps its error lines."""
    path = Path(path)
    try:
        modified = path.stat().st_mtime
    except OSError:
        modified = 0.0  # load_deck below reports why the file cannot be read
    deck: Deck | None
    errors: tuple[str, ...]
    problems: tuple[DeckProblem, ...]
    try:
        deck, errors, problems = load_deck(path), (), ()
    except DeckError as error:
        deck, errors, problems = None, tuple(error.lines()), error.problems
    return DeckEntry(path.stem, path, deck, errors, modified, problems)


def deck_path(directory: str | os.PathLike[str], slug: object) -> Path | None:
    """The existing file for `slug` in `directory`, or None; refuses slugs that are not plain names."""
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug) or ".." in slug:
        return None
    for suffix in DECK_SUFFIXES:
        path = Path(directory) / f"{slug}{suffix}"
        if path.is_file():
            return path
    return None
