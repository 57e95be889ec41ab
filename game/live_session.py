"""One live session in memory: its state plus what the hub and the transport keep beside it.

`LiveSession` holds the state, its lock, the fencing number of the next write, the latest
answers per client id (`RecentAnswers`), tokens, connections, rate buckets and which tables
changed since the last coalesced update. `Hub` (game/hub.py) is the only thing that changes it.
"""

import threading
from collections import OrderedDict

from .core.registry import touched_tables

# Answers per session kept in memory for repeated client ids; older ones are read from the store
# (a phone repeats only what it has not seen acknowledged, so a repeat is almost always recent).
REMEMBERED_ANSWERS = 2048


class RecentAnswers(OrderedDict):
    """``(pid, cid) -> answer`` for the latest `limit` commands: memory stays flat however long
    a session runs (every answer is in the store too, `Hub.command` asks it on a miss).
    `complete` stays True while it holds every answer the session ever gave: then a miss means
    a new client id, and the store need not be asked."""

    def __init__(self, limit=REMEMBERED_ANSWERS, complete=True):
        super().__init__()
        self.limit, self.complete = limit, complete

    def __setitem__(self, key, answer):
        super().__setitem__(key, answer)
        if len(self) > self.limit:
            self.popitem(last=False)
            self.complete = False


# Most answers are exactly this; one shared copy instead of a dict per command.
OK = {"ok": True}


class LiveSession:
    """One session in memory: its state plus the transport's bookkeeping."""

    def __init__(self, state, projector_key, next_seq, now=0.0, created_here=False):
        self.state = state
        self.projector_key = projector_key
        self.next_seq = next_seq  # the sequence number the next stored event must get (fencing)
        self.last_arrival = now  # when someone last said hello to it here (store's clock)
        self.closed = False  # given up by this process: no command may use this copy any more
        self.lock = threading.RLock()
        # (pid, cid) -> answer, the latest ones; all of them for a session created here
        self.applied = RecentAnswers(complete=created_here)
        self.pending = {}  # (pid, cid) -> store write not yet committed
        self.tokens = {}  # token hash -> pid
        self.connections = {}  # pid -> number of open sockets
        self.buckets = {}  # pid -> TokenBucket
        self.dirty_tables = set()
        self.dirty_session = False
        self.phones_behind = False  # phones' session facts wait for the next coalesced update

    @property
    def code(self):
        """The session's join code."""
        return self.state.code

    def observe(self, event):
        """Keep the bookkeeping that events imply (tokens, what changed since the last update)."""
        if event["type"] == "participant_joined" and event.get("token"):
            self.tokens[event["token"]] = event["pid"]
        self.dirty_session = True
        tables = touched_tables(self.state, event)
        self.dirty_tables.update(tables)

    def take_dirty(self):
        """The tables changed since the last call, and whether session facts changed."""
        tables, self.dirty_tables = sorted(self.dirty_tables), set()
        session, self.dirty_session = self.dirty_session, False
        return tables, session
