"""Mutation testing of the rules: how many small deliberate bugs in game/core/ the fast tests catch.

    .venv/bin/pip install -e ".[test,mutation]"
    .venv/bin/python tools/mutation.py                 # game/core/ and game/live_session.py
    .venv/bin/python tools/mutation.py --jobs 2 game/core/views.py   # one module, two workers
    .venv/bin/python tools/mutation.py --keep          # leave the work folder to inspect
    .venv/bin/python tools/mutation.py --again /tmp/tafelronde-mutation-XXXX   # after new tests

mutmut (https://pypi.org/project/mutmut/) changes one thing at a time in every function of the
given paths (``<`` for ``<=``, ``and`` for ``or``, a constant, a dropped argument...) and runs the
fast tests that reach that function (``-m "not slow and not browser"``; it learns which tests reach
which function in a first run). A mutant the tests notice is *killed*; one they do not is a
*survivor*: either a gap in the tests, or an *equivalent* mutant that behaves the same.

This is a tool for people, not a CI gate (docs/architecture.md has the last score and what the
survivors were). It never touches this checkout: it copies the tracked files into a work folder
(a temporary one unless ``--workdir``), configures mutmut there, runs it, and prints the score,
the run time and every survivor with its diff. Paths are folders or files of the repository;
a folder is mutated whole, so a new module is mutated the day it appears.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["game/core/", "game/live_session.py"]
FAST = "not slow and not browser"


def copy_checkout(workdir):
    """The tracked files of this checkout (as they are on disk now) into `workdir`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = workdir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def top_level(workdir):
    """Every file and folder at the top of the copy: the tests read docs, decks, bench/ and more
    beside the code, and mutmut runs them from its mutants/ folder, where all of it must be."""
    return sorted(p.name + ("/" if p.is_dir() else "") for p in workdir.iterdir())


# The modules of this repository: with fresh imports they must not be loaded before a mutant is.
OURS = {"app", "game", "tests", "bench", "tools"}
LIBRARIES = """
import json, sys
sys.path.insert(0, ".")
import tests.conftest  # the app, its libraries, pytest's plugins: what every test run loads
names = sorted({n.split(".")[0] for n in sys.modules} - set(sys.argv[1].split(",")))
print(json.dumps([n for n in names if not n.startswith("_")]))
"""


