"""Facilitator sign-ins that the server can end: each sign-in has an id, and only ids on the
store's list count (`game.storage.signins`), so signing out (or rotating the key) ends a sign-in
everywhere at once — the copied cookie and the facilitator sockets already open (checked on every
command), on every process that shares the store. At most `KEEP` sign-ins are remembered; the
oldest end first.

The facilitator's key itself, when generated, is kept in ``instance/host_key`` and re-read when
that file changes (`KeptFile`, one ``stat`` per check), so ``flask --app app host rotate-key``
(another process) changes it in a running server.
"""

import contextlib
import os
import secrets
import time
from pathlib import Path

KEEP = 200
# Host keys avoid characters people confuse when reading them off a wall (no 0/O, 1/I/L).
KEY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_host_key():
    """A fresh facilitator key: 12 characters people can read aloud, in groups of four."""
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


class KeptFile:
    """A small file read again only when it changed (modification time and size)."""

    def __init__(self, path, parse):
        self.path, self.parse = Path(path), parse
        self._stamp, self._value = None, parse(None)

    def read(self):
        """The parsed contents now (`parse(None)` while the file is missing)."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            stamp = None
        else:
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        if stamp != self._stamp:
            try:
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                text = None
            self._value, self._stamp = self.parse(text), stamp
        return self._value


class SignIns:
    """The sign-ins in force, kept in the event store."""

    def __init__(self, store, clock=time.time):
        self.store, self.clock = store, clock

    def valid(self, signin):
        """True when `signin` (from the browser's session) has not ended."""
        return isinstance(signin, str) and bool(signin) and self.store.signin_valid(signin)

    def start(self):
        """A new sign-in; returns its id (keep it in the browser's session)."""
        signin = secrets.token_urlsafe(18)
        self.store.signin_add(signin, self.clock(), KEEP)
        return signin

    def end(self, signin):
        """End one sign-in (signing out)."""
        self.store.signin_end(signin)

    def end_all(self):
        """End every sign-in (the key changed)."""
        self.store.signin_end_all()


def host_key_file(instance_path):
    """Where a generated facilitator key is kept."""
    return Path(instance_path) / "host_key"


def write_host_key(instance_path, key):
    """Replace the kept facilitator key (mode 600), atomically."""
    path = host_key_file(instance_path)
    temporary = path.with_name(".host_key.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    os.replace(temporary, path)
