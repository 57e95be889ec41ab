"""Several runs in one invocation: Tafelronde against the bare baseline server (`--baseline`), and
the sweep over room sizes (`--sweep 500,1000,2000,5000`). Each run is a fresh server; this module
plans the runs and prints the figures side by side. Pure functions apart from `plan_*`'s copies."""

import copy
import math
from pathlib import Path

BASELINE = str(Path(__file__).resolve().parents[1] / "baseline_server.py")
SLOW_ACK_S = 0.250  # the sweep names the first step whose vote ack p99 is above this


def baseline_args(args):
    """The same run (same schedule, seed, phones, processes) against bench/baseline_server.py."""
    other = copy.copy(args)
    other.server_script = BASELINE
    other.label = "baseline"
    return other


def parse_servers(text):
    """``label=script,label=script`` (``baseline`` alone: bench/baseline_server.py; ``app.py``:
    this clone's) as [(label, script or None)]. A script may be another checkout's app.py."""
    servers = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        label, _, script = item.partition("=")
        if not script:
            script = BASELINE if label == "baseline" else label
        servers.append((label, None if script == "app.py" else script))
    if len({label for label, _ in servers}) != len(servers):
        raise SystemExit("--servers: each label once")
    return servers


def plan_servers(args, servers, repeat):
    """The runs of an A/B comparison: every server once per repetition, in turn, so a machine
    whose load drifts weighs on each server alike (A B C A B C, not A A B B C C)."""
    plans = []
    for number in range(repeat):
        for label, script in servers:
            step = copy.copy(args)
            step.server_script, step.label, step.repetition = script, label, number
            plans.append(step)
    return plans


def plan_sweep(args, sizes):
    """One run per size: one session up to `args.cap` phones, then as many sessions as needed
    (phones spread evenly); at least one generator process per `args.per_generator` phones."""
    steps = []
    for phones in sizes:
        step = copy.copy(args)
        step.phones = phones
        step.sessions = max(1, math.ceil(phones / args.cap))
        step.generators = max(args.generators, math.ceil(phones / args.per_generator))
        steps.append(step)
    return steps


def _ms(stats, key):
    value = stats.get(key)
    return "-" if value is None else f"{value * 1000:.0f}"


def _num(value, spec):
    return "-" if value is None else format(value, spec)


def summary_row(figures):
    """The figures a comparison or a sweep shows for one run."""
    srv, gen = figures["server"], figures["load_generator"]
    vote = figures["ack"]["vote"]
    lost = vote["lost_or_refused"] + figures["ack"]["note"]["lost_or_refused"]
    return {
        "phones": figures["settings"]["phones"],
        "sessions": figures["settings"]["sessions"],
        "generators": figures["settings"]["generators"],
        "seated": figures["join"]["joined"],
        "ack_p50": vote["latency"].get("p50"),
        "ack_p99": vote["latency"].get("p99"),
        "acks_lost": lost,
        "view_p50": figures["vote_to_facilitator"].get("p50"),
        "view_p99": figures["vote_to_facilitator"].get("p99"),
        "cpu_ms_per_vote": srv["cpu_ms_per_vote"],
        "rss_kb_per_phone": srv["rss_kb_per_phone"],
        "lag_p99": gen["loop_lag"].get("p99"),
        "load": figures["machine"]["load_average_before"][0],
        "join_p50": figures["join"].get("hello_join", {}).get("p50"),
        "join_p99": figures["join"].get("hello_join", {}).get("p99"),
        "joined_s": figures["join"].get("wall_s"),
        "join_cpu_s": srv.get("cpu_s", {}).get("joining"),
        "host_bytes_per_s": figures.get("throughput", {}).get("host_bytes_per_s_rounds"),
        "other_cpu_s": figures["machine"].get("cpu_s_other_processes"),
    }


AB_FIGURES = (  # (key, heading, format, what a ratio means); latencies in seconds
    ("cpu_ms_per_vote", "CPU/vote ms", ".2f", "ratio"),
    ("view_p50", "fac p50 ms", "ms", None),
    ("view_p99", "fac p99 ms", "ms", None),
    ("ack_p50", "ack p50 ms", "ms", None),
    ("join_p50", "join p50 ms", "ms", "ratio"),
    ("joined_s", "joined s", ".2f", "ratio"),
    ("join_cpu_s", "join CPU s", ".2f", "ratio"),
    ("rss_kb_per_phone", "RSS/phone KB", ".0f", "ratio"),
    ("host_bytes_per_s", "fac B/s", ",.0f", None),
    ("acks_lost", "lost", ".0f", None),
    ("load", "load", ".2f", None),
    ("other_cpu_s", "other CPU s", ".0f", None),
)


def _cell(value, spec):
    if value is None:
        return "-"
    if spec == "ms":
        return f"{value * 1000:.0f}"
    return format(value, spec)


