"""Read a YAML deck safely: plain data, where every key and value sits, and clear refusals.

PyYAML's loaders build Python objects from a composed node tree. That tree is built recursively
(deep nesting can exhaust the stack), aliases are expanded (the "billion laughs" attack) and tags
can ask for arbitrary objects. Here we read the parser's *event* stream instead, which PyYAML
produces iteratively, and build the data ourselves with an explicit stack. That lets us:

- refuse anchors, aliases and tags at their position, before anything is expanded or built;
- refuse nesting deeper than `MAX_DEPTH` as soon as it is reached;
- record a 1-based ``(line, column)`` for every key and value;
- report a key used twice in one mapping (PyYAML would silently keep the last one).

Every scalar is read as the text that was written: `yes`, `1.5` and `2024-05-01` stay the strings
``"yes"``, ``"1.5"`` and ``"2024-05-01"``. Every value in a deck is text, and YAML 1.1's implicit
types would otherwise turn a choice between `Yes` and `No` into ``True`` and ``False``. Only an
empty plain value, `~` and `null` read as ``None`` (a missing value). The one tag allowed is
`!!str`, which asks for exactly that.
"""

from dataclasses import dataclass, field
from typing import NoReturn, Protocol, TypeAlias, cast

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from ..errors import N_
from ..jsontypes import JSON
from .messages import Message

MAX_DEPTH = 20
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
STR_TAG = "tag:yaml.org,2002:str"

# PyYAML's wording for common mistakes (how its message starts), and what an organiser should do.
SYNTAX_HINTS = {
    "expected <block end>, but found '<scalar>'": N_(
        "unexpected text after a value; a text that starts with a quote must end with it, so "
        "quote the whole text (write '' for a ' inside '...')"
    ),
    "expected <block end>": N_(
        "the indentation here does not fit the lines above; keys of one mapping, and the `-` of "
        "one list, must start in the same column"
    ),
    "expected ',' or ']'": N_("a list in [brackets] is not closed with `]` where expected"),
    "expected ',' or '}'": N_("a mapping in {braces} is not closed with `}` where expected"),
    "mapping values are not allowed here": N_(
        "unexpected `:`; if the colon is part of a text, put the whole text in quotes"
    ),
    "could not find expected ':'": N_(
        "expected `key: value` here; check the indentation, or close an unclosed quote"
    ),
    "found a tab character that violates indentation": N_("use spaces, not tabs, to indent"),
    "found character '\\t' that cannot start any token": N_("use spaces, not tabs, to indent"),
    "found character '@' that cannot start any token": N_(
        "a text cannot start with `@`; put the text in quotes"
    ),
    "found character '`' that cannot start any token": N_(
        "a text cannot start with a backtick; put the text in quotes"
    ),
}


class _KeyMarker:
    """The type of `KEY`; a class of its own so it can never equal a key read from a file."""

    def __repr__(self) -> str:
        return "KEY"


# `positions[path]` is where the value at `path` starts; `positions[(*path, KEY)]` is where its key
# starts. Keys are located separately so that "unknown key" can point at the key itself.
KEY = _KeyMarker()

# Where a value sits in the data: mapping keys and list indexes, from the root.
DataPath: TypeAlias = tuple[str | int, ...]
# A problem's path; it ends in None at a key that is empty.
ProblemPath: TypeAlias = tuple[str | int | None, ...]
# A 1-based (line, column) in the file.
Position: TypeAlias = tuple[int, int]
# `positions` as above: a data path, or a data path and `KEY`, to where it is written.
Positions: TypeAlias = dict[tuple[str | int | _KeyMarker, ...], Position]


@dataclass(frozen=True)
class YamlProblem:
    """Something wrong with the YAML itself, at a 1-based line and column when known."""

    path: ProblemPath
    message: str
    line: int | None
    column: int | None


class YamlRefused(Exception):
    """The text is not valid YAML, or uses a feature that is refused; reading stopped there."""

    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class Reading:
    """The result of `read_yaml`: the data, its positions, and problems that did not stop reading."""

    data: JSON
    positions: Positions = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)


