"""Helpers for the outage tests: several real servers started at once, readiness polled, commands
sent again by client id while the store is away, conditions waited for within a bound.

Nothing here asserts on time: `until` polls a condition within a generous bound and returns how
long it took, so the tests can report figures (printed with ``-s``) and assert the condition.
"""

import contextlib
import os
import subprocess
import threading
import time

import requests

from tests import waiting

POLL = 0.05  # seconds between looks


def start_all(servers, timeout=30):
    """Start `servers` (`tests.servers.Server`) side by side; return them once all answer."""
    errors = []

    def start(server):
        try:
            server.start(timeout=timeout)
        except Exception as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 5)
    assert not errors, errors
    return servers


def until(condition, within, what):
    """Poll `condition()` until it is true; return the seconds it took. Fails after `within`
    seconds (a bound for a stuck test, not a promise about speed)."""
    started = time.monotonic()
    waiting.until(condition, what, timeout=within, every=POLL)
    return time.monotonic() - started  # a figure for the report, never asserted


def readiness(url):
    """``(status, body)`` of `url`/readyz; ``(None, None)`` when nothing answers."""
    try:
        answer = requests.get(f"{url}/readyz", timeout=5)
    except requests.RequestException:
        return None, None
    return answer.status_code, answer.json()


def send_until_ok(phone, event, within, **payload):
    """Send `event` with its cid until it is acknowledged, waiting `retry_after` after each
    `unavailable` (as the pages do); returns ``(answer, refusals)``."""
    deadline = time.monotonic() + within
    refusals = 0
    while True:
        answer = phone.call(event, timeout=5, **payload)
        if answer.get("ok"):
            return answer, refusals
        assert answer["code"] == "unavailable", answer
        assert time.monotonic() < deadline, f"{phone.name}: {event} never acknowledged"
        refusals += 1
        time.sleep(min(answer["retry_after"], 0.5))


@contextlib.contextmanager
def small_filesystem(folder, size):
    """A tmpfs of `size` bytes mounted at `folder` (made if needed), unmounted afterwards: a
    real file system that really fills up (ENOSPC). Needs root, as CI runs; elsewhere the test
    is skipped (under CI=true it fails, `tests.services.unavailable`)."""
    from tests.services import unavailable

    if os.geteuid() != 0:
        unavailable("the full-disk test mounts a small tmpfs, which needs root (CI runs as root)")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if mounted.returncode != 0:
        unavailable(f"cannot mount a tmpfs at {folder}: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        # Lazily: a server that has not quite let go of its files must not leave it mounted.
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


def fill(folder, leave, name="ballast"):
    """Fill the file system of `folder` up to `leave` bytes free, with one file; return it."""
    info = os.statvfs(folder)
    size = max(info.f_bavail * info.f_frsize - leave, 0)
    ballast = folder / name
    with open(ballast, "wb") as output:
        output.truncate(0)
        chunk = b"\0" * (64 * 1024)
        while size > 0:
            output.write(chunk[: min(size, len(chunk))])
            size -= min(size, len(chunk))
        output.flush()
        os.fsync(output.fileno())
    return ballast
