"""Apply the form view's deck onto the organiser's YAML, keeping their comments and key order.

The form view sends the deck as plain data in the documented shape (every value text, as
`game.decks.yamlsafe.read_yaml` reads it). `apply_form(text, data)` loads `text` with ruamel.yaml's
round-trip loader and changes only what differs from what `text` already says: changed scalars
are replaced, new keys are inserted where the format lists them, removed keys are dropped, and
cards are matched by id so that reordering or inserting a card leaves the comments inside the
other cards alone. The result is read back and compared with `data`; if ruamel ever wrote
something else, the deck is written afresh from `data` (comments lost, content right).

No validation here: the editor validates the produced text with `game.decks.deck.load_deck_text`,
the one validator. No Flask and no I/O either.
"""

import io
import re
from typing import TypedDict

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken

from ..errors import N_
from ..jsontypes import JSON
from .deck import CARD_KEYS, CATEGORY_KEYS, DECK_KEYS, RESPONSE_KEYS
from .yamlsafe import YamlRefused, read_yaml

MAX_DEPTH = 20  # the same as the safe reader: form data is as untrusted as an upload
FOLD_AT = 76  # texts longer than this become folded blocks (`>`), wrapped at this width
KEY_ORDER: dict[str | None, tuple[str, ...]] = {
    "deck": DECK_KEYS,
    "card": CARD_KEYS,
    "response": RESPONSE_KEYS,
    "category": CATEGORY_KEYS,
}
# What the values under each key are, so that merging knows where it is in a deck.
CHILD_KIND: dict[tuple[str | None, str | None], str] = {
    ("deck", "categories"): "categories",
    ("deck", "cards"): "cards",
    ("categories", None): "category",
    ("cards", None): "card",
    ("card", "response"): "response",
}


class FormDataError(ValueError):
    """The form data cannot be a deck at all (nested too deeply, not a mapping)."""


class Layout(TypedDict):
    """How a YAML file is indented (ruamel's `indent` settings) and whether it starts with ---."""

    mapping: int
    sequence: int
    offset: int
    explicit_start: bool


# A collection in ruamel's round-trip tree, which carries the comments around its items.
Node = CommentedMap | CommentedSeq
# Where a comment sits: a mapping or sequence of the tree, and the key or index of an item in it.
Holder = tuple[CommentedMap, object]


def apply_form(text: str, data: JSON, origins: JSON = None) -> str:
    """Return YAML text saying `data`, written as an edit of `text`.

    `origins` optionally lists, per card in `data["cards"]`, the id that card had in `text`
    (None for new cards), so that a card whose id was changed in the form keeps its comments.
    """
    if not isinstance(data, dict):
        raise FormDataError(N_("The deck must be a mapping."))
    _check_depth(data)
    try:
        old = read_yaml(text).data if text.strip() else None
    except YamlRefused:
        old = None
    if isinstance(old, dict):
        try:
            produced = _edited(text, old, data, origins)
        except YAMLError:
            produced = None  # ruamel refused what the safe reader took; write afresh
        if produced is not None and _says(produced, data):
            return produced
    return _dump(_fresh(data), YAML_SETTINGS_FRESH)


YAML_SETTINGS_FRESH: Layout = {"mapping": 2, "sequence": 4, "offset": 2, "explicit_start": False}