def preload(workdir):
    """A file naming the libraries the tests load (not this repository's modules), for the fork
    server to import once; each mutant's run then imports `game` afresh with the mutant on."""
    listed = subprocess.run(
        [sys.executable, "-c", LIBRARIES, ",".join(OURS)],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = workdir / "mutation-preload.txt"
    path.write_text("\n".join(json.loads(listed)) + "\n", encoding="utf-8")
    return path.name


def configure(workdir, paths, jobs_timeout, deselect=(), fresh_imports=False):
    """Write mutmut's settings into the copy's pyproject.toml.

    pytest's own ``pythonpath = ["."]`` goes: mutmut puts its mutants/ folder first on the path,
    and the checkout's unmutated `game` package must not shadow it.
    """
    pyproject = workdir / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^pythonpath = \["\."\]\n', "", text)
    text += "\n[tool.mutmut]\n"
    text += f"source_paths = {paths!r}\n".replace("'", '"')
    text += f"also_copy = {top_level(workdir)!r}\n".replace("'", '"')
    # mypy would read mutmut's rewritten modules (every mutant of a function beside it), not ours.
    # The translation tests read the source, where mutmut keeps each mutant's copy of a marked
    # string ('XXThere is no such step.XX') beside the original: they would fail without any
    # mutant switched on.
    selection = ["tests/", "-m", FAST, "-p", "no:randomly", "--ignore=tests/test_types.py"]
    selection += ["--ignore=tests/test_i18n.py", "--ignore=tests/test_regroup_translations.py"]
    for test in deselect:  # mutmut needs a green run first; a test that fails anyway is left out
        selection += ["--deselect", test]
    text += f"pytest_add_cli_args_test_selection = {selection!r}\n".replace("'", '"')
    text += f"timeout_multiplier = {jobs_timeout}\n"
    text += "use_git_change_detection = false\n"
    if fresh_imports:
        # Code that runs at import (the registry's tables, the event shapes) runs again with
        # each mutant on, instead of once before any: slower, and honest about that code.
        text += 'process_isolation = "forkserver"\nforkserver_warmup = "import"\n'
        text += f'preload_modules_file = "{preload(workdir)}"\n'
    pyproject.write_text(text, encoding="utf-8")


def mutmut(workdir, *args, check=True):
    """Run the mutmut command (of this interpreter's environment) in `workdir`."""
    command = [str(Path(sys.executable).parent / "mutmut"), *args]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(
            f"mutmut {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def statuses(workdir):
    """``{mutant name: status}`` of every mutant, from `mutmut results --all true`."""
    found = {}
    for line in mutmut(workdir, "results", "--all", "true").stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            found[name] = status
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=PATHS, help="folders or files to mutate")
    parser.add_argument("--jobs", type=int, default=None, help="test processes (default: CPUs)")
    parser.add_argument("--workdir", type=Path, help="where to copy and run (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.add_argument(
        "--timeout-multiplier",
        type=float,
        default=15.0,
        help="a mutant times out after this many times its tests' clean run time (mutmut's)",
    )
    parser.add_argument(
        "--deselect",
        action="append",
        default=[],
        metavar="NODEID",
        help="leave out a fast test that fails without any mutant (mutmut needs a green run)",
    )
    parser.add_argument(
        "--fresh-imports",
        action="store_true",
        help="import game/ afresh for every mutant, so code run at import is mutated too",
    )
    parser.add_argument(
        "--again",
        type=Path,
        metavar="WORKDIR",
        help="in a work folder kept by an earlier run, take this checkout's tests/ and test "
        "again only the mutants that were not killed (after writing tests for them)",
    )
    args = parser.parse_args(argv)
    if args.again:
        return again(args.again, args.jobs)
    if shutil.which("mutmut", path=str(Path(sys.executable).parent)) is None:
        sys.exit('mutmut is not installed here: .venv/bin/pip install -e ".[test,mutation]"')
    paths = [p if not (ROOT / p).is_dir() or p.endswith("/") else p + "/" for p in args.paths]
    for path in paths:
        if not (ROOT / path).exists():
            sys.exit(f"no such path in the repository: {path}")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tafelronde-mutation-"))
    started = time.monotonic()
    try:
        if workdir.exists() and any(workdir.iterdir()):
            sys.exit(f"{workdir} is not empty (mutmut keeps its results there)")
        workdir.mkdir(parents=True, exist_ok=True)
        copy_checkout(workdir)
        configure(workdir, paths, args.timeout_multiplier, args.deselect, args.fresh_imports)
        print(f"Mutating {', '.join(paths)} against the fast tests ({FAST}) in {workdir}")
        for test in args.deselect:
            print(f"  left out: {test}")
        run = ["run"] + ([f"--max-children={args.jobs}"] if args.jobs else [])
        result = mutmut(workdir, *run, check=False)
        if result.returncode != 0:
            sys.exit(f"mutmut run failed:\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}")
        found = statuses(workdir)
        minutes = (time.monotonic() - started) / 60
        report(workdir, found, minutes)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep:
            print(f"\nKept {workdir} (mutmut show NAME / mutmut browse there)")


def again(workdir, jobs):
    """Test the survivors of a kept run again against the tests as they are now."""
    started = time.monotonic()
    before = statuses(workdir)
    left = sorted(n for n, status in before.items() if status in ("survived", "no tests"))
    for place in (workdir / "tests", workdir / "mutants" / "tests"):
        shutil.rmtree(place)
        shutil.copytree(ROOT / "tests", place, ignore=shutil.ignore_patterns("__pycache__"))
    print(f"Testing {len(left)} mutants again in {workdir}")
    run = ["run"] + ([f"--max-children={jobs}"] if jobs else [])
    result = mutmut(workdir, *run, *left, check=False)
    if result.returncode != 0:
        sys.exit(f"mutmut run failed:\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}")
    report(workdir, statuses(workdir), (time.monotonic() - started) / 60)


def report(workdir, found, minutes):
    """Print the counts, the score and every survivor's diff.

    The score counts every mutant but those mutmut skipped: a mutant no fast test reaches
    ("no tests") is a survivor too. A mutant that makes the tests hang ("timeout") is caught.
    """
    counts = Counter(found.values())
    judged = len(found) - counts["skipped"]
    killed = counts["killed"] + counts["timeout"] + counts["caught by type check"]
    print(f"\n{len(found)} mutants: " + ", ".join(f"{n} {s}" for s, n in counts.most_common()))
    if judged:
        print(f"Score: {killed} of {judged} killed = {100 * killed / judged:.1f} %")
    print(f"Run time: {minutes:.1f} min")
    caught = ("killed", "timeout", "caught by type check", "skipped")
    for name in sorted(name for name, status in found.items() if status not in caught):
        shown = mutmut(workdir, "show", name, check=False).stdout.strip()
        print(f"\n{shown}")


if __name__ == "__main__":
    main()
