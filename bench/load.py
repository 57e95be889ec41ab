"""Load generator: many phones and one facilitator against a real Tafelronde server.

    python bench/load.py --phones 500 --tables 84            # spawns its own server (default)
    python bench/load.py --url http://127.0.0.1:5000 --key ABCD-EFGH-JKLM --phones 100

    python bench/load.py --phones 500 --tables 60 --baseline # and the bare server, CPU ratio
    python bench/load.py --phones 1500 --tables 60 --generators 2
    python bench/load.py --sweep 500,1000,2000,5000 --tables 60

Every phone is a `socketio.AsyncClient`, in `--generators` worker processes (loadgen.workers);
this process keeps the facilitators' sockets. The run:

1. signs in as the facilitator over HTTP and creates `--sessions` sessions (`flow=deal`,
   `seating=balance`, `table_count=T`), then connects a facilitator's socket to each, which
   timestamps every `host_updated`;
2. connects the phones (phone i to session i mod S), at most `--concurrency` at a time in all:
   connect, `hello`, `join`;
3. for each round: the facilitator deals one choice card to every table; each phone casts a vote
   at a random moment within `--window` seconds, then adds a note after another random pause;
4. reports latencies (see docs/benchmarks.md for what each figure means), the server's memory and
   CPU time, and writes them as JSON with `--json`.

`--baseline` runs the same schedule against bench/baseline_server.py right after, and prints both
servers' CPU per vote and their ratio. `--sweep` runs one fresh server per size instead.

This is a benchmark, not a test: it reports figures and fails only when the run itself breaks.
"""

import argparse
import asyncio
import json
import sys
from pathlib import Path

# `python bench/load.py` puts bench/ on sys.path, runpy.run_path("bench/load.py") does not: make
# the package beside this file (bench/loadgen/) importable either way.
BENCH = str(Path(__file__).resolve().parent)
if BENCH not in sys.path:
    sys.path.insert(0, BENCH)

from loadgen.common import ROOT  # noqa: E402 - after making bench/ importable
from loadgen.compare import (  # noqa: E402
    ab_table,
    baseline_args,
    comparison,
    parse_servers,
    plan_servers,
    plan_sweep,
    sweep_table,
)
from loadgen.report import report  # noqa: E402
from loadgen.run import Run  # noqa: E402
from loadgen.server import raise_open_files_limit  # noqa: E402


def parse_args(argv=None):
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument(
        "--tables", type=int, default=17, help="tables in the session (the server allows 1-60)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--window",
        type=float,
        default=2.0,
        help="seconds over which a round's votes (and notes) are spread",
    )
    parser.add_argument("--deck", default="social-media-dilemmas.en")
    parser.add_argument("--decks-dir", default=str(ROOT / "decks"))
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--spawn", action="store_true", default=True, help="start a server on a free port (default)"
    )
    where.add_argument("--url", help="use this running server instead (needs --key)")
    parser.add_argument("--key", help="the facilitator key of the --url server")
    parser.add_argument("--server-pid", type=int, help="pid of a local --url server (memory/CPU)")
    parser.add_argument(
        "--view-rate",
        type=float,
        help="VIEW_UPDATES_PER_SECOND of a spawned server (default: its own)",
    )
    parser.add_argument(
        "--server-script",
        help="spawn this launcher instead of app.py, e.g. bench/nodelay_server.py (A/B tests)",
    )
    parser.add_argument("--concurrency", type=int, default=50, help="phones connecting at once")
    parser.add_argument(
        "--transport",
        choices=("websocket", "polling"),
        default="websocket",
        help="websocket only, or start with long-polling and upgrade like browsers",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=1.5,
        help="seconds of quiet to wait for after joining and after each round",
    )
    parser.add_argument(
        "--generators", type=int, default=1, help="processes the phones are split over"
    )
    parser.add_argument(
        "--sessions", type=int, default=1, help="sessions the phones are split over"
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also run the same schedule against bench/baseline_server.py; print the CPU ratio",
    )
    parser.add_argument(
        "--servers",
        help="A/B: label=script,... run in turn (app.py: this clone; baseline: the lean "
        "baseline; a script may be another checkout's app.py); medians and ratios to 'baseline'",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="--servers: how many times each, alternating"
    )
    parser.add_argument(
        "--sweep", help="comma-separated phone counts, one fresh server each: 500,1000,2000,5000"
    )
    parser.add_argument(
        "--cap",
        type=int,
        default=2000,
        help="sweep: phones per session at most (the server's MAX_PARTICIPANTS)",
    )
    parser.add_argument(
        "--per-generator",
        type=int,
        default=1000,
        help="sweep: at least one generator process per this many phones",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="serve with N processes (CLUSTER) behind nginx and Redis; per-process figures",
    )
    parser.add_argument(
        "--store",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="with --processes: the shared SQLite file (one machine) or a throwaway PostgreSQL",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep a spawned server's folder")
    args = parser.parse_args(argv)
    if args.url:
        args.spawn = False
    return args


def run(args):
    """One run: a fresh server, the schedule, the figures (also printed)."""
    figures = asyncio.run(Run(args).execute())
    print(report(figures), flush=True)
    return figures


def main(argv=None):
    """Run the benchmark and print (and optionally save) the figures."""
    args = parse_args(argv)
    plans = [args]
    if args.sweep:
        plans = plan_sweep(args, [int(n) for n in args.sweep.split(",") if n.strip()])
    elif args.servers:
        plans = plan_servers(args, parse_servers(args.servers), args.repeat)
    most = max(p.phones for p in plans)
    limit = raise_open_files_limit(max(4096, 4 * most + 256))
    if limit < 2 * most + 64:
        raise SystemExit(f"open files limit {limit} is too low for {most} phones")
    results = {"open_files_limit": limit, "runs": []}
    for plan in plans:
        try:
            results["runs"].append(run(plan))
            if args.baseline:
                results.setdefault("baseline_runs", []).append(run(baseline_args(plan)))
                print(comparison(results["runs"][-1], results["baseline_runs"][-1]), flush=True)
        except SystemExit as failed:  # one step of a sweep that broke: say so, keep the others
            if not (args.sweep or args.servers):
                raise
            print(f"the step with {plan.phones} phones broke off: {failed}", flush=True)
            results.setdefault("failed_steps", []).append(
                {"phones": plan.phones, "why": str(failed)}
            )
        if args.json:  # after every run, so a sweep that breaks off keeps what it measured
            Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.servers:
        print(ab_table(results["runs"]))
    if args.sweep:
        print(sweep_table(results["runs"]))
        for failed in results.get("failed_steps", ()):
            print(f"broke off at {failed['phones']} phones: {failed['why']}")
        if args.baseline:
            print(sweep_table(results["baseline_runs"]).replace("Sweep", "Sweep, baseline", 1))
    if args.json:
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
