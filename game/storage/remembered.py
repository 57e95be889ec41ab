"""The new-session form's last settings per deck, so that starting the same deck again starts
from what was chosen last time (tables, seating, cards, the programme, the name...).

One small JSON file in the instance folder (``remembered-settings.json``), written atomically;
bounded in decks, fields and length so that it stays small whatever is posted. With several
machines each remembers its own (docs/deploy.md). No Flask.
"""

import json
import threading
from collections.abc import Mapping
from pathlib import Path

from ..jsontypes import JSON
from .deckfiles import atomic_write

MAX_DECKS = 200  # the oldest deck's settings go first
MAX_FIELDS = 250  # a form of 200 cards has a field per card and a place per card, and a few more
MAX_VALUE_CHARS = 2000

Settings = dict[str, str | list[str]]


class RememberedSettings:
    """The last settings used per deck, kept in the file at `path`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Settings]:
        try:
            data: JSON = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # none yet, or unreadable: the form starts from its defaults
        if not isinstance(data, dict):
            return {}
        return {deck: _clean(values) for deck, values in data.items() if isinstance(values, dict)}

    def get(self, deck: str) -> Settings:
        """The settings last used with `deck` (empty when none)."""
        with self._lock:
            return self._read().get(deck, {})

    def put(self, deck: str, settings: Settings) -> None:
        """Remember `settings` for `deck` (the newest last, so the oldest goes first)."""
        with self._lock:
            data = self._read()
            data.pop(deck, None)
            data[deck] = _clean(settings)
            while len(data) > MAX_DECKS:
                data.pop(next(iter(data)))
            text = json.dumps(data, ensure_ascii=False, indent=1)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, text.encode("utf-8"))


def _clean(values: Mapping[str, object]) -> Settings:
    """Only text and lists of text, bounded in number and length."""
    clean: Settings = {}
    for key, value in list(values.items())[:MAX_FIELDS]:
        if isinstance(value, str):
            clean[str(key)[:100]] = value[:MAX_VALUE_CHARS]
        elif isinstance(value, list):
            texts = [v[:MAX_VALUE_CHARS] for v in value[:MAX_FIELDS] if isinstance(v, str)]
            clean[str(key)[:100]] = texts
    return clean
