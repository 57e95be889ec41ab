"""The processes being measured: a spawned (or given) server, its memory and CPU time, the
machine's CPU time and listen-queue overflows, and the load generator's own CPU time and loop lag."""

import asyncio
import os
import resource
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

try:
    import psutil
except (
    ImportError
):  # pragma: no cover - psutil is in the test extras; without it: no memory figures
    psutil = None

from .common import ROOT, now

if str(ROOT) not in sys.path:  # the one server harness lives with the tests
    sys.path.insert(0, str(ROOT))
from tests.servers import Server  # noqa: E402

# --- the server -----------------------------------------------------------------------------------


class SpawnedServer(Server):
    """``python app.py`` on a free loopback port with a temporary folder, its own key and decks:
    the tests' harness (`tests.servers.Server`), plus what a benchmark needs around it."""

    def __init__(self, decks_dir, view_rate=None, port=None, script=None):
        self.dir = Path(tempfile.mkdtemp(prefix="tafelronde-bench-"))
        super().__init__(
            self.dir,
            port,
            decks_dir=decks_dir,
            key="BENCH-" + secrets.token_hex(4).upper(),
            script=script,
        )
        self.env["TAFELRONDE_SECRET_KEY"] = secrets.token_hex(16)
        self.env["TAFELRONDE_DATABASE"] = str(self.dir / "bench.sqlite3")
        if view_rate is not None:
            self.env["TAFELRONDE_VIEW_UPDATES_PER_SECOND"] = str(view_rate)
        else:
            self.env.pop("TAFELRONDE_VIEW_UPDATES_PER_SECOND", None)  # the server's default

    def start(self, timeout=30):
        """Start the server and wait until /healthz answers; a failure ends the benchmark."""
        try:
            return super().start(timeout)
        except RuntimeError as error:
            self.stop()
            raise SystemExit(str(error)) from None

    def problems(self):
        """Lines of the server's log that report errors (tracebacks, ERROR, WARNING)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [
            line
            for line in text.splitlines()
            if "Traceback" in line or " ERROR " in line or " WARNING " in line
        ]

    def stop(self, keep=False):
        """Stop the server (SIGTERM, then SIGKILL) and remove its folder unless `keep`."""
        super().stop()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


class ServerProbe:
    """Memory and CPU time of the server process, sampled in the background (needs psutil)."""

    def __init__(self, pid):
        self.process = psutil.Process(pid) if (psutil and pid) else None
        self.peak_rss = 0
        self.marks = {}

    def sample(self):
        """RSS (bytes) and CPU seconds (user + system) right now, or None."""
        if self.process is None:
            return None
        try:
            with self.process.oneshot():
                rss = self.process.memory_info().rss
                cpu = self.process.cpu_times()
                threads = self.process.num_threads()
                fds = self.process.num_fds()
        except psutil.Error:
            return None
        self.peak_rss = max(self.peak_rss, rss)
        return {"rss": rss, "cpu": cpu.user + cpu.system, "threads": threads, "fds": fds}

    def mark(self, name):
        """Remember a sample under `name` (start, joined, end)."""
        self.marks[name] = self.sample()

    async def watch(self, every=0.25):
        """Keep the peak RSS up to date until cancelled."""
        while True:
            self.sample()
            await asyncio.sleep(every)


# --- this machine and this process ----------------------------------------------------------------


def raise_open_files_limit(wanted):
    """Raise this process's soft RLIMIT_NOFILE (a spawned server inherits it); return the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def own_cpu():
    """CPU seconds (user + system) this process has used so far."""
    return sum(os.times()[:2])


def listen_overflows():
    """The kernel's count of connections refused because a listen queue was full (Linux)."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:], strict=False))
            return int(table.get("ListenOverflows", 0))
    return None


class Machine:
    """CPU time of the whole machine, so a run can say how much went to other processes."""

    def __init__(self):
        self.start = psutil.cpu_times() if psutil else None
        self.load_start = os.getloadavg()
        self.overflows_start = listen_overflows()

    def overflows_since_start(self):
        """Connections the kernel dropped for a full accept queue since the start (any server)."""
        end = listen_overflows()
        return None if end is None or self.overflows_start is None else end - self.overflows_start

    def busy_since_start(self):
        """CPU seconds (all cores) spent on anything since the start, or None without psutil."""
        if self.start is None:
            return None
        end = psutil.cpu_times()
        idle = lambda t: t.idle + getattr(t, "iowait", 0.0)  # noqa: E731 - two uses, one line
        return (sum(end) - idle(end)) - (sum(self.start) - idle(self.start))


async def loop_lag_monitor(lags, every=0.05):
    """Record how late this event loop wakes up: if the load generator itself is saturated,
    its latency figures include its own delay, and this says so."""
    while True:
        before = now()
        await asyncio.sleep(every)
        lags.append(now() - before - every)
