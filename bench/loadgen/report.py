"""The figures of a run as the plain-text table `bench/load.py` prints."""


def _ms(stats, key):
    value = stats.get(key)
    return "-" if value is None else f"{value * 1000:.0f}"


def _events(counts):
    return ", ".join(f"{count} {event}" for event, count in sorted(counts.items())) or "none"


def _mb(value):
    return "-" if value is None else f"{value:.0f} MB"


def _num(value, spec):
    return "-" if value is None else format(value, spec)


def _lags(values):
    return ", ".join("-" if v is None else f"{v * 1000:.0f} ms" for v in values)


def _s(value):
    return "-" if value is None else f"{value:.1f} s"


def report(figures):
    """The figures as a plain-text table."""
    s, machine = figures["settings"], figures["machine"]
    lines = [
        "",
        f"{s.get('label') or ('baseline' if 'baseline' in s['server_script'] else 'Tafelronde')}"
        " load: "
        f"{s['phones']} phones, {s['sessions']} session(s) of {s['tables']} tables, "
        f"{s['rounds']} rounds, vote window {s['window_s']} s, {s['transport']}, "
        f"{s['generators']} generator process(es), {machine['cpus']} CPUs",
        "",
        f"{'latency (ms)':<34}{'n':>7}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}",
    ]
    rows = [
        ("connect (socket open)", figures["join"]["connect"]),
        ("hello + join ack", figures["join"]["hello_join"]),
        ("vote -> facilitator view", figures["vote_to_facilitator"]),
        ("note -> facilitator view", figures["note_to_facilitator"]),
        ("vote ack", figures["ack"]["vote"]["latency"]),
        ("note ack", figures["ack"]["note"]["latency"]),
        ("deal ack", figures["ack"]["deal"]["latency"]),
        ("load generator loop lag", figures["load_generator"]["loop_lag"]),
    ]
    for name, stats in rows:
        lines.append(
            f"{name:<34}{stats.get('n', 0):>7}{_ms(stats, 'p50'):>8}{_ms(stats, 'p90'):>8}"
            f"{_ms(stats, 'p99'):>8}{_ms(stats, 'max'):>8}"
        )
    ack, join, thr, srv = figures["ack"], figures["join"], figures["throughput"], figures["server"]
    lost = ack["vote"]["lost_or_refused"] + ack["note"]["lost_or_refused"]
    sent = ack["vote"]["sent"] + ack["note"]["sent"]
    errors = dict(ack["vote"]["errors"])
    for error, count in ack["note"]["errors"].items():
        errors[error] = errors.get(error, 0) + count
    rss = srv["rss_mb"]
    drops = figures["dropped_connections"]
    gen = figures["load_generator"]
    lines += [
        "",
        f"phones joined            {join['joined']}/{join['joined'] + join['failed']} in "
        f"{join['wall_s']:.1f} s; their updates drained {join['drain_s']:.1f} s later"
        + (f"  errors: {join['errors']}" if join["errors"] else ""),
        f"updates while joining    {_events(join['updates_to_phones'])}",
        f"connections dropped      {drops['before_rounds']} before the rounds, "
        f"{drops['during_rounds']} during them"
        + (f"  {drops['reasons']}" if drops["reasons"] else ""),
        f"listen queue overflows   {machine.get('listen_overflows')} (kernel count, whole machine)",
        f"acks lost or refused     {lost} of {sent}" + (f"  {errors}" if errors else ""),
        f"never seen by facilitator {figures['vote_to_facilitator']['never_seen']} votes, "
        f"{figures['note_to_facilitator']['never_seen']} notes",
        f"commands accepted        {thr['commands_accepted']} in {thr['rounds_wall_s']:.1f} s "
        f"({thr['commands_per_s'] or 0:.0f}/s); {thr['host_updates']} host_updated and "
        f"{thr.get('table_progress', 0)} table_progress received; "
        f"facilitator reconnected {thr['host_reconnects']} times",
        f"to the facilitator       {_num(thr.get('host_bytes_per_s_rounds'), ',.0f')} bytes/s "
        "during the rounds",
        f"updates to phones, all   {_events(thr['phone_updates_by_event'])}",
        f"update sizes (bytes)     {thr['update_bytes_sample']}, largest host_updated "
        f"{thr['host_updated_largest_bytes']}",
        f"server RSS               start {_mb(rss.get('start'))}, joined {_mb(rss.get('joined'))}, "
        f"end {_mb(rss.get('end'))}, peak {_mb(srv['peak_rss_mb'])}",
        f"server per phone/vote    RSS {_num(srv['rss_kb_per_phone'], '.0f')} KB per seated phone "
        f"(joined minus session open); CPU {_num(srv['cpu_ms_per_vote'], '.2f')} ms per vote "
        f"(rounds' CPU / {thr['votes_accepted']} votes, each with its note)",
        f"server CPU time          {_s(srv['cpu_s']['joining'])} joining, "
        f"{_s(srv['cpu_s']['rounds'])} in rounds"
        + (
            f" ({srv['cpu_share_rounds'] * 100:.0f}% of one core)"
            if srv["cpu_share_rounds"] is not None
            else ""
        )
        + f"; {srv['threads_end']} threads, {srv['open_fds_end']} fds at end",
        f"load generator CPU time  {_s(gen['cpu_s_joining'])} joining, "
        f"{_s(gen['cpu_s_rounds'])} in rounds, {_s(gen['cpu_s'])} in all (JSON: {s['json_codec']}); "
        f"loop lag p99 per process {_lags(gen['loop_lag_p99_by_process'])}, "
        f"facilitators' process {_ms(gen['parent_loop_lag'], 'p99')} ms",
        f"other processes CPU time {_s(machine['cpu_s_other_processes'])} "
        f"(load average before: {machine['load_average_before'][0]:.2f})",
    ]
    if "processes" in figures:  # --processes: the single-server lines above are empty
        cluster = figures["processes"]
        lines.append(
            f"processes behind nginx   {cluster['count']} (CLUSTER, {cluster['store']} store, "
            "Redis); per process:"
        )
        for name, row in cluster["per_process"].items():
            lines.append(
                f"    {name}: {row['sessions']} session(s), CPU {row['cpu_s']:.1f} s "
                f"({_num(row['cpu_ms_per_vote'], '.2f')} ms per vote of the whole run), "
                f"RSS {row['rss_mb']:.0f} MB"
            )
    if "log_problems" in srv:
        lines.append(f"server log problems      {srv['log_problems']}")
        lines += [f"    {line}" for line in srv["log_sample"][:5]]
    return "\n".join(lines)
