"""How much work a piece of code does, counted in function calls instead of timed.

A test that says "refused quickly" means "refused without doing work in proportion to what the
hostile input asks for" (expanding every alias, unpacking every byte, parsing every row). A count
of Python and C function calls made on this thread says that the same way on every machine, loaded
or not; a wall-clock limit says it only on a quiet one. Past `budget` calls the code is stopped
(`TooMuchWork`, which no ``except Exception`` swallows), so a regression fails at once instead of
running for minutes.
"""

import sys


class TooMuchWork(BaseException):
    """The code made more calls than its budget allows (raised inside it, from the profiler)."""


def counted(function, *args, budget, **kwargs):
    """``(result, calls)``: run ``function(*args, **kwargs)`` on this thread, counting every
    function call it makes; raise `TooMuchWork` past `budget` calls. Exceptions of `function`
    propagate as they are (their count is then lost: use `calls_until_raised`)."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call" or event == "c_call":
            count += 1
            if count > budget:
                raise TooMuchWork(f"over {budget:,} calls")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = function(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return result, count


def calls_until_raised(expected, function, *args, budget, **kwargs):
    """``(exception, calls)``: run `function`, which must raise `expected`; count its calls as
    `counted` does. Fails the test when it returns instead."""
    box = {}

    def run():
        try:
            function(*args, **kwargs)
        except expected as error:
            box["error"] = error
            return
        raise AssertionError(f"{function.__name__} did not raise {expected.__name__}")

    _, count = counted(run, budget=budget)
    return box["error"], count
