"""The facilitator sign-ins in force, kept in the store beside the sessions.

Part of the store's interface (`GroupCommitStore` mixes it in), so every process and machine that
shares a store shares one list: signing out on one ends the sign-in on all of them, and
``flask --app app host rotate-key`` (another process) ends every sign-in of a running server.
Only random ids are kept, with when they started; at most `keep` of them, the oldest end first.
"""

from .sqltypes import MixinStore, Transaction


class SignInRecords:
    """Sign-in ids: add, check, end one, end all (uses the store's `_write` and `_read`)."""

    def signin_add(self: MixinStore, signin: str, at: float, keep: int) -> None:
        """Record sign-in `signin` (started at `at`), keeping only the `keep` newest."""

        def apply(tx: Transaction) -> None:
            tx.execute("INSERT INTO signins (id, started_at) VALUES (?, ?)", (signin, at))
            tx.execute(
                "DELETE FROM signins WHERE id NOT IN"
                " (SELECT id FROM signins ORDER BY started_at DESC, id LIMIT ?)",
                (keep,),
            )

        self._write(apply)

    def signin_valid(self: MixinStore, signin: str) -> bool:
        """True while sign-in `signin` has not ended."""
        return bool(self._read("SELECT 1 FROM signins WHERE id = ?", (signin,)))

    def signin_end(self: MixinStore, signin: str) -> None:
        """End one sign-in (signing out)."""
        self._write(lambda tx: tx.execute("DELETE FROM signins WHERE id = ?", (signin,)))

    def signin_end_all(self: MixinStore) -> None:
        """End every sign-in (the facilitator's key changed)."""
        self._write(lambda tx: tx.execute("DELETE FROM signins"))