def read_yaml(text: str, *, max_depth: int = MAX_DEPTH) -> Reading:
    """Read one YAML document from `text` into plain dicts, lists, strings and None.

    Returns a `Reading`. Raises `YamlRefused` for syntax errors and refused features.
    """
    builder = _Builder(max_depth)
    loader = None
    try:
        # The Reader checks every character as it is created, so that is inside the try too.
        loader = yaml.SafeLoader(text)
        while loader.check_event():
            builder.feed(loader.get_event())  # type: ignore[no-untyped-call]  # untyped in stubs
    except yaml.reader.ReaderError as error:
        raise YamlRefused(_reader_problem(text, error)) from None
    except yaml.MarkedYAMLError as error:
        raise YamlRefused(_syntax_problem(error)) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Reading(builder.root, builder.positions, builder.problems)


class _Mark(Protocol):
    """A place in the text, as PyYAML's marks (Python's and libyaml's) give it: 0-based."""

    line: int
    column: int


def _position(mark: _Mark | None) -> Position:
    """A PyYAML mark (0-based) as the 1-based (line, column) editors show."""
    # The parser marks every event; a syntax error's marks are checked before they come here.
    mark = cast(_Mark, mark)
    return mark.line + 1, mark.column + 1


def _syntax_problem(error: yaml.MarkedYAMLError) -> YamlProblem:
    """Turn a PyYAML syntax error into one plain problem where the parser stopped."""
    problem = (error.problem or error.context or "the file is not valid YAML").strip()
    # The first hint whose start matches wins, so the more specific ones come first.
    hint = next((hint for start, hint in SYNTAX_HINTS.items() if problem.startswith(start)), None)
    plain: str = Message(hint) if hint else problem  # PyYAML's own wording stays English
    mark = error.problem_mark or error.context_mark
    if error.context == "while scanning a quoted scalar" and error.context_mark:
        # The parser stops at the end of the file; the opening quote is the place to look at.
        plain = Message(N_("this quoted text is not closed; add the closing quote"))
        mark = error.context_mark
    line, column = _position(mark) if mark else (None, None)
    return YamlProblem((), Message(N_("YAML syntax error: %(detail)s"), detail=plain), line, column)


def _reader_problem(text: str, error: yaml.reader.ReaderError) -> YamlProblem:
    """Turn PyYAML's complaint about a character YAML does not allow into a located problem."""
    index = error.position
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    message = Message(
        N_(
            "the file contains the control character %(char)s, which YAML does not allow; remove it"
        ),
        char=f"U+{error.character:04X}",
    )
    return YamlProblem((), message, line, column)


