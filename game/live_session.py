"""One live session in memory: its state plus what the hub and the transport keep beside it.

`LiveSession` holds the state, its lock, the fencing number of the next write, the latest
answers per client id (`RecentAnswers`), tokens, connections, rate buckets and which tables
changed since the last coalesced update. `Hub` (game/hub.py) is the only thing that changes it.
"""

import threading
from collections import OrderedDict
from typing import Any, Generic, TypeVar

from .core.command import Event
from .core.model import SessionState
from .core.registry import history_touched, touched_tables
from .core.throttle import TokenBucket

# Answers per session kept in memory for repeated client ids; older ones are read from the store
# (a phone repeats only what it has not seen acknowledged, so a repeat is almost always recent).
REMEMBERED_ANSWERS = 2048

# What a command's acknowledgement carries: a JSON object sent to the client and stored, so `Any`.
Answer = dict[str, Any]
# A command with a client id, as remembered: ``(pid, or the role when there is none; cid)``.
ClientKey = tuple[str, str]
# The store's handle of a write submitted but not yet committed (`StoreLike.submit` in the hub).
W = TypeVar("W")


class RecentAnswers(OrderedDict[ClientKey, Answer]):
    """``(pid, cid) -> answer`` for the latest `limit` commands: memory stays flat however long
    a session runs (every answer is in the store too, `Hub.command` asks it on a miss).
    `complete` stays True while it holds every answer the session ever gave: then a miss means
    a new client id, and the store need not be asked."""

    def __init__(self, limit: int = REMEMBERED_ANSWERS, complete: bool = True) -> None:
        super().__init__()
        self.limit, self.complete = limit, complete

    def __setitem__(self, key: ClientKey, answer: Answer) -> None:
        super().__setitem__(key, answer)
        if len(self) > self.limit:
            self.popitem(last=False)
            self.complete = False


# Most answers are exactly this; one shared copy instead of a dict per command.
OK: Answer = {"ok": True}


class LiveSession(Generic[W]):
    """One session in memory: its state plus the transport's bookkeeping (`W`: the store's
    handle of a write in flight)."""

    def __init__(
        self,
        state: SessionState,
        projector_key: str,
        next_seq: int,
        now: float = 0.0,
        created_here: bool = False,
    ) -> None:
        self.state = state
        self.projector_key = projector_key
        self.next_seq = next_seq  # the sequence number the next stored event must get (fencing)
        self.last_arrival = now  # when someone last said hello to it here (store's clock)
        self.closed = False  # given up by this process: no command may use this copy any more
        self.lock = threading.RLock()
        # (pid, cid) -> answer, the latest ones; all of them for a session created here
        self.applied = RecentAnswers(complete=created_here)
        self.pending: dict[ClientKey, W] = {}  # (pid, cid) -> store write not yet committed
        self.tokens: dict[str, str] = {}  # token hash -> pid
        self.connections: dict[str, int] = {}  # pid -> number of open sockets
        self.buckets: dict[str, TokenBucket] = {}  # pid -> its rate limit
        self.dirty_tables: set[int] = set()
        self.dirty_earlier: set[int] = set()  # tables whose notes on earlier cards changed
        self.dirty_session = False
        self.phones_behind = False  # phones' session facts wait for the next coalesced update

    @property
    def code(self) -> str:
        """The session's join code."""
        return self.state.code

    def observe(self, event: Event) -> None:
        """Keep the bookkeeping that events imply (tokens, what changed since the last update)."""
        if event["type"] == "participant_joined" and event.get("token"):
            self.tokens[event["token"]] = event["pid"]
        self.dirty_session = True
        tables = touched_tables(self.state, event)
        self.dirty_tables.update(tables)
        self.dirty_earlier.update(history_touched(self.state, event))

    def take_earlier(self) -> set[int]:
        """The tables whose notes on earlier cards changed since the last call."""
        tables, self.dirty_earlier = self.dirty_earlier, set()
        return tables

    def take_dirty(self) -> tuple[list[int], bool]:
        """The tables changed since the last call, and whether session facts changed."""
        tables, self.dirty_tables = sorted(self.dirty_tables), set()
        session, self.dirty_session = self.dirty_session, False
        return tables, session