def _median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def ab_table(all_figures, reference="baseline"):
    """Every run of an A/B comparison (one row each, in the order run), the median per server,
    and each server's ratios to `reference` (CPU per vote, join ack p50, time until all joined,
    CPU while joining, RSS per phone): the ratio of each repetition's pair, then their median."""
    rows = [(f["settings"].get("label") or "?", summary_row(f)) for f in all_figures]
    labels = list(dict.fromkeys(label for label, _ in rows))
    width = max([10, *(len(label) + 2 for label in labels)])  # no run at all: 10
    head = f"{'server':<{width}}" + "".join(f"{h:>13}" for _, h, _, _ in AB_FIGURES)
    lines = ["", f"A/B: {len(rows)} runs, in the order run", head]
    for label, row in rows:
        lines.append(
            f"{label:<{width}}" + "".join(f"{_cell(row[k], f):>13}" for k, _, f, _ in AB_FIGURES)
        )
    lines += ["", "median per server", head]
    medians = {}
    for label in labels:
        mine = [row for name, row in rows if name == label]
        medians[label] = {k: _median([r[k] for r in mine]) for k, _, _, _ in AB_FIGURES}
        lines.append(
            f"{label:<{width}}"
            + "".join(f"{_cell(medians[label][k], f):>13}" for k, _, f, _ in AB_FIGURES)
        )
    if reference in labels:
        ref_rows = [row for name, row in rows if name == reference]
        ratio_keys = [(k, h) for k, h, _, r in AB_FIGURES if r == "ratio"]
        lines += ["", f"ratios to {reference} (median of each repetition's ratio)"]
        lines.append(f"{'server':<{width}}" + "".join(f"{h:>13}" for _, h in ratio_keys))
        for label in labels:
            if label == reference:
                continue
            mine = [row for name, row in rows if name == label]
            cells = []
            for key, _ in ratio_keys:
                ratios = [
                    a[key] / b[key]
                    for a, b in zip(mine, ref_rows, strict=False)
                    if a[key] is not None and b[key]
                ]
                value = _median(ratios)
                cells.append("-" if value is None else f"{value:.2f}x")
            lines.append(f"{label:<{width}}" + "".join(f"{c:>13}" for c in cells))
    return "\n".join(lines)


def comparison(tafelronde, baseline):
    """Tafelronde's figures beside the baseline's, and the ratio of CPU per vote."""
    a, b = summary_row(tafelronde), summary_row(baseline)
    lines = [
        "",
        "Tafelronde against the bare Flask-SocketIO server (same schedule, same invocation)",
        f"{'':<32}{'tafelronde':>16}{'baseline':>16}",
        f"{'load average before':<32}{a['load']:>16.2f}{b['load']:>16.2f}",
        f"{'seated':<32}{a['seated']:>16}{b['seated']:>16}",
        f"{'acks lost (votes and notes)':<32}{a['acks_lost']:>16}{b['acks_lost']:>16}",
        f"{'server CPU per vote (ms)':<32}{_num(a['cpu_ms_per_vote'], '.2f'):>16}"
        f"{_num(b['cpu_ms_per_vote'], '.2f'):>16}",
        f"{'vote ack p50 / p99 (ms)':<32}{_ms(a, 'ack_p50') + ' / ' + _ms(a, 'ack_p99'):>16}"
        f"{_ms(b, 'ack_p50') + ' / ' + _ms(b, 'ack_p99'):>16}",
        f"{'vote -> facilitator p50 / p99':<32}"
        f"{_ms(a, 'view_p50') + ' / ' + _ms(a, 'view_p99'):>16}"
        f"{_ms(b, 'view_p50') + ' / ' + _ms(b, 'view_p99'):>16}",
        f"{'RSS per phone (KB)':<32}{_num(a['rss_kb_per_phone'], '.0f'):>16}"
        f"{_num(b['rss_kb_per_phone'], '.0f'):>16}",
        f"{'generator loop lag p99 (ms)':<32}{_ms(a, 'lag_p99'):>16}{_ms(b, 'lag_p99'):>16}",
    ]
    if a["cpu_ms_per_vote"] and b["cpu_ms_per_vote"]:
        ratio = a["cpu_ms_per_vote"] / b["cpu_ms_per_vote"]
        lines.append(f"CPU per vote, tafelronde / baseline: {ratio:.2f}x")
    return "\n".join(lines)


def sweep_table(all_figures):
    """One line per step, and the first step whose vote ack p99 passes 250 ms."""
    rows = [summary_row(f) for f in all_figures]
    lines = [
        "",
        "Sweep (vote ack and vote -> facilitator view in ms; CPU per vote in ms; RSS per phone in KB)",
        f"{'phones':>7}{'sess':>5}{'gens':>5}{'seated':>8}{'ack p50':>9}{'ack p99':>9}"
        f"{'lost':>6}{'view p50':>10}{'view p99':>10}{'cpu/vote':>10}{'rss/phone':>10}"
        f"{'lag p99':>9}{'load':>6}",
    ]
    for r in rows:
        lines.append(
            f"{r['phones']:>7}{r['sessions']:>5}{r['generators']:>5}{r['seated']:>8}"
            f"{_ms(r, 'ack_p50'):>9}{_ms(r, 'ack_p99'):>9}{r['acks_lost']:>6}"
            f"{_ms(r, 'view_p50'):>10}{_ms(r, 'view_p99'):>10}"
            f"{_num(r['cpu_ms_per_vote'], '.2f'):>10}{_num(r['rss_kb_per_phone'], '.0f'):>10}"
            f"{_ms(r, 'lag_p99'):>9}{r['load']:>6.1f}"
        )
    slow = next((r for r in rows if (r["ack_p99"] or 0) > SLOW_ACK_S), None)
    lines.append(
        f"vote ack p99 passes {SLOW_ACK_S * 1000:.0f} ms at {slow['phones']} phones"
        if slow
        else f"vote ack p99 stayed at or below {SLOW_ACK_S * 1000:.0f} ms at every step"
    )
    return "\n".join(lines)
