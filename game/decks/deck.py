"""Cards and decks: the one validator, used by the loader, the command line, the editor and tests.

`parse_deck(data)` takes plain data (what YAML or JSON gives) and returns a frozen `Deck`, or
raises `DeckError` listing *every* problem at once, each located in the file when positions are
known. `load_deck_text` and `load_deck` read YAML safely (see `game.decks.yamlsafe`) and then validate.
The format is specified in ``docs/decks.md``; `deck_schema()` publishes the same rules as a JSON
Schema for editors. This module does no I/O apart from `load_deck` reading one file.
"""

import os
from pathlib import Path
from typing import cast

from ..errors import N_
from ..jsontypes import JSON
from .checks import Checker, check_card, check_deck
from .messages import Message
from .model import *  # noqa: F403 - `game.decks.deck` is the public face of the deck model
from .model import MAX_DECK_BYTES, Card, Deck, DeckError, DeckProblem
from .schema import deck_schema as deck_schema  # part of the public API
from .scripts import check_guidance, with_guidance
from .yamlsafe import Positions, YamlProblem, YamlRefused, read_yaml


def parse_deck(data: JSON, *, source: str = "<deck>", positions: Positions | None = None) -> Deck:
    """Validate plain `data` and return a `Deck`, or raise `DeckError` listing every problem.

    `positions` (from `game.decks.yamlsafe.read_yaml`) maps data paths to 1-based (line, column) so that
    problems can point into the file; without it problems carry only their path.
    """
    return _validated(data, source, positions or {}, [])


def parse_card(data: JSON, language: str, *, source: str = "<card>") -> Card:
    """Validate one card's plain `data` (a deck's card, in a deck of `language` without
    categories) and return the `Card`, or raise `DeckError` listing every problem."""
    checker = Checker({}, [])
    card = check_card(checker, data, language)
    if checker.problems or card is None:
        raise DeckError(checker.problems, source)
    return card


def load_deck_text(text: str, source: str = "<deck>") -> Deck:
    """Read a deck from YAML `text`; `source` names it in error lines (usually the file path)."""
    size = len(text.encode("utf-8"))
    if size > MAX_DECK_BYTES:
        raise DeckError([_too_big(size)], source)
    try:
        reading = read_yaml(text)
    except YamlRefused as refused:
        raise DeckError([_from_yaml(refused.problem)], source) from None
    problems = [_from_yaml(problem) for problem in reading.problems]
    if reading.data is None and not problems:
        message = Message(
            N_("the file is empty: a deck needs at least `title`, `language` and `cards`")
        )
        raise DeckError([DeckProblem((), message)], source)
    return _validated(reading.data, source, reading.positions, problems)


def load_deck(path: str | os.PathLike[str]) -> Deck:
    """Read and validate the deck file at `path`; unreadable files raise `DeckError` too."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_DECK_BYTES:
            raise DeckError([_too_big(size)], source)  # refused before reading a byte
        with path.open("rb") as f:
            raw = f.read(MAX_DECK_BYTES + 1)  # the file may have grown since stat()
    except OSError as error:
        reason = str(error.strerror or error)  # the system's words, in the system's language
        raise DeckError(
            [DeckProblem((), Message(N_("cannot read the file: %(reason)s"), reason=reason))],
            source,
        ) from None
    if len(raw) > MAX_DECK_BYTES:
        raise DeckError([_too_big(len(raw))], source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DeckError([_not_utf8(raw, error.start)], source) from None
    return load_deck_text(text, source)


def _too_big(size: int) -> DeckProblem:
    """The problem for a file over `MAX_DECK_BYTES`."""
    message = N_("the file is too large: %(size)s bytes, at most %(limit)s")
    return DeckProblem((), Message(message, size=f"{size:,}", limit=f"{MAX_DECK_BYTES:,}"))


def _not_utf8(raw: bytes, index: int) -> DeckProblem:
    """The problem for bytes that are not UTF-8, located at the first bad byte."""
    line_start = raw.rfind(b"\n", 0, index) + 1
    line = raw.count(b"\n", 0, index) + 1
    column = len(raw[line_start:index].decode("utf-8", "replace")) + 1
    message = N_("the file is not UTF-8 text (byte %(byte)s); save it as UTF-8")
    message = Message(message, byte=f"0x{raw[index]:02x}")
    return DeckProblem((), message, line, column)


def _from_yaml(problem: YamlProblem) -> DeckProblem:
    """A `YamlProblem` as a `DeckProblem`."""
    return DeckProblem(problem.path, problem.message, problem.line, problem.column)


def _validated(data: JSON, source: str, positions: Positions, problems: list[DeckProblem]) -> Deck:
    """Check `data` on top of `problems` found earlier; return the `Deck` or raise with them all."""
    checker = Checker(positions, problems)
    deck = check_deck(checker, data)
    guidance = check_guidance(checker, data)
    if checker.problems or guidance is None:
        # In file order, as an editor lists them; without positions the order of discovery stays.
        ordered = sorted(checker.problems, key=lambda p: (p.line or 0, p.column or 0))
        raise DeckError(ordered, source)
    # A check returns None only after reporting a problem: with none reported, this is the deck.
    return with_guidance(cast(Deck, deck), guidance)
