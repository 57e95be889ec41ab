"""Bounded polls: wait for a condition, never for a guessed time.

A test that must wait for something another process or thread does (a server accepting
connections, a takeover, a phone noticed) polls for that condition with `until`. The limit is a
guard against hanging, set far above what the condition takes on a loaded machine; it is never
the claim being tested (tests/test_no_clocks.py keeps timed assertions out of tests/).
"""

import time

GUARD_SECONDS = 30.0


def until(condition, what, timeout=GUARD_SECONDS, every=0.05):
    """Return the first true value of ``condition()``, polled every `every` seconds; fail the
    test with `what` if it is still false after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"still waiting after {timeout:g} s: {what}")
        time.sleep(every)
