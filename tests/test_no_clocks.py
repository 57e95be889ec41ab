"""No test asserts on wall-clock time, and none sleeps and then asserts.

On a shared CI machine a timed assertion fails when the machine is busy and a sleep before an
assertion passes when it is slow (the thing never happened yet). Tests say what they mean
instead: a count (tests/work.py), an order, a clock the test moves (Playwright's page.clock,
the hubs' injected clocks), or a bounded poll for a condition (tests/waiting.py). Speed claims
live in bench/.

This reads every module of tests/ (the harness too) and fails on:
- an ``assert`` that reads a clock, or uses a value computed from one, other than the guard of a
  bounded poll (``assert time.monotonic() < deadline``, the limit named ``*deadline*``);
- a ``time.sleep`` outside a ``while`` loop (a loop that polls, or paces a client, may sleep);
- stopwatches and fixed waits: ``perf_counter``, ``process_time``, ``timeit``,
  Playwright's ``wait_for_timeout``.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCKS = {
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "time_ns"),
    ("time", "monotonic_ns"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
}
NEVER = {"perf_counter", "perf_counter_ns", "process_time", "timeit", "wait_for_timeout"}


def _reads_clock(node):
    """True when `node` contains a call of a wall clock (``time.monotonic()`` and the like)."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            owner = call.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, call.func.attr) in CLOCKS:
                return True
    return False


def _names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


# Calls whose result is computed from their arguments' values (a time in, a time out); any other
# call (``phone.come_back(deadline)``) returns something else, so its arguments do not count.
COMPUTING = {"max", "min", "sum", "sorted", "round", "abs", "float", "int", "list", "tuple"}


def _timed_value(node, timed):
    """True when the value of `node` is a clock reading or computed from a timed name."""
    if isinstance(node, ast.Name):
        return node.id in timed
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, func.attr) in CLOCKS:
                return True
            return _timed_value(owner, timed)  # ``back.values()``
        if isinstance(func, ast.Name) and func.id in COMPUTING:
            return any(_timed_value(a, timed) for a in node.args)
        return False
    if isinstance(node, ast.Lambda):
        return False
    return any(_timed_value(child, timed) for child in ast.iter_child_nodes(node))


def _target_names(target):
    """The variables an assignment target binds or changes (``back[x] = ...`` changes `back`)."""
    while isinstance(target, ast.Subscript | ast.Attribute):
        target = target.value
    return _names(target)


def _timed_names(scope):
    """Names in `scope` (a top-level function, or the module's own statements) that hold a
    clock reading or something computed from one (flow-insensitive)."""
    timed = set()
    while True:
        before = len(timed)
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and node.value:
                value = node.value
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            elif isinstance(node, ast.For | ast.comprehension):
                value, targets = node.iter, [node.target]
            else:
                continue
            if _timed_value(value, timed):
                for target in targets:
                    timed |= _target_names(target)
        if len(timed) == before:
            return timed


def _is_poll_guard(test, timed):
    """``now < deadline``: the guard of a bounded poll, not a claim about speed."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    left, right = test.left, test.comparators[0]
    if isinstance(test.ops[0], ast.Gt | ast.GtE):
        left, right = right, left
    elif not isinstance(test.ops[0], ast.Lt | ast.LtE):
        return False
    limit = ast.unparse(right)
    return "deadline" in limit and _reads_clock(left) and not _names(left) & timed


def _in_while_loop(node, parents):
    """True when the nearest loop around `node` is a ``while`` (a poll, or a client's pacing),
    not a ``for`` that does things a fixed number of times with sleeps between."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.While):
            return True
        if isinstance(node, ast.For | ast.AsyncFor | ast.FunctionDef | ast.AsyncFunctionDef):
            return False
    return False


def problems_in(source, name="<test>"):
    """Each wall-clock assertion, straight-line sleep or stopwatch in `source`, with its line."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    scopes = {}  # node -> the timed names of its top-level function (or class, or module)
    for top in tree.body:
        timed = _timed_names(top)
        for node in ast.walk(top):
            scopes[node] = timed
    found = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        timed = scopes.get(node, set())
        if isinstance(node, ast.Assert):
            clocked = _reads_clock(node.test) or _timed_value(node.test, timed)
            if clocked and not _is_poll_guard(node.test, timed):
                found.append(f"{where}: asserts on wall-clock time: {ast.unparse(node.test)}")
        elif isinstance(node, ast.Attribute | ast.Name):
            word = node.attr if isinstance(node, ast.Attribute) else node.id
            if word in NEVER:
                found.append(f"{where}: {word} (a stopwatch or a fixed wait)")
        elif isinstance(node, ast.alias) and node.name.split(".")[0] == "timeit":
            found.append(f"{where}: imports timeit")
        if (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in ("time.sleep", "sleep")
            and not _in_while_loop(node, parents)
        ):
            found.append(f"{where}: sleeps outside a polling loop: {ast.unparse(node)}")
    return found


def test_no_test_asserts_on_wall_clock_time_or_sleeps_then_asserts():
    found = []
    for path in sorted(TESTS.glob("*.py")):
        found += problems_in(path.read_text(encoding="utf-8"), path.name)
    assert not found, "\n".join(found)


def test_the_check_finds_what_it_is_meant_to_find():
    """The kinds of timed test the suite once had (issue 24), each caught; the ways to wait that
    remain allowed, not."""
    caught = {
        "threshold": "def t():\n    s = time.perf_counter()\n    f()\n",
        "elapsed": "def t():\n    b = time.monotonic()\n    f()\n    assert time.monotonic() - b < 2\n",
        "derived": (
            "def t():\n    k = time.monotonic()\n    back = {}\n"
            "    back[1] = time.monotonic() - k\n    slowest = max(back.values())\n"
            "    assert slowest < 10\n"
        ),
        "sleep then assert": "def t():\n    go()\n    time.sleep(0.1)\n    assert done == []\n",
        "sleep per round": "def t():\n    for r in range(3):\n        time.sleep(1.2)\n        kill()\n",
        "playwright wait": "def t(page):\n    page.wait_for_timeout(500)\n",
        "deadline from elapsed": (
            "def t():\n    took = time.monotonic() - s\n    assert took < deadline\n"
        ),
    }
    for kind, source in caught.items():
        assert problems_in(source), kind
    allowed = (
        "def poll(deadline):\n    while True:\n        if ready():\n            return\n"
        "        assert time.monotonic() < deadline, 'never ready'\n        time.sleep(0.05)\n"
        "def figure():\n    start = time.monotonic()\n    f()\n"
        "    print(f'took {time.monotonic() - start:.1f} s')\n"
    )
    assert problems_in(allowed) == []
