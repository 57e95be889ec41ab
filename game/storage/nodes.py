"""The serving processes of a store, as each one last reported itself.

Part of the store's interface (`GroupCommitStore` mixes it in). Each serving process writes its
row (`node_seen`): its name, the fingerprints of its keys, and when. That one small write is also
the readiness probe's proof that the store takes writes (`/readyz`). With several processes
(``CLUSTER``) it is their heartbeat, renewed with the leases: a process starting with other keys
than the processes alive on the same store is refused (`game.web.nodes`), and a process that
stops on purpose removes its row (`node_gone`). Only fingerprints are kept, never keys.
"""

from collections.abc import Mapping

from .sqltypes import MixinStore, Transaction

# Rows of processes not seen for this long are removed by the next write of any process.
FORGET_AFTER = 24 * 3600.0

# The fingerprints of one process's keys: {"secret": ..., "host": ...}.
Fingerprints = Mapping[str, str]


class NodeRecords:
    """The processes serving from this store (uses the store's `_write` and `_read`)."""

    def node_seen(self: MixinStore, node: str, fingerprints: Fingerprints, now: float) -> None:
        """Record that process `node` is alive at `now` with the key `fingerprints`
        (``{"secret": ..., "host": ...}``); durable when it returns. Raises
        `StoreUnavailable` when the store cannot be written."""

        def apply(tx: Transaction) -> None:
            tx.execute(
                "INSERT INTO nodes (node, secret_fp, host_fp, seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (node) DO UPDATE SET secret_fp = excluded.secret_fp,"
                " host_fp = excluded.host_fp, seen_at = excluded.seen_at",
                (node, fingerprints["secret"], fingerprints["host"], now),
            )
            tx.execute("DELETE FROM nodes WHERE seen_at < ?", (now - FORGET_AFTER,))

        self._write(apply)

    def node_gone(self: MixinStore, node: str) -> None:
        """Process `node` stops (or refused to start): forget its row."""
        self._write(lambda tx: tx.execute("DELETE FROM nodes WHERE node = ?", (node,)))

    def nodes_seen_since(self: MixinStore, since: float) -> list[tuple[str, dict[str, str], float]]:
        """``[(node, {"secret": fp, "host": fp}, seen_at)]`` of the processes seen after `since`."""
        rows = self._read(
            "SELECT node, secret_fp, host_fp, seen_at FROM nodes WHERE seen_at > ? ORDER BY node",
            (since,),
        )
        return [(node, {"secret": s, "host": h}, seen) for node, s, h, seen in rows]
