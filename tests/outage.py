"""Helpers for the outage tests: several real servers started at once, readiness polled, commands
sent again by client id while the store is away, conditions waited for within a bound.

Nothing here asserts on time: `until` polls a condition within a generous bound and returns how
long it took, so the tests can report figures (printed with ``-s``) and assert the condition.
"""

import threading
import time

import requests

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
    while True:
        value = condition()
        if value:
            return time.monotonic() - started
        assert time.monotonic() - started < within, f"not within {within} s: {what}"
        time.sleep(POLL)


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
