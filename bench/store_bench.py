"""Group commit in isolation: K writer threads appending single vote events to one `Store`.

    python bench/store_bench.py                    # K = 1, 2, 4, 8, 16, 32, 64; 3 s each
    python bench/store_bench.py --threads 1 16 --seconds 5 --json store.json
    python bench/store_bench.py --backend postgresql   # a throwaway local server (fsync on)
    python bench/store_bench.py --backend both --store-url postgresql://u@host/db

Each thread plays one phone: it appends one `vote_cast` event (with its client id, as the server
stores it) and waits until it is durable, then the next. While one transaction is being written,
the others' writes queue up and go into the next one together, so events per commit grows with K.
The store runs with its own settings (WAL, synchronous=FULL: an fsync per commit) on a temporary
file in `--dir` (default: the system's temporary folder, which must be a real disk to mean
anything). `run_blocking` is a plain call here: the server hands commits to an eventlet thread
pool instead, which adds a hop but not a different grouping.

`--backend postgresql` runs the same sweep on PostgreSQL: on `--store-url` (its tables get a
session BENCH2 written and deleted again), or else on a throwaway server started for the run
(tests/services.py: its data folder in the system's temporary folder, fsync and
synchronous_commit on, so each commit waits for the disk like SQLite's FULL). Events are written
fenced (`expect_seq`), as a hub that fences would.
"""

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.storage import open_store  # noqa: E402 - after making the repository importable

CODE = "BENCH2"


def session_created(now):
    """The smallest first event the store accepts (it does not check the rules)."""
    return {
        "type": "session_created",
        "code": CODE,
        "deck_id": "bench",
        "deck": {"title": "Bench deck"},
        "tables": ["Table 1"],
        "at": now,
    }


def vote(pid, number, now):
    """One vote as the server stores it."""
    return {
        "type": "vote_cast",
        "table": 0,
        "pid": pid,
        "card": f"card-{number % 20}",
        "round": 1,
        "choice": number % 4,
        "at": now,
    }


def percentile(ordered, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_once(directory, threads, seconds, with_cid, synchronous, store_url=""):
    """K threads append for `seconds`; returns the figures of this run."""
    folder = Path(tempfile.mkdtemp(prefix="store-bench-", dir=directory))
    store = open_store({"STORE_URL": store_url, "DATABASE": str(folder / "bench.sqlite3")})
    sequence = {"next": 2}
    sequence_lock = threading.Lock()
    try:
        if store_url:
            mode = "pg"
            store.delete(CODE)  # a session left by an interrupted run
        else:
            if synchronous != "FULL":
                store._db.execute(f"PRAGMA synchronous={synchronous}")
            mode = store._db.execute("PRAGMA synchronous").fetchone()[0]
        store.append(CODE, [session_created(time.time())], expect_seq=1)
        start_commits = store.commits
        latencies = [[] for _ in range(threads)]
        stop = threading.Event()
        go = threading.Barrier(threads + 1)
        errors = []

        def writer(index):
            pid = f"p{index:05d}"
            mine = latencies[index]
            go.wait()
            number = 0
            while not stop.is_set():
                applied = (pid, f"v{number}", {"ok": True}) if with_cid else None
                began = time.perf_counter()
                try:
                    # Numbered and queued under one lock, like a hub under its session's lock.
                    with sequence_lock:
                        expect = sequence["next"]
                        sequence["next"] += 1
                        write = store.submit(
                            CODE, [vote(pid, number, time.time())], applied, expect
                        )
                    store.wait(write)
                except Exception as error:  # noqa: BLE001 - counted and reported
                    errors.append(repr(error))
                    return
                mine.append(time.perf_counter() - began)
                number += 1

        workers = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(threads)]
        for worker in workers:
            worker.start()
        cpu_before = time.process_time()
        go.wait()
        began = time.perf_counter()
        time.sleep(seconds)
        stop.set()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - began
        cpu = time.process_time() - cpu_before
        commits = store.commits - start_commits
        events = sum(len(x) for x in latencies)
        stored = store.event_count(CODE) - 1
        ordered = sorted(x for per in latencies for x in per)
        return {
            "threads": threads,
            "seconds": elapsed,
            "events": events,
            "events_stored": stored,
            "events_per_s": events / elapsed,
            "commits": commits,
            "commits_per_s": commits / elapsed,
            "events_per_commit": events / commits if commits else None,
            "append_p50_ms": percentile(ordered, 0.5) * 1000 if ordered else None,
            "append_p99_ms": percentile(ordered, 0.99) * 1000 if ordered else None,
            "append_max_ms": ordered[-1] * 1000 if ordered else None,
            # Fairness: the fewest appends one thread finished. A thread that stays the commit
            # leader while others keep the queue full finishes one append in the whole run.
            "fewest_per_thread": min(len(x) for x in latencies),
            "most_per_thread": max(len(x) for x in latencies),
            "cpu_s": cpu,
            "backend": "postgresql" if store_url else "sqlite",
            "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(mode, mode),
            "errors": errors[:3],
        }
    finally:
        if store_url:
            store.delete(CODE)
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def raw_fsync_rate(directory, seconds=1.0):
    """How many write+fsync pairs per second this disk does on its own (the ceiling for K=1)."""
    fd, name = tempfile.mkstemp(prefix="fsync-", dir=directory)
    try:
        count, began = 0, time.perf_counter()
        while time.perf_counter() - began < seconds:
            os.write(fd, b"x" * 512)
            os.fsync(fd)
            count += 1
        return count / (time.perf_counter() - began)
    finally:
        os.close(fd)
        os.unlink(name)


