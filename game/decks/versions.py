"""What changed between two versions of a deck, in the terms an organiser thinks in: the deck's
own fields, and cards added, removed or changed (by title, with the fields that changed), and
whether the cards were put in another order. The editor's history shows it above the
line-by-line differences, which it shows on request.

Pure: two YAML texts in, a small dict out. A version that cannot be read (or is not a deck's
shape) gives None: the differences line by line are all there is to show then.
"""

from typing import Any

from .yamlsafe import YamlRefused, read_yaml

Data = dict[str, Any]

DECK_FIELDS = ("title", "language", "description", "categories")
CARD_FIELDS = ("title", "category", "text", "response", "prompts", "reflection")


def _deck(text: str) -> Data | None:
    """The deck data of `text` (a mapping), or None."""
    try:
        data = read_yaml(text).data
    except YamlRefused:
        return None
    return data if isinstance(data, dict) else None


def _cards(deck: Data) -> dict[str, Data]:
    """The deck's cards by id, in their order (a card without an id is known by its place)."""
    cards = deck.get("cards")
    found: dict[str, Data] = {}
    for n, card in enumerate(cards if isinstance(cards, list) else []):
        if isinstance(card, dict):
            given = card.get("id")
            key = given if isinstance(given, str) else f"#{n + 1}"
            found.setdefault(key, card)
    return found


def _title(card: Data, key: str) -> str:
    title = card.get("title")
    return title if isinstance(title, str) and title.strip() else key


def changes(old_text: str, new_text: str) -> Data | None:
    """From `old_text` to `new_text`: ``{"deck": [fields], "added": [titles], "removed":
    [titles], "changed": [{"title", "fields"}], "reordered": bool}``, or None when either
    cannot be read as a deck."""
    old, new = _deck(old_text), _deck(new_text)
    if old is None or new is None:
        return None
    before, after = _cards(old), _cards(new)
    kept = [key for key in after if key in before]
    return {
        "deck": [name for name in DECK_FIELDS if old.get(name) != new.get(name)],
        "added": [_title(card, key) for key, card in after.items() if key not in before],
        "removed": [_title(card, key) for key, card in before.items() if key not in after],
        "changed": [
            {
                "title": _title(after[key], key),
                "fields": [f for f in CARD_FIELDS if before[key].get(f) != after[key].get(f)],
            }
            for key in kept
            if before[key] != after[key]
        ],
        "reordered": kept != [key for key in before if key in after],
    }
