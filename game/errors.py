"""The one error family of Tafelronde's core: what a person did that the rules refuse.

A `GameError` carries an English message template (marked with `N_` so the translation test finds
it) and its parameters; the shells translate it for the person who caused it. Anything that is not
a `GameError` is a bug and is logged as one, never swallowed.
"""

from typing import Any


def N_(message: str) -> str:
    """Mark `message` for translation without translating it here (the core knows no language)."""
    return message


class GameError(Exception):
    """A refused command. `code` is stable for programs; `message % params` is for people."""

    code = "refused"
    ack_fields: tuple[str, ...] = ()

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


class NotFound(GameError):
    """Something named in the command does not exist (session, table, card, note, participant)."""

    code = "not_found"


class Forbidden(GameError):
    """The sender may not do this (another table, a facilitator command, someone else's note)."""

    code = "forbidden"


class InvalidInput(GameError):
    """The payload has the wrong shape, type or size."""

    code = "invalid"


class OutOfTurn(GameError):
    """The command does not fit the current state (vote before a draw, join after the end...)."""

    code = "out_of_turn"


class Unavailable(GameError):
    """The server cannot store anything right now (its database is away, or its disk is full).
    Nothing of the command was applied: send it again, with the same client id, after
    `retry_after` seconds. It resolves by itself once the store is back."""

    code = "unavailable"
    ack_fields = ("retry_after",)


class RateLimited(GameError):
    """Too many commands from one participant in a short time."""

    code = "rate_limited"


class Unauthorised(GameError):
    """The sender has not shown who it is, or showed a wrong token or key."""

    code = "unauthorised"


class Moved(GameError):
    """Another process serves this session now (or this copy of it fell behind the store):
    connect again, after `retry_after` seconds. Nothing of the command was applied."""

    code = "moved"
    ack_fields = ("retry_after",)

    def __init__(self, retry_after: float = 1.0) -> None:
        super().__init__(
            N_("This session is served elsewhere now; reconnecting."), retry_after=retry_after
        )
