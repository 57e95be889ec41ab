"""The benchmark's moving parts keep working: the bare baseline server, several generator
processes, several sessions, the sweep plan and its tables. Tiny numbers (6 phones); only counts
are asserted, never times (the benchmarks in bench/ report times, tests do not)."""

import json
import runpy
import sys
from argparse import Namespace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


@pytest.fixture(scope="module")
def load():
    """bench/load.py as a module (it makes bench/loadgen importable)."""
    return runpy.run_path(str(BENCH / "load.py"), run_name="bench_load")


@pytest.mark.slow
def test_baseline_and_two_generators_both_produce_figures(load, tmp_path, capsys):
    out = tmp_path / "figures.json"
    argv = ["--phones", "6", "--tables", "3", "--sessions", "2", "--generators", "2"]
    argv += ["--rounds", "1", "--window", "0.3", "--settle", "0.3", "--baseline"]
    assert load["main"]([*argv, "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    runs = results["runs"] + results["baseline_runs"]
    assert [r["settings"]["server_script"].endswith("baseline_server.py") for r in runs] == [
        False,
        True,
    ]
    for figures in runs:
        assert figures["settings"]["generators"] == 2
        assert figures["join"]["joined"] == 6
        assert figures["ack"]["vote"]["ok"] == 6
        assert figures["ack"]["note"]["ok"] == 6
        assert figures["ack"]["deal"]["ok"] == 2  # one deal per session
        assert figures["throughput"]["votes_accepted"] == 6
        assert figures["server"]["cpu_ms_per_vote"] is not None
        assert figures["server"]["rss_kb_per_phone"] is not None
        # Both workers ran their event loops and measured their lag.
        assert len(figures["load_generator"]["loop_lag_p99_by_process"]) == 2
        assert figures["load_generator"]["loop_lag"]["n"] > 0
        assert figures["server"]["log_problems"] == 0
    assert "CPU per vote, tafelronde / baseline:" in capsys.readouterr().out


def test_sweep_plan_fills_one_session_to_the_cap_then_adds_sessions(load):
    sys.path.insert(0, str(BENCH))
    from loadgen.compare import plan_sweep
    from loadgen.workers import assign

    args = Namespace(phones=1, sessions=1, generators=1, cap=2000, per_generator=1000)
    steps = plan_sweep(args, [500, 1000, 2000, 5000])
    assert [(s.phones, s.sessions, s.generators) for s in steps] == [
        (500, 1, 1),
        (1000, 1, 1),
        (2000, 1, 2),
        (5000, 3, 5),
    ]
    shares = assign(7, ["A", "B"], 3)
    assert shares == [[(0, "A"), (3, "B"), (6, "A")], [(1, "B"), (4, "A")], [(2, "A"), (5, "B")]]


def test_sweep_table_names_the_first_step_with_slow_acks(load):
    sys.path.insert(0, str(BENCH))
    from loadgen.compare import sweep_table

    def figures(phones, ack_p99):
        return {
            "settings": {"phones": phones, "sessions": 1, "generators": 1},
            "join": {"joined": phones},
            "ack": {
                "vote": {"lost_or_refused": 0, "latency": {"p50": 0.01, "p99": ack_p99}},
                "note": {"lost_or_refused": 0},
            },
            "vote_to_facilitator": {"p50": 0.1, "p99": 0.2},
            "server": {"cpu_ms_per_vote": 2.0, "rss_kb_per_phone": 60.0},
            "load_generator": {"loop_lag": {"p99": 0.01}},
            "machine": {"load_average_before": [1.0, 1.0, 1.0]},
        }

    text = sweep_table([figures(500, 0.1), figures(1000, 0.3), figures(2000, 0.9)])
    assert "passes 250 ms at 1000 phones" in text
    assert "stayed at or below" in sweep_table([figures(500, 0.25)])


@pytest.mark.slow
def test_several_processes_behind_nginx_produce_figures_per_process(load, tmp_path):
    from tests.services import ServiceUnavailable, nginx_bin, unavailable

    try:
        nginx_bin()
    except ServiceUnavailable as error:
        unavailable(f"no nginx for the benchmark: {error}")
    out = tmp_path / "figures.json"
    argv = ["--phones", "6", "--tables", "2", "--sessions", "3", "--processes", "2"]
    argv += ["--rounds", "1", "--window", "0.3", "--settle", "0.3", "--json", str(out)]
    assert load["main"](argv) == 0
    figures = json.loads(out.read_text())["runs"][0]
    assert figures["join"]["joined"] == 6 and figures["ack"]["vote"]["ok"] == 6
    assert figures["vote_to_facilitator"]["never_seen"] == 0
    rows = figures["processes"]["per_process"]
    assert sorted(rows) == ["p0", "p1"]
    assert sum(row["sessions"] for row in rows.values()) == 3  # each session has one owner
    assert all(row["cpu_s"] > 0 and row["rss_mb"] > 0 for row in rows.values())


def test_servers_run_in_turn_and_the_table_gives_ratios_to_the_baseline(load):
    sys.path.insert(0, str(BENCH))
    from loadgen.compare import BASELINE, ab_table, parse_servers, plan_servers

    servers = parse_servers("before=/tmp/before/app.py,after=app.py,baseline")
    assert servers == [("before", "/tmp/before/app.py"), ("after", None), ("baseline", BASELINE)]
    plans = plan_servers(Namespace(phones=6, server_script=None), servers, 2)
    assert [(p.label, p.repetition) for p in plans] == [
        ("before", 0),
        ("after", 0),
        ("baseline", 0),
        ("before", 1),
        ("after", 1),
        ("baseline", 1),
    ]

    def figures(label, cpu, join):
        return {
            "settings": {"phones": 6, "sessions": 1, "generators": 1, "label": label},
            "join": {"joined": 6, "hello_join": {"p50": join}, "wall_s": 1.0},
            "ack": {
                "vote": {"lost_or_refused": 0, "latency": {"p50": 0.01, "p99": 0.02}},
                "note": {"lost_or_refused": 0},
            },
            "vote_to_facilitator": {"p50": 0.01, "p99": 0.02},
            "server": {"cpu_ms_per_vote": cpu, "rss_kb_per_phone": 70, "cpu_s": {"joining": 1}},
            "throughput": {"host_bytes_per_s_rounds": 1000},
            "load_generator": {"loop_lag": {"p99": 0.01}},
            "machine": {"load_average_before": [1.0, 1.0, 1.0], "cpu_s_other_processes": 3},
        }

    runs = [figures("after", 3.0, 0.2), figures("baseline", 2.0, 0.1)]
    runs += [figures("after", 2.6, 0.2), figures("baseline", 2.0, 0.1)]
    table = ab_table(runs)
    ratios = table.split("ratios to baseline")[1].splitlines()
    (after,) = [line for line in ratios if line.startswith("after")]
    assert after.split()[1:3] == ["1.40x", "2.00x"]  # median of 1.5x and 1.3x; 0.2 / 0.1
    with pytest.raises(SystemExit):
        parse_servers("a=app.py,a=other.py")