def _check_depth(data: JSON) -> None:
    """Refuse data nested deeper than `MAX_DEPTH` (checked without recursion)."""
    stack: list[tuple[JSON, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FormDataError(N_("The deck is nested too deeply."))
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)


def _edited(text: str, old: dict[str, JSON], data: dict[str, JSON], origins: JSON) -> str | None:
    """The round-trip edit of `text`, or None when `text` cannot be loaded by ruamel."""
    settings = _layout(text)
    root = _yaml(settings).load(text)
    if not isinstance(root, CommentedMap):
        return None
    _merge_map(root, old, data, "deck", origins)
    return _dump(root, settings)


def _layout(text: str) -> Layout:
    """Indentation and start marker the organiser used, so untouched lines stay as they were."""
    mapping: int | None = None
    sequence: int | None = None
    offset: int | None = None
    key_only_indent: int | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if stripped.startswith("- ") and sequence is None and key_only_indent is not None:
            rest = stripped[2:]
            offset = indent - key_only_indent
            sequence = offset + 2 + (len(rest) - len(rest.lstrip(" ")))
        elif mapping is None and key_only_indent is not None and indent > key_only_indent:
            mapping = indent - key_only_indent
        key_only_indent = indent if re.match(r"^[^#'\"]*:$", stripped) else None
    mapping = mapping if mapping is not None and mapping in range(2, 9) else 2
    if sequence is None or offset is None or not 0 <= offset <= sequence - 2 or sequence > 10:
        sequence, offset = max(mapping, 2) + 2, 2
    start = bool(re.match(r"^(\s*(#[^\n]*)?\n)*---", text))
    return {"mapping": mapping, "sequence": sequence, "offset": offset, "explicit_start": start}


def _yaml(settings: Layout) -> YAML:
    """A round-trip ruamel.yaml instance with the given layout."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = True  # the validator reports duplicates; here we only edit
    yaml.width = 4096  # never re-wrap lines the organiser wrapped (or did not)
    yaml.indent(
        mapping=settings["mapping"], sequence=settings["sequence"], offset=settings["offset"]
    )
    yaml.explicit_start = settings["explicit_start"]
    return yaml


def _dump(node: object, settings: Layout) -> str:
    """`node` as YAML text."""
    out = io.StringIO()
    _yaml(settings).dump(node, out)
    return out.getvalue()


def _says(text: str, data: JSON) -> bool:
    """True when `text` reads back as `data` (texts compared trimmed, as the validator does)."""
    try:
        return _trimmed(read_yaml(text).data) == _trimmed(data)
    except YamlRefused:
        return False


def _trimmed(value: JSON) -> JSON:
    """`value` with every text trimmed, for comparison."""
    if isinstance(value, dict):
        return {str(k): _trimmed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_trimmed(v) for v in value]
    return value.strip() if isinstance(value, str) else value


# -- merging --------------------------------------------------------------------------------------
#
# Comment lines (and blank lines) between two entries hang, in ruamel, on the last value *before*
# them; they are the "gap" after that entry. A comment directly above an entry introduces it, so
# when entries move, each takes along the gap in front of it, and the gap at the end stays at the
# end. When an entry is removed, the comment that introduced it goes with it; no other comment is
# dropped.


def _merge_map(
    node: CommentedMap,
    old: dict[str, JSON],
    new: dict[str, JSON],
    kind: str | None,
    origins: JSON = None,
) -> None:
    """Make mapping `node` (which says `old`) say `new`, touching only what changed."""
    keys = {str(k): k for k in node}  # ruamel may read a key such as `2024` as a number
    for name, key in keys.items():
        if name not in new:
            _remove_key(node, key)
    for name, value in new.items():
        child_kind = CHILD_KIND.get((kind, name)) or CHILD_KIND.get((kind, None))
        if name in keys:
            key = keys[name]
            if name in old and old[name] == value:
                continue  # unchanged: leave the node (and its quoting) exactly as written
            gap = _pop_gap(node, key)
            node[key] = _merged(node[key], old.get(name), value, child_kind, origins, (node, key))
            _set_gap(node, key, gap)
        else:
            position = _insert_at(node, name, kind)
            gap = _pop_gap(node, list(node)[position - 1]) if position else ""
            node.insert(position, name, _fresh(value))
            _set_gap(node, name, gap)


def _merged(
    node: object,
    old: JSON,
    new: JSON,
    kind: str | None,
    origins: JSON = None,
    holder: Holder | None = None,
) -> object:
    """The node for `new` where `node` (which says `old`) was: merged in place if possible.

    `holder` is the (mapping, key) the node is the value of; it keeps the comment above the
    node's first item.
    """
    if isinstance(new, dict) and isinstance(node, CommentedMap) and isinstance(old, dict):
        _merge_map(node, old, new, kind)
        return node
    if isinstance(new, list) and isinstance(node, CommentedSeq) and isinstance(old, list):
        if kind == "cards":
            _merge_cards(node, old, new, origins, holder)
        else:
            _merge_list(node, old, new)
        return node
    return _fresh(new, node)


def _merge_list(node: CommentedSeq, old: list[JSON], new: list[JSON]) -> None:
    """Make a list of texts (options, prompts, labels) say `new`, item by item."""
    while len(node) > len(new):
        del node[len(node) - 1]
        node.ca.items.pop(len(node), None)
    for index, value in enumerate(new):
        if index >= len(node):
            node.append(_fresh(value))
        elif index >= len(old) or old[index] != value:
            gap = _pop_gap(node, index)
            before = old[index] if index < len(old) else None
            node[index] = _merged(node[index], before, value, None)
            _set_gap(node, index, gap)


def _merge_cards(
    node: CommentedSeq,
    old: list[JSON],
    new: list[JSON],
    origins: JSON,
    holder: Holder | None,
) -> None:
    """Make the card list say `new`, matching cards by id (or by `origins`) to keep comments."""
    by_id: dict[str, int] = {}
    for index, card in enumerate(old[: len(node)]):
        card_id = card.get("id") if isinstance(card, dict) else None
        if isinstance(card_id, str) and card_id not in by_id:
            by_id[card_id] = index
    if not isinstance(origins, list) or len(origins) != len(new):
        origins = [None] * len(new)
    gaps = [_pop_gap(node, index) for index in range(len(node))]
    # The comment above each card: for the first, ruamel keeps it with the `cards:` key.
    intros: dict[int | None, str] = {index + 1: gap for index, gap in enumerate(gaps[:-1])}
    intros[0] = _first_intro(holder)
    # Cards are usually separated by a blank line; new and moved cards get the same.
    separator = "\n" if any(gap.startswith("\n") for gap in gaps[:-1]) else ""
    items: list[tuple[int | None, object]] = []
    used: set[int] = set()
    for card, origin in zip(new, origins, strict=True):
        wanted: JSON = origin if isinstance(origin, str) else None
        if wanted is None and isinstance(card, dict):
            wanted = card.get("id")
        found = by_id.get(wanted) if isinstance(wanted, str) else None
        if found is not None and found not in used:
            used.add(found)
            items.append((found, _merged(node[found], old[found], card, "card")))
        else:
            items.append((None, _fresh(card)))
    comments = dict(node.ca.items)
    node.ca.items.clear()
    del node[:]
    for position, (was, value) in enumerate(items):
        node.append(value)
        if was in comments:
            node.ca.items[position] = comments[was]
    if items and items[0][0] != 0:
        _set_first_intro(holder, intros.get(items[0][0], ""))
    for position in range(len(items)):
        if position == len(items) - 1:
            gap = gaps[-1] if gaps else ""
        else:
            intro = intros.get(items[position + 1][0], "")
            gap = intro if intro.startswith("\n") else separator + intro
        _set_gap(node, position, gap)


def _insert_at(node: CommentedMap, name: str, kind: str | None) -> int:
    """Where a new key goes: after the keys that come before it in the documented order."""
    order = KEY_ORDER.get(kind)
    if not order or name not in order:
        return len(node)
    rank = order.index(name)
    position = 0
    for index, key in enumerate(node):
        if str(key) in order and order.index(str(key)) < rank:
            position = index + 1
    return position


def _remove_key(node: CommentedMap, key: object) -> None:
    """Delete `key`; the gap after it becomes the gap after the key before it."""
    keys = list(node)
    position = keys.index(key)
    gap = _pop_gap(node, key)
    del node[key]
    node.ca.items.pop(key, None)
    if position > 0:
        _set_gap(node, keys[position - 1], gap)


# -- gaps: comment lines between entries ----------------------------------------------------------


def _last_leaf(container: Node, key: object) -> tuple[Node, object]:
    """The innermost (container, key) that ends the value at `container[key]`."""
    value = container[key]
    while isinstance(value, CommentedMap | CommentedSeq) and len(value):
        if isinstance(value, CommentedMap):
            container, key = value, list(value)[-1]
        else:
            container, key = value, len(value) - 1
        value = container[key]
    return container, key


def _token(owner: Node, leaf: object) -> CommentToken | None:
    """The comment token after `owner[leaf]` (slot 0 in sequences, 2 in mappings), or None."""
    slots = owner.ca.items.get(leaf)
    slot = 0 if isinstance(owner, CommentedSeq) else 2
    token = slots[slot] if slots and len(slots) > slot else None
    return token if isinstance(token, CommentToken) else None


def _split(owner: Node, leaf: object) -> tuple[str, str]:
    """(end-of-line comment, whole lines after) of the value at `owner[leaf]`."""
    token = _token(owner, leaf)
    if token is None:
        return "", ""
    if isinstance(owner[leaf], FoldedScalarString | LiteralScalarString):
        return "", token.value  # a block scalar ends its own line; all that follows are lines
    eol, _, rest = token.value.partition("\n")
    return eol, rest


def _pop_gap(container: Node, key: object) -> str:
    """Take away the whole comment lines after the value at `container[key]`, and return them."""
    owner, leaf = _last_leaf(container, key)
    eol, rest = _split(owner, leaf)
    _store(owner, leaf, eol, "")
    return rest


def _set_gap(container: Node, key: object, gap: str) -> None:
    """Put `gap` (whole comment lines) after the value at `container[key]`."""
    owner, leaf = _last_leaf(container, key)
    eol, _ = _split(owner, leaf)
    _store(owner, leaf, eol, gap)


def _first_intro(holder: Holder | None) -> str:
    """The whole comment lines above the first item of the list at `holder` (mapping, key)."""
    if holder is None:
        return ""
    parent, key = holder
    slots = parent.ca.items.get(key)
    tokens = slots[3] if slots and len(slots) > 3 and isinstance(slots[3], list) else []
    lines: list[str] = []
    for token in tokens:
        column = getattr(token.start_mark, "column", 0) or 0
        lines.append(" " * column + token.value.lstrip(" "))
    return "".join(lines)


def _set_first_intro(holder: Holder | None, text: str) -> None:
    """Put whole comment lines `text` above the first item of the list at `holder`."""
    if holder is None:
        return
    parent, key = holder
    tokens: list[CommentToken] = []
    for line in text.splitlines():
        if line.strip():
            column = len(line) - len(line.lstrip(" "))
            tokens.append(CommentToken(line.strip() + "\n", CommentMark(column), None))
        elif tokens:
            tokens[-1].value += "\n"  # a blank line between comments; none before the first
    slots = parent.ca.items.setdefault(key, [None, None, None, None])
    slots.extend([None] * (4 - len(slots)))
    slots[3] = tokens or None


def _store(owner: Node, leaf: object, eol: str, rest: str) -> None:
    """Write the comment token after `owner[leaf]` from its two parts."""
    if isinstance(owner[leaf], FoldedScalarString | LiteralScalarString):
        value = rest
    else:
        value = eol + "\n" + rest if eol or rest else ""
    slot = 0 if isinstance(owner, CommentedSeq) else 2
    token = _token(owner, leaf)
    if token is not None:
        if value:
            token.value = value
        else:
            owner.ca.items[leaf][slot] = None
    elif value:
        slots = owner.ca.items.setdefault(leaf, [None, None, None, None])
        slots.extend([None] * (4 - len(slots)))
        slots[slot] = CommentToken(value, CommentMark(0), None)


# -- new values -----------------------------------------------------------------------------------


def _fresh(value: JSON, replacing: object = None) -> object:
    """A ruamel node for plain `value`; texts keep the style of the node they replace."""
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _fresh(item)
        return node
    if isinstance(value, list):
        return CommentedSeq(_fresh(item) for item in value)
    if not isinstance(value, str):
        return value
    core = value.strip()
    if "\n" in core:
        return LiteralScalarString(core + "\n")
    if isinstance(replacing, FoldedScalarString | LiteralScalarString) or len(core) > FOLD_AT:
        return _folded(core) if core else core
    if isinstance(replacing, SingleQuotedScalarString | DoubleQuotedScalarString):
        return type(replacing)(value)
    if core.startswith("#"):
        return DoubleQuotedScalarString(value)  # colours, written as docs/decks.md shows them
    return value


def _folded(text: str) -> FoldedScalarString:
    """`text` as a folded block (`>`), wrapped at spaces near `FOLD_AT` characters."""
    folded: FoldedScalarString = FoldedScalarString(text + "\n")

    positions: list[int] = []
    start, last_space = 0, None

    for index, char in enumerate(text):
        # Folding replaces one space; it must not touch a run of spaces, or the text would change.
        if char == " " and 0 < index < len(text) - 1 and text[index - 1] != " " != text[index + 1]:
            if index - start > FOLD_AT and last_space is not None:
                positions.append(last_space)
                start = last_space + 1
            last_space = index
    if len(text) - start > FOLD_AT and last_space is not None and last_space > start:
        positions.append(last_space)
    folded.fold_pos = positions  # type: ignore[attr-defined]  # a slot ruamel leaves unannotated
    return folded
