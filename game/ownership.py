"""Which process serves which session when several processes share one store (``CLUSTER``).

Exactly one process applies a session's commands: the holder of the session's lease in the store
(`game.storage.events`). A process takes the lease when the session's people first reach it,
renews it while it serves them, and loses it when it stops renewing (killed, frozen, cut off from
the store): after ``LEASE_SECONDS`` another process may take the session over. The store's fencing
is the safety net under the leases: a process that lost its lease without noticing (frozen longer
than the lease) has its next write refused, so it can never store a second truth.

The router (nginx, by a hash of the join code) decides where people arrive. When it sends a
session's people to a process that does not hold the lease (the holder came back after a
restart, or the router's list changed), that process says so in the store (`want`); the holder
hands the session over once no one has arrived at it for a while (`let_go`), so a session follows
its router without moving back and forth while people arrive at two places at once.

This module knows no Flask and no sockets; the hub calls it, time comes from the store's clock.
"""

import os
import secrets
import socket
from collections.abc import Callable, Mapping, Set
from typing import Final, Literal, Protocol

# What `let_go` may answer.
HAND_OVER: Final = "hand_over"
RELEASE: Final = "release"
LetGo = Literal["hand_over", "release"]

# A session nobody here is connected to is given up after this many lease periods without a new
# arrival (its memory is freed; the next arrival anywhere takes it again).
IDLE_LEASES = 10


def process_name(prefix: str = "") -> str:
    """A name for this process that no other process of the cluster has, on any machine, nor
    this process's earlier runs (a restarted process must not pass for its dead self, whose
    lease may still run): `prefix` (or the host name and process id) and a random suffix."""
    return f"{prefix or f'{socket.gethostname()}:{os.getpid()}'}:{secrets.token_hex(3)}"


def let_go(
    now: float, *, last_arrival: float, sockets: int, wanted: bool, ttl: float
) -> LetGo | None:
    """Whether a held session should be given up now (a pure rule; `now` and `last_arrival` in
    the store's clock).

    - `HAND_OVER` when another process wants it and nobody arrived here for half a lease: the
      router sends its people elsewhere now.
    - `RELEASE` when nobody is connected here and nobody arrived for `IDLE_LEASES` leases.
    - None: keep serving it (and renew the lease).
    """
    quiet = now - last_arrival
    if wanted and quiet >= ttl / 2:
        return HAND_OVER
    if sockets == 0 and quiet >= IDLE_LEASES * ttl:
        return RELEASE
    return None


class LeaseStore(Protocol):
    """What the leases ask of the store (`game.storage.events` keeps them beside the events):
    the store's own clock, and durable writes of who holds and who wants a session."""

    @property
    def clock(self) -> Callable[[], float]:
        """Seconds since the epoch, the same on every machine of the cluster."""

    def claim(self, code: str, owner: str, ttl: float) -> bool:
        """Take or renew the lease; False if another owner holds it."""

    def lease(self, code: str) -> tuple[str, float] | None:
        """``(owner, expires_at)`` of the unexpired lease, or None."""

    def want(self, code: str, wanted_by: str, ttl: float) -> None:
        """Say for `ttl` seconds that `wanted_by` is asked to serve `code`."""

    def renew_all(self, owner: str, ttl: float) -> Set[str]:
        """Renew every lease of `owner`; the codes it holds."""

    def wanted(self, owner: str) -> Mapping[str, str]:
        """``{code: wanted_by}`` for `owner`'s sessions another process wants."""

    def hand_over(self, code: str, owner: str, to: str, ttl: float) -> bool:
        """Give `owner`'s lease on `code` to `to`."""

    def release(self, code: str, owner: str) -> bool:
        """Give up `owner`'s lease on `code`."""


class Ownership:
    """This process's side of the leases: take, keep, hand over and give up sessions."""

    def __init__(self, store: LeaseStore, ttl: float, name: str | None = None) -> None:
        self.store = store
        self.ttl = float(ttl)
        self.name = name or process_name()

    def take(self, code: str) -> tuple[bool, float]:
        """Try to become the session's owner: ``(True, 0)`` when this process holds the lease
        now; ``(False, retry_after)`` when another process does (this process then says it is
        wanted here), `retry_after` being the seconds after which asking again makes sense."""
        if self.store.claim(code, self.name, self.ttl):
            return True, 0.0
        lease = self.store.lease(code)
        if lease is None:  # it expired in between: one more try
            if self.store.claim(code, self.name, self.ttl):
                return True, 0.0
            lease = self.store.lease(code)
        self.store.want(code, self.name, self.ttl / 2)
        left = (lease[1] - self.store.clock()) if lease else 0.0
        # A live holder hands over within about a third of a lease; a dead one's lease runs out.
        return False, round(min(max(left, 0.5), self.ttl / 3), 1)

    def keep_all(self) -> Set[str]:
        """Renew every lease this process holds (one write); the codes it still holds."""
        return self.store.renew_all(self.name, self.ttl)

    def wanted(self) -> Mapping[str, str]:
        """``{code: process}`` for held sessions another process is asked to serve."""
        return self.store.wanted(self.name)

    def hand_over(self, code: str, to: str) -> bool:
        """Give the session to process `to` (after this process's queued writes)."""
        return self.store.hand_over(code, self.name, to, self.ttl)

    def release(self, code: str) -> bool:
        """Give the session up, so the next arrival anywhere takes it at once."""
        return self.store.release(code, self.name)
