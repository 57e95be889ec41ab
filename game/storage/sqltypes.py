"""The little of a database driver the store relies on, as types: both sqlite3 and psycopg fit.

A row's values are what its columns hold (text, numbers, None): the database is an edge, so they
are `Any` here and each reader names the type it expects.
"""

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeAlias, TypeVar

T = TypeVar("T")

# One row of a result, its values in the order of the SELECT.
Row: TypeAlias = tuple[Any, ...]
# The values for a statement's placeholders.
Params: TypeAlias = Sequence[object]


class Cursor(Protocol):
    """The result of one statement."""

    @property
    def rowcount(self) -> int:
        """How many rows an UPDATE or DELETE changed."""
        ...

    def fetchone(self) -> Row | None:
        """The next row, or None."""
        ...

    def fetchall(self) -> list[Row]:
        """The remaining rows."""
        ...


class Execute(Protocol):
    """Runs one statement with "?" placeholders (the store's dialect) and returns its cursor."""

    def __call__(self, sql: str, params: Params = ..., /) -> Cursor:
        """Run `sql` with `params`."""
        ...


class Transaction(Protocol):
    """The transaction a write runs in (`game.storage.events.Batch`)."""

    @property
    def execute(self) -> Execute:
        """Runs one statement in the transaction."""
        ...


class MixinStore(Protocol):
    """What a store's record mixin (sign-ins, nodes, leases) uses of the store it is mixed into
    (`GroupCommitStore`): its clock, one durable write (returning what `apply` returns), one
    read."""

    clock: Callable[[], float]

    def _write(self, apply: Callable[[Transaction], T], /) -> T: ...

    def _read(self, sql: str, params: Params = ..., /) -> list[Row]: ...