def throwaway_postgres(stack):
    """Start a local PostgreSQL for this run (fsync on); return the URL of its bench database."""
    from tests.services import postgres_server

    server = stack.enter_context(postgres_server(fsync=True))
    return server.create_database("bench")


def print_row(row):
    """One line of the table."""
    print(
        f"{row['threads']:>7}{row['events_per_s']:>10.0f}{row['commits_per_s']:>10.0f}"
        f"{row['events_per_commit']:>10.1f}{row['append_p50_ms']:>8.1f}"
        f"{row['append_p99_ms']:>8.1f}{row['append_max_ms']:>8.1f}{row['events']:>8}"
        f"{row['fewest_per_thread']:>8}{row['synchronous']:>6}",
        flush=True,
    )
    if row["errors"] or row["events_stored"] != row["events"]:
        print(f"  problem: {row['events_stored']} stored, errors {row['errors']}")


def main(argv=None):
    """Run the sweep and print a table (and optionally JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32, 64])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--dir", default=None, help="folder for the temporary database")
    parser.add_argument(
        "--no-cid",
        action="store_true",
        help="events without a client id (one INSERT instead of two)",
    )
    parser.add_argument(
        "--synchronous",
        default="FULL",
        choices=("FULL", "NORMAL", "OFF"),
        help="override the store's PRAGMA synchronous (default: its own, FULL)",
    )
    parser.add_argument(
        "--backend", default="sqlite", choices=("sqlite", "postgresql", "both"), help="which store"
    )
    parser.add_argument(
        "--store-url",
        default="",
        help="a postgresql:// database to use (default: start a throwaway local server)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    directory = args.dir or tempfile.gettempdir()
    fsyncs = raw_fsync_rate(directory)
    print(
        f"Store group commit, {os.cpu_count()} CPUs, database in {directory}; "
        f"raw write+fsync: {fsyncs:.0f}/s"
    )
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows = []
    with contextlib.ExitStack() as stack:
        for backend in backends:
            url = ""
            if backend == "postgresql":
                url = args.store_url or throwaway_postgres(stack)
            print(f"{backend}:")
            print(
                f"{'threads':>7}{'events/s':>10}{'commits/s':>10}{'ev/commit':>10}"
                f"{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'events':>8}{'fewest':>8}{'sync':>6}"
            )
            for threads in args.threads:
                row = run_once(
                    directory, threads, args.seconds, not args.no_cid, args.synchronous, url
                )
                rows.append(row)
                print_row(row)
    if args.json:
        figures = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "raw_fsync_per_s": fsyncs,
                "directory": directory,
            },
            "with_cid": not args.no_cid,
            "rows": rows,
        }
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
