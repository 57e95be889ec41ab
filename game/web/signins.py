"""Facilitator sign-ins that the server can end: each sign-in has an id, and only ids on the
server's list count, so signing out (or rotating the key) ends a sign-in everywhere at once —
the copied cookie and the facilitator sockets already open (checked on every command).

The list is a small JSON file in the instance folder (``host_signins.json``), so a restart keeps
sign-ins, and ``flask --app app host rotate-key`` (another process) ends them in a running server:
the server re-reads the file when its modification time or size changes, which costs one
``stat`` per check. The facilitator's key itself is re-read the same way when it is kept in
``instance/host_key``. At most `KEEP` sign-ins are remembered; the oldest end first.
"""

import contextlib
import json
import os
import secrets
import threading
from pathlib import Path

KEEP = 200
FILE_NAME = "host_signins.json"
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


def _parse_ids(text):
    if not text:
        return ()
    try:
        ids = json.loads(text).get("signins", [])
    except (ValueError, AttributeError):
        return ()  # a damaged file ends every sign-in rather than letting anyone in
    return tuple(i for i in ids if isinstance(i, str))


class SignIns:
    """The sign-ins in force, kept in `path`."""

    def __init__(self, path):
        self.file = KeptFile(path, _parse_ids)
        self._lock = threading.Lock()

    def valid(self, signin):
        """True when `signin` (from the browser's session) has not ended."""
        return isinstance(signin, str) and bool(signin) and signin in self.file.read()

    def start(self):
        """A new sign-in; returns its id (keep it in the browser's session)."""
        signin = secrets.token_urlsafe(18)
        with self._lock:
            self._write([*self.file.read(), signin][-KEEP:])
        return signin

    def end(self, signin):
        """End one sign-in (signing out)."""
        with self._lock:
            self._write([i for i in self.file.read() if i != signin])

    def end_all(self):
        """End every sign-in (the key changed)."""
        with self._lock:
            self._write([])

    def _write(self, ids):
        path = self.file.path
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"signins": ids}, f)
        os.replace(temporary, path)  # whole or not at all, for readers in other processes


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