def _written_tag(tag: str) -> str:
    """A resolved tag as people write it: `tag:yaml.org,2002:python/object` -> `!!python/object`."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


class _Frame:
    """One open mapping or sequence. `path` is None when its contents are being discarded."""

    __slots__ = ("container", "path", "expecting_key", "key", "first_lines")

    def __init__(self, container: dict[str, JSON] | list[JSON], path: DataPath | None) -> None:
        self.container = container
        self.path = path
        self.expecting_key = isinstance(container, dict)
        self.key: str | None = None
        # key -> line of its first occurrence, to report duplicates
        self.first_lines: dict[str, int] = {}


class _Builder:
    """Builds data and positions from parser events with an explicit stack (no recursion)."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.stack: list[_Frame] = []
        self.root: JSON = None
        self.positions: Positions = {}
        self.problems: list[YamlProblem] = []
        self.documents = 0

    def feed(self, event: Event) -> None:
        """Handle one parser event."""
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                message = N_(
                    "a deck file holds one YAML document; remove the `---` that starts a second"
                )
                self._refuse(event, Message(message))
        elif isinstance(event, AliasEvent):
            self._refuse_anchor(event, f"*{event.anchor}")
        elif isinstance(event, ScalarEvent):
            self._check_node(event)
            self._put(self._scalar(event), event.start_mark, collection=False)
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            self._check_node(event)
            if len(self.stack) >= self.max_depth:
                message = N_(
                    "the file nests deeper than %(depth)s levels; a deck needs no more than 5"
                )
                self._refuse(event, Message(message, depth=self.max_depth))
            container: dict[str, JSON] | list[JSON] = (
                {} if isinstance(event, MappingStartEvent) else []
            )
            path = self._put(container, event.start_mark, collection=True)
            self.stack.append(_Frame(container, path))
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            self.stack.pop()

    def _refuse(self, event: Event, message: str) -> NoReturn:
        """Stop reading: `message` at the event's position is the only problem reported."""
        line, column = _position(event.start_mark)
        raise YamlRefused(YamlProblem((), message, line, column))

    def _refuse_anchor(self, event: Event, written: str) -> NoReturn:
        """Anchors and aliases are refused before anything is expanded."""
        message = N_(
            "anchors and aliases (`%(written)s`) are not allowed in a deck: they can make a small "
            "file expand without limit; write the text out in full"
        )
        self._refuse(event, Message(message, written=written))

    def _check_node(self, event: ScalarEvent | CollectionStartEvent) -> None:
        """Refuse an anchor or any tag but `!!str` on a scalar, mapping or sequence."""
        if event.anchor is not None:
            self._refuse_anchor(event, f"&{event.anchor}")
        if event.tag is not None and not (isinstance(event, ScalarEvent) and event.tag == STR_TAG):
            message = N_("YAML tags such as `%(tag)s` are not allowed in a deck; remove the tag")
            self._refuse(event, Message(message, tag=_written_tag(event.tag)))

    @staticmethod
    def _scalar(event: ScalarEvent) -> str | None:
        """The text of a scalar, or None for an empty plain value, `~` or `null`."""
        if event.style is None and event.tag is None and event.value in NULLS:
            return None
        return event.value

    def _put(self, value: JSON, mark: _Mark | None, *, collection: bool) -> DataPath | None:
        """Place `value` in the open container; return its path, or None if it is discarded."""
        position = _position(mark)
        if not self.stack:
            self.root = value
            self.positions[()] = position
            return ()
        frame = self.stack[-1]
        if frame.expecting_key:
            self._take_key(frame, value, position, collection)
            return None
        if isinstance(frame.container, dict):
            frame.expecting_key = True
            key, frame.key = frame.key, None
            if frame.path is None or key is None:
                return None
            frame.container[key] = value
            path = (*frame.path, key)
        else:
            if frame.path is None:
                return None
            path = (*frame.path, len(frame.container))
            frame.container.append(value)
        self.positions[path] = position
        return path

    def _take_key(self, frame: _Frame, value: JSON, position: Position, collection: bool) -> None:
        """Remember the key whose value comes next; a key that cannot be used discards it."""
        frame.expecting_key = False
        frame.key = None
        line, column = position
        if collection:
            # A list or mapping as a key cannot be told apart in messages; nobody needs one.
            message: str = Message(N_("a key must be plain text, not a list or mapping"))
            raise YamlRefused(YamlProblem((), message, line, column))
        # Not a collection, so a scalar: `_scalar` made it text, or None.
        key = cast(str | None, value)
        if frame.path is None:
            return
        path = (*frame.path, key)
        if key is None:
            self.problems.append(
                YamlProblem(
                    path, Message(N_("a key is empty; write a name before the `:`")), line, column
                )
            )
        elif key in frame.first_lines:
            first = frame.first_lines[key]
            message = N_(
                "key `%(key)s` is used twice in this mapping (first at line %(line)s); "
                "YAML would keep only the last one, so remove or rename one of them"
            )
            message = Message(message, key=key, line=first)
            self.problems.append(YamlProblem(path, message, line, column))
        else:
            frame.key = key
            frame.first_lines[key] = line
            self.positions[(*frame.path, key, KEY)] = position
