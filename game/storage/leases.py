"""Session leases: which serving process holds each session, and which process is asked to.

Part of the store's interface (`GroupCommitStore` mixes it in). With several processes on one
store (``CLUSTER``), a session is served by the process holding its lease; the lease runs out
unless renewed, so a process that dies lets go of its sessions by itself. A router that sends a
session's people to another process says so with a *want*; the holder reads its wants and hands
the lease over once it has written what it had (`game.ownership` holds the rules of when).
Times come from the store's clock, so tests move them by hand.
"""

from typing import Protocol

from .sqltypes import MixinStore, Transaction


class _LeaseStore(MixinStore, Protocol):
    """The store with its leases (for a lease method that uses another)."""

    def lease(self, code: str) -> tuple[str, float] | None: ...


class LeaseRecords:
    """The leases on sessions and the wants for them (uses the store's `clock`, `_write` and
    `_read`)."""

    # --- session leases --------------------------------------------------------------------------

    def claim(self: MixinStore, code: str, owner: str, ttl: float) -> bool:
        """Take (or keep) the lease on session `code` for `owner` for `ttl` seconds.

        True if `owner` holds it now: it was free, expired, or already `owner`'s (then this
        renews it). False if another owner holds an unexpired lease. Durable when it returns.
        """
        now = self.clock()

        def apply(tx: Transaction) -> bool:
            tx.execute(
                "INSERT INTO leases (code, owner, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (code) DO UPDATE SET owner = excluded.owner,"
                " expires_at = excluded.expires_at"
                " WHERE leases.owner = excluded.owner OR leases.expires_at <= ?",
                (code, owner, now + ttl, now),
            )
            row = tx.execute("SELECT owner FROM leases WHERE code = ?", (code,)).fetchone()
            return row is not None and row[0] == owner

        return self._write(apply)

    def renew(self: MixinStore, code: str, owner: str, ttl: float) -> bool:
        """Extend `owner`'s lease on `code` by `ttl` seconds from now; False if it is not
        `owner`'s any more (taken by another after it expired, or released)."""
        now = self.clock()

        def apply(tx: Transaction) -> bool:
            cursor = tx.execute(
                "UPDATE leases SET expires_at = ? WHERE code = ? AND owner = ?",
                (now + ttl, code, owner),
            )
            return cursor.rowcount == 1

        return self._write(apply)

    def renew_all(self: MixinStore, owner: str, ttl: float) -> set[str]:
        """Extend every lease `owner` holds by `ttl` seconds from now, in one write; returns the
        codes it holds (a session missing from them was taken over, released or deleted). Like
        `renew`, a lease that ran out but that nobody took is `owner`'s again."""
        now = self.clock()

        def apply(tx: Transaction) -> set[str]:
            tx.execute("UPDATE leases SET expires_at = ? WHERE owner = ?", (now + ttl, owner))
            rows = tx.execute("SELECT code FROM leases WHERE owner = ?", (owner,)).fetchall()
            return {row[0] for row in rows}

        return self._write(apply)

    def release(self: MixinStore, code: str, owner: str) -> bool:
        """Give up `owner`'s lease on `code` (True if it held one), so another may claim it at once."""

        def apply(tx: Transaction) -> bool:
            cursor = tx.execute("DELETE FROM leases WHERE code = ? AND owner = ?", (code, owner))
            return cursor.rowcount == 1

        return self._write(apply)

    def owner_of(self: _LeaseStore, code: str) -> str | None:
        """The owner of the unexpired lease on `code`, or None."""
        lease = self.lease(code)
        return lease[0] if lease else None

    def lease(self: MixinStore, code: str) -> tuple[str, float] | None:
        """``(owner, expires_at)`` of the unexpired lease on `code`, or None."""
        rows = self._read(
            "SELECT owner, expires_at FROM leases WHERE code = ? AND expires_at > ?",
            (code, self.clock()),
        )
        return tuple(rows[0]) if rows else None

    def want(self: MixinStore, code: str, wanted_by: str, ttl: float) -> None:
        """Say, for `ttl` seconds, that `wanted_by` is asked to serve `code` (a router sends the
        session's people to it) while another process holds the lease. The holder reads it
        with `wanted` and may `hand_over`. A later want replaces an earlier one."""
        until = self.clock() + ttl

        def apply(tx: Transaction) -> None:
            tx.execute(
                "INSERT INTO lease_wants (code, wanted_by, wanted_until) VALUES (?, ?, ?)"
                " ON CONFLICT (code) DO UPDATE SET wanted_by = excluded.wanted_by,"
                " wanted_until = excluded.wanted_until",
                (code, wanted_by, until),
            )

        self._write(apply)

    def wanted(self: MixinStore, owner: str) -> dict[str, str]:
        """``{code: wanted_by}`` for the sessions whose lease `owner` holds and that another
        process wants (an unexpired `want`)."""
        rows = self._read(
            "SELECT w.code, w.wanted_by FROM lease_wants w JOIN leases l ON l.code = w.code"
            " WHERE l.owner = ? AND w.wanted_by <> ? AND w.wanted_until > ?",
            (owner, owner, self.clock()),
        )
        return dict(rows)

    def hand_over(self: MixinStore, code: str, owner: str, to: str, ttl: float) -> bool:
        """Give `owner`'s lease on `code` to `to` for `ttl` seconds (True if `owner` held it);
        the want is spent. Writes queued before it by `owner` are committed before it."""
        now = self.clock()

        def apply(tx: Transaction) -> bool:
            cursor = tx.execute(
                "UPDATE leases SET owner = ?, expires_at = ? WHERE code = ? AND owner = ?",
                (to, now + ttl, code, owner),
            )
            tx.execute("DELETE FROM lease_wants WHERE code = ?", (code,))
            return cursor.rowcount == 1

        return self._write(apply)
