"""Rate limits: a token bucket per participant, and a failed-attempt counter per address.

Participants are limited by their own identity, never by IP address: fifty phones behind one
venue's NAT share an address. Only *failed* guesses (wrong join codes, wrong host keys) count per
address, which honest people rarely make. Time is passed in.
"""

from collections import deque
from collections.abc import Hashable


class TokenBucket:
    """Allows bursts of `capacity` and `rate` per second after that."""

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.level, self.stamp = float(capacity), now

    def take(self, now: float) -> bool:
        """Spend one token if there is one."""
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.level < 1:
            return False
        self.level -= 1
        return True


class AttemptLimiter:
    """At most `limit` failures per `window` seconds per key (an address)."""

    def __init__(self, limit: int, window: float, max_keys: int = 10_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self.failures: dict[Hashable, deque[float]] = {}

    def _recent(self, key: Hashable, now: float) -> int:
        stamps = self.failures.get(key)
        if stamps is None:
            return 0
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if not stamps:
            del self.failures[key]
            return 0
        return len(stamps)

    def blocked(self, key: Hashable, now: float) -> bool:
        """True while `key` has used up its failures."""
        return self._recent(key, now) >= self.limit

    def fail(self, key: Hashable, now: float) -> None:
        """Record one failure of `key`."""
        if len(self.failures) >= self.max_keys and key not in self.failures:
            # Bound memory under a spray of addresses: forget the oldest keys first.
            for old in list(self.failures)[: self.max_keys // 10]:
                del self.failures[old]
        self.failures.setdefault(key, deque()).append(now)
