"""This process among the others that serve from the same store: its name, its keys' fingerprints,
its heartbeat, and the check at start that every process of a cluster uses the same keys.

Processes of one cluster must share `SECRET_KEY` (it signs the cookies a phone or the facilitator
carries from one process to another when a session moves) and the facilitator key (`HOST_KEY`,
or the kept `instance/host_key`). A process started with other keys than the processes alive on
its store would sign the facilitator out whenever a session moves, so `check_keys` refuses to
start it, saying which key differs and from which process. Only fingerprints are compared and
stored (PBKDF2 of each key, so the stored value does not help anyone guess a key).

A process stopped on purpose removes its row (`leave`), so changing the keys of a whole cluster is:
stop every process, change the keys, start them. A killed process's row counts for
`STALE_LEASES` leases after its last heartbeat.
"""

import functools
import hashlib

from ...ownership import process_name
from ..pages import security

# A process not seen for this many lease periods is not compared with any more (killed).
STALE_LEASES = 3
FINGERPRINT_ROUNDS = 100_000


@functools.lru_cache(maxsize=8)
def fingerprint(kind, key):
    """A short, slow-to-invert fingerprint of one key (hex)."""
    salt = f"tafelronde {kind} key fingerprint".encode()
    return hashlib.pbkdf2_hmac("sha256", key.encode(), salt, FINGERPRINT_ROUNDS).hex()[:16]


def fingerprints(app):
    """``{"secret": ..., "host": ...}`` for the keys `app` uses now (the kept facilitator key may
    change while it runs: `flask host rotate-key`)."""
    with app.app_context():
        host = security.host_key().replace("-", "").replace(" ", "").upper()  # as compared
    return {
        "secret": fingerprint("secret", str(app.config["SECRET_KEY"])),
        "host": fingerprint("host", host),
    }


def node_name(app):
    """This process's name in the store: its lease owner name with several processes."""
    hub = app.extensions["tafelronde.hub"]
    if hub.ownership is not None:
        return hub.ownership.name
    name = app.extensions.get("tafelronde.node")
    if name is None:
        name = app.extensions["tafelronde.node"] = process_name(app.config["NODE_NAME"])
    return name


KEY_SETTINGS = {"secret": "SECRET_KEY", "host": "HOST_KEY"}


def check_keys(app):
    """With several processes: record this process in the store, then refuse to start (raise
    SystemExit with what to do) if a process alive on the same store uses other keys."""
    if not app.config["CLUSTER"]:
        return
    store = app.extensions["tafelronde.hub"].store
    name, mine = node_name(app), fingerprints(app)
    now = store.clock()
    store.node_seen(name, mine, now)
    since = now - STALE_LEASES * float(app.config["LEASE_SECONDS"])
    for other, theirs, seen in store.nodes_seen_since(since):
        if other == name:
            continue
        differ = [KEY_SETTINGS[kind] for kind in ("secret", "host") if theirs[kind] != mine[kind]]
        if differ:
            store.node_gone(name)
            keys = " and ".join(differ)
            verb = "differ" if len(differ) > 1 else "differs"
            raise SystemExit(
                f"Not starting: this process's {keys} {verb} from {other}'s, which serves "
                f"from the same store (seen {max(now - seen, 0):.0f} s ago). Every process of a "
                f"cluster needs the same {keys} (TAFELRONDE_{differ[0]}; docs/deploy.md): a "
                "facilitator would be signed out whenever a session moves. To change the keys "
                "of a cluster, stop every process, then start them all with the new keys."
            )


def heartbeat(app):
    """Say in the store that this process is alive, with the keys it uses now (not once it is
    stopping: its row is gone for good then)."""
    store = app.extensions["tafelronde.hub"].store
    seen = fingerprints(app)
    if app.extensions["tafelronde.live"].stopping:
        return
    store.node_seen(node_name(app), seen, store.clock())


def leave(app):
    """This process stops on purpose: its row goes, so new keys may start after it."""
    store = app.extensions["tafelronde.hub"].store
    store.node_gone(node_name(app))


def init_app(app):
    """With several processes, renew this process's row with every round of leases."""
    if app.config["CLUSTER"]:
        app.extensions["tafelronde.live"].heartbeat = functools.partial(heartbeat, app)
