"""Load generator: many phones and one facilitator against a real Tafelronde server.

    python bench/load.py --phones 500 --tables 84            # spawns its own server (default)
    python bench/load.py --url http://127.0.0.1:5000 --key ABCD-EFGH-JKLM --phones 100

Every phone is a `socketio.AsyncClient` in this one asyncio process. The run:

1. signs in as the facilitator over HTTP and creates a session (`flow=deal`, `seating=balance`,
   `table_count=T`), then connects the facilitator's socket, which timestamps every `host_updated`;
2. connects the phones, at most `--concurrency` at a time: connect, `hello`, `join`;
3. for each round: the facilitator deals one choice card to every table; each phone casts a vote
   at a random moment within `--window` seconds, then adds a note after another random pause;
4. reports latencies (see docs/benchmarks.md for what each figure means), the server's memory and
   CPU time, and writes them as JSON with `--json`.

This is a benchmark, not a test: it reports figures and fails only when the run itself breaks.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import socketio

try:
    import psutil
except (
    ImportError
):  # pragma: no cover - psutil is in the test extras; without it: no memory figures
    psutil = None

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ACK_TIMEOUT = 10.0
NOTE_KINDS = ("experience", "tip", "concern", "question")


# --- small helpers --------------------------------------------------------------------------------


class FastJSON:
    """The JSON codec the load generator's clients use: orjson when installed, else the standard
    library. engine.io's default decoder checks every integer in Python (`_safe_int`), which made
    decoding the servers' updates the load generator's biggest cost; here the server is trusted."""

    try:
        import orjson as _orjson
    except ImportError:  # pragma: no cover - orjson is optional
        _orjson = None

    @classmethod
    def dumps(cls, obj, **kwargs):
        """Encode to a str (python-socketio expects text)."""
        if cls._orjson is not None:
            return cls._orjson.dumps(obj).decode()
        return json.dumps(obj, **kwargs)

    @classmethod
    def loads(cls, text, **kwargs):
        """Decode str or bytes."""
        if cls._orjson is not None:
            return cls._orjson.loads(text)
        return json.loads(text)


def now():
    """The one clock every measurement uses (monotonic, seconds)."""
    return time.perf_counter()


def raise_open_files_limit(wanted):
    """Raise this process's soft RLIMIT_NOFILE (a spawned server inherits it); return the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def percentiles(values):
    """count, p50, p90, p99, max and mean of `values` (seconds), or just the count when empty."""
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(fraction):
        # Nearest rank: the smallest value with at least `fraction` of all values at or below it.
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    return {
        "n": len(ordered),
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": ordered[-1],
        "mean": sum(ordered) / len(ordered),
    }


def page_errors(html):
    """The error lines of a form page, without markup (for messages about refused forms)."""
    text = re.sub(r"<[^>]+>", "\n", html)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(line for line in lines if "valid" in line or "error" in line.lower())[:300]


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def choice_cards(deck_slug, decks_dir):
    """Ids and option counts of the deck's cards whose response is a choice."""
    path = Path(decks_dir) / f"{deck_slug}.yaml"
    try:
        sys.path.insert(0, str(ROOT))
        from game.deck import load_deck

        deck = load_deck(path)
        cards = [(c.id, len(c.response.options)) for c in deck.cards if c.response.kind == "choice"]
    except Exception:  # noqa: BLE001 - game/ is edited concurrently; the YAML itself is enough
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cards = [
            (c["id"], len(c["response"]["options"]))
            for c in data["cards"]
            if (c.get("response") or {}).get("type") == "choice"
        ]
    if not cards:
        raise SystemExit(f"deck {deck_slug} has no choice cards")
    return cards


# --- the server -----------------------------------------------------------------------------------


class SpawnedServer:
    """``python app.py`` on a free loopback port with a temporary instance folder and database."""

    def __init__(self, decks_dir, view_rate=None, port=None, script=None):
        self.dir = Path(tempfile.mkdtemp(prefix="tafelronde-bench-"))
        self.port = port or free_port()
        self.key = "BENCH-" + secrets.token_hex(4).upper()
        decks = self.dir / "decks"
        shutil.copytree(decks_dir, decks)
        self.env = {
            **os.environ,
            "TAFELRONDE_HOST_KEY": self.key,
            "TAFELRONDE_SECRET_KEY": secrets.token_hex(16),
            "TAFELRONDE_INSTANCE_PATH": str(self.dir / "instance"),
            "TAFELRONDE_DECKS_DIR": str(decks),
            "TAFELRONDE_DATABASE": str(self.dir / "bench.sqlite3"),
            "PYTHONUNBUFFERED": "1",
        }
        if view_rate is not None:
            self.env["TAFELRONDE_VIEW_UPDATES_PER_SECOND"] = str(view_rate)
        self.log = self.dir / "server.log"
        self.process = None
        # --server-script: a launcher that changes one thing for an A/B comparison (it gets the
        # same arguments and environment as app.py).
        self.script = Path(script).resolve() if script else ROOT / "app.py"

    @property
    def url(self):
        """The server's base address."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=30):
        """Start the server and wait until /healthz answers."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(self.script),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=self.dir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"server did not start:\n{self.log.read_text()}")

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
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
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


async def loop_lag_monitor(lags, every=0.05):
    """Record how late this event loop wakes up: if the load generator itself is saturated,
    its latency figures include its own delay, and this says so."""
    while True:
        before = now()
        await asyncio.sleep(every)
        lags.append(now() - before - every)


# --- the facilitator ------------------------------------------------------------------------------


async def sign_in_and_create(http, url, key, deck, tables):
    """Sign in with the host key and create a session; returns (code, cookie header)."""
    async with http.get(url + "/host") as response:
        token = CSRF.search(await response.text())
    if token is None:
        raise SystemExit("no CSRF token on /host")
    form = {"key": key, "csrf_token": token.group(1)}
    async with http.post(url + "/host", data=form, allow_redirects=False) as response:
        if response.status != 302:
            raise SystemExit(f"sign-in failed: HTTP {response.status} (wrong --key?)")
    # Signing in starts a fresh browser session, so the CSRF token changes: read the new one.
    async with http.get(url + "/") as response:
        token = CSRF.search(await response.text())
    if token is None:
        raise SystemExit("no CSRF token on / after signing in")
    form = {
        "deck": deck,
        "tables_mode": "count",
        "table_count": str(tables),
        "seating": "balance",
        "flow": "deal",
        "csrf_token": token.group(1),
    }
    async with http.post(url + "/host/sessions", data=form, allow_redirects=False) as response:
        location = response.headers.get("Location", "")
        if response.status != 302 or "/host/s/" not in location:
            raise SystemExit(
                f"creating the session failed: HTTP {response.status}: "
                f"{page_errors(await response.text())}"
            )
    code = location.rstrip("/").rsplit("/", 1)[-1]
    cookie = "; ".join(f"{c.key}={c.value}" for c in http.cookie_jar)
    return code, cookie


@dataclass
class Facilitator:
    """The facilitator's socket; keeps (arrival, table, card, votes, notes) per `host_updated`."""

    sio: socketio.AsyncClient
    updates: list = field(default_factory=list)  # (time, table id, card id, votes_in, note ids)
    messages: int = 0
    largest: int = 0  # bytes of the largest host_updated (as JSON)
    total_bytes: int = 0

    def on_host_updated(self, data):
        """Timestamp first, then keep only what the latency analysis needs."""
        arrived = now()
        self.messages += 1
        size = len(FastJSON.dumps(data))
        self.largest = max(self.largest, size)
        self.total_bytes += size
        for table in data.get("tables", ()):
            current = table.get("current")
            if not current:
                continue
            votes = current.get("votes_in", 0)
            distribution = current.get("distribution")
            if distribution:
                votes = max(votes, sum(distribution))
            notes = frozenset(n["id"] for n in current.get("notes", ()))
            self.updates.append((arrived, table["id"], current["card"]["id"], votes, notes))


# --- the phones -----------------------------------------------------------------------------------


@dataclass
class Command:
    """One command a phone sent and what became of it."""

    kind: str
    table: int | None
    card: str | None
    sent: float
    acked: float | None = None
    ok: bool = False
    error: str | None = None
    note: str | None = None


@dataclass
class Phone:
    """One participant's phone."""

    index: int
    sio: socketio.AsyncClient
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    pid: str | None = None
    table: int | None = None
    received: int = 0
    by_event: dict = field(default_factory=dict)
    last_update: float = 0.0
    sizes: dict | None = None  # event -> bytes of the last one (measured on one phone only)
    connect_s: float | None = None
    join_s: float | None = None
    error: str | None = None
    dropped: tuple | None = None  # (time, reason) when the connection ended before we closed it
    closing: bool = False

    def listen(self):
        """Count every update pushed to this phone, by event name; note a dropped connection."""
        for event in ("table_updated", "session_updated", "view_replaced"):
            self.sio.on(event, self._counter(event))
        self.sio.on("disconnect", self._on_disconnect)

    def _on_disconnect(self, reason=None):
        if not self.closing and self.dropped is None:
            self.dropped = (now(), str(reason))

    def _counter(self, event):
        def count(data=None):
            self.received += 1
            self.last_update = now()
            self.by_event[event] = self.by_event.get(event, 0) + 1
            if self.sizes is not None:
                self.sizes[event] = len(json.dumps(data, separators=(",", ":")))

        return count


async def call(sio, event, payload, record):
    """Send a command and wait for its acknowledgement, recording the outcome in `record`."""
    try:
        answer = await sio.call(event, payload, timeout=ACK_TIMEOUT)
    except socketio.exceptions.TimeoutError:
        record.error = "no ack within 10 s"
        return None
    except Exception as error:  # noqa: BLE001 - a lost connection is a result, not a crash
        record.error = f"{type(error).__name__}: {error}"
        return None
    record.acked = now()
    if isinstance(answer, dict) and answer.get("ok"):
        record.ok = True
    else:
        record.error = (
            (answer or {}).get("code", "bad answer") if isinstance(answer, dict) else "bad"
        )
    return answer


async def connect_phone(phone, url, code, transports):
    """Connect, say hello and join; keeps timings and the table the phone was seated at."""
    started = now()
    phase = "connect"
    try:
        await phone.sio.connect(url, transports=transports, wait_timeout=ACK_TIMEOUT)
        phone.connect_s = now() - started
        phase = "hello"
        hello = await phone.sio.call(
            "hello", {"code": code, "role": "participant"}, timeout=ACK_TIMEOUT
        )
        if not hello.get("ok"):
            raise RuntimeError(f"hello refused: {hello}")
        phase = "join"
        answer = await phone.sio.call(
            "join",
            {"name": f"Phone {phone.index}", "token": phone.token, "cid": "join"},
            timeout=ACK_TIMEOUT,
        )
        if not answer.get("ok"):
            raise RuntimeError(f"join refused: {answer}")
        phone.join_s = now() - started - phone.connect_s
        phone.pid = answer["pid"]
        phone.table = answer["view"]["me"]["table"]
    except Exception as error:  # noqa: BLE001 - reported in the figures
        phone.error = f"{phase}: {type(error).__name__}: {error}"


async def play_round(phone, card, options, window, rng, commands):
    """Vote at a random moment within `window`, then add a note after another random pause."""
    await asyncio.sleep(rng.uniform(0, window))
    vote = Command("vote", phone.table, card, now())
    commands.append(vote)
    payload = {"choice": rng.randrange(options), "card": card, "cid": f"v-{card}"}
    await call(phone.sio, "cast_vote", payload, vote)
    await asyncio.sleep(rng.uniform(0, window))
    note = Command("note", phone.table, card, now())
    commands.append(note)
    text = f"Phone {phone.index} thinks about {card}: " + "bla " * rng.randrange(5, 30)
    payload = {"kind": rng.choice(NOTE_KINDS), "text": text.strip(), "cid": f"n-{card}"}
    answer = await call(phone.sio, "add_note", payload, note)
    if answer and answer.get("ok"):
        note.note = answer.get("note")


# --- analysis -------------------------------------------------------------------------------------


def visibility_latencies(commands, updates):
    """Seconds from sending each vote (note) until the facilitator's view provably shows it.

    Votes: the facilitator sees only a count per table, and the server applies a table's votes in
    an order the phones cannot see. The count that surely includes vote v is U = the number of
    accepted votes at v's table sent before v's acknowledgement arrived (every vote applied before
    v was sent before v was acknowledged). v is visible at the first `host_updated` at or after
    its sending whose table shows votes_in >= U for that card. This never reports a vote earlier
    than it was visible; it can report it later only when votes of one table overlap in flight.
    Notes are exact: the acknowledgement names the note, the view lists note ids.
    Returns (vote latencies, note latencies, votes never seen, notes never seen).
    """
    by_table = {}
    for arrived, table, card, votes, notes in updates:
        by_table.setdefault((table, card), []).append((arrived, votes, notes))
    votes = [c for c in commands if c.kind == "vote" and c.ok]
    sent_by_table = {}
    for vote in votes:
        sent_by_table.setdefault((vote.table, vote.card), []).append(vote.sent)
    for times in sent_by_table.values():
        times.sort()
    vote_lat, note_lat, vote_missing, note_missing = [], [], 0, 0
    for vote in votes:
        sent = sent_by_table[(vote.table, vote.card)]
        needed = _count_le(sent, vote.acked)
        seen = next(
            (
                t
                for t, n, _ in by_table.get((vote.table, vote.card), ())
                if t >= vote.sent and n >= needed
            ),
            None,
        )
        if seen is None:
            vote_missing += 1
        else:
            vote_lat.append(seen - vote.sent)
    for note in (c for c in commands if c.kind == "note" and c.ok and c.note):
        seen = next(
            (
                t
                for t, _, ids in by_table.get((note.table, note.card), ())
                if t >= note.sent and note.note in ids
            ),
            None,
        )
        if seen is None:
            note_missing += 1
        else:
            note_lat.append(seen - note.sent)
    return vote_lat, note_lat, vote_missing, note_missing


def _count_le(sorted_times, limit):
    """How many of `sorted_times` are <= `limit` (binary search)."""
    low, high = 0, len(sorted_times)
    while low < high:
        middle = (low + high) // 2
        if sorted_times[middle] <= limit:
            low = middle + 1
        else:
            high = middle
    return low


async def wait_until_quiet(phones, quiet, limit):
    """Wait until no phone has received anything for `quiet` seconds (at most `limit`);
    returns the time the last update arrived."""
    deadline = now() + limit
    while now() < deadline:
        last = max((p.last_update for p in phones), default=0.0)
        if now() - last >= quiet:
            return last
        await asyncio.sleep(0.1)
    return max((p.last_update for p in phones), default=now())


def count_by_event(phones):
    """Updates the phones received so far, per event name."""
    totals = {}
    for phone in phones:
        for event, count in phone.by_event.items():
            totals[event] = totals.get(event, 0) + count
    return totals


def dropped_connections(phones, rounds_start):
    """Phones whose connection ended before the end of the run: when, and the reasons given."""
    dropped = [p.dropped for p in phones if p.dropped is not None]
    reasons = {}
    for _, reason in dropped:
        reasons[reason] = reasons.get(reason, 0) + 1
    return {
        "before_rounds": sum(1 for t, _ in dropped if t < rounds_start),
        "during_rounds": sum(1 for t, _ in dropped if t >= rounds_start),
        "reasons": reasons,
    }


def ack_figures(commands, kind):
    """Acknowledgement latencies of one kind of command, and how many were lost or refused."""
    mine = [c for c in commands if c.kind == kind]
    ok = [c.acked - c.sent for c in mine if c.ok]
    errors = {}
    for c in mine:
        if not c.ok:
            errors[c.error] = errors.get(c.error, 0) + 1
    return {
        "sent": len(mine),
        "ok": len(ok),
        "lost_or_refused": len(mine) - len(ok),
        "errors": errors,
        "latency": percentiles(ok),
        # The slowest few: one far slower than the p99 points at a single unlucky command.
        "slowest": sorted(ok)[-5:][::-1],
    }


# --- the run --------------------------------------------------------------------------------------


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


class Run:
    """One benchmark run: the server, the facilitator, the phones and their measurements."""

    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.cards = choice_cards(args.deck, args.decks_dir)
        self.transports = (
            ["websocket"] if args.transport == "websocket" else ["polling", "websocket"]
        )
        self.server = None
        self.url = self.key = self.pid = None
        self.probe = None
        self.lags = []
        self.phones = []
        self.host = None
        self.commands = []
        self.deals = []
        self.marks = {}  # phase name -> time
        self.http_phones = self.http_host = None
        self.own_cpu = {}  # phase -> this process's CPU seconds

    # --- phases ---------------------------------------------------------------------------------

    def start_server(self):
        """Spawn a server, or use the one given with --url."""
        args = self.args
        if args.spawn:
            self.server = SpawnedServer(args.decks_dir, args.view_rate, script=args.server_script)
            self.server.start()
            self.url, self.key, self.pid = self.server.url, self.server.key, self.server.process.pid
        else:
            if not args.key:
                raise SystemExit("--key (the facilitator key) is needed with --url")
            self.url, self.key, self.pid = args.url.rstrip("/"), args.key, args.server_pid
        self.probe = ServerProbe(self.pid)
        self.probe.mark("start")
        self.own_cpu["start"] = own_cpu()

    def client(self, http):
        """A Socket.IO client that never reconnects on its own (a lost socket is a result)."""
        return socketio.AsyncClient(
            reconnection=False, handle_sigint=False, json=FastJSON, http_session=http
        )

    async def open_session(self):
        """Sign in, create the session and connect the facilitator's socket."""
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            self.code, cookie = await sign_in_and_create(
                http, self.url, self.key, self.args.deck, self.args.tables
            )
        # engine.io moves a Cookie header into the HTTP session's cookie jar before opening the
        # WebSocket, so the facilitator needs a jar that keeps cookies (the phones' keeps none).
        self.http_host = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.host = Facilitator(self.client(self.http_host))
        self.host.sio.on("host_updated", self.host.on_host_updated)
        await self.host.sio.connect(
            self.url,
            headers={"Cookie": cookie},
            transports=self.transports,
            wait_timeout=ACK_TIMEOUT,
        )
        hello = await self.host.sio.call(
            "hello", {"code": self.code, "role": "facilitator"}, timeout=ACK_TIMEOUT
        )
        if not hello.get("ok"):
            raise SystemExit(f"facilitator hello refused: {hello}")

    async def join_phones(self):
        """Connect every phone, `--concurrency` at a time, and wait until their updates drain."""
        args = self.args
        print(
            f"session {self.code} on {self.url}: {args.tables} tables; "
            f"connecting {args.phones} phones",
            flush=True,
        )
        for index in range(args.phones):
            phone = Phone(index, self.client(self.http_phones), sizes={} if index == 0 else None)
            phone.listen()
            self.phones.append(phone)
        gate = asyncio.Semaphore(args.concurrency)

        async def bounded(phone):
            async with gate:
                await connect_phone(phone, self.url, self.code, self.transports)

        self.marks["join_start"] = now()
        await asyncio.gather(*(bounded(p) for p in self.phones))
        self.marks["joined"] = now()
        self.seated = [p for p in self.phones if p.pid is not None and p.table is not None]
        print(
            f"  {len(self.seated)}/{len(self.phones)} phones joined in "
            f"{self.marks['joined'] - self.marks['join_start']:.1f} s",
            flush=True,
        )
        # Every join is broadcast to the phones already there; wait until that has drained, so
        # the rounds measure voting and not the tail of the join rush.
        self.marks["drained"] = await wait_until_quiet(self.phones, args.settle, limit=120)
        self.probe.mark("joined")
        self.own_cpu["joined"] = own_cpu()
        self.join_updates = count_by_event(self.phones)
        print(
            f"  updates from joining drained "
            f"{max(0.0, self.marks['drained'] - self.marks['joined']):.1f} s after the last join",
            flush=True,
        )

    async def play_rounds(self):
        """Deal a card per round; every seated phone votes and adds a note."""
        args = self.args
        self.marks["rounds_start"] = now()
        self.probe.mark("rounds_start")
        self.own_cpu["rounds_start"] = own_cpu()
        for number in range(args.rounds):
            card, options = self.cards[number % len(self.cards)]
            deal = Command("deal", None, card, now())
            await call(self.host.sio, "deal_card", {"card": card, "cid": f"deal-{number}"}, deal)
            self.deals.append(deal)
            if not deal.ok:
                raise SystemExit(f"dealing {card} failed: {deal.error}")
            begun = now()
            await asyncio.gather(
                *(
                    play_round(
                        p,
                        card,
                        options,
                        args.window,
                        random.Random(self.rng.random()),
                        self.commands,
                    )
                    for p in self.seated
                )
            )
            print(f"  round {number + 1}: {card}, {now() - begun:.1f} s", flush=True)
            await asyncio.sleep(args.settle)  # let the last coalesced update arrive
        self.marks["rounds_end"] = now()
        self.probe.mark("end")
        self.own_cpu["end"] = own_cpu()

    async def leave(self):
        """Disconnect every phone and the facilitator."""
        gate = asyncio.Semaphore(self.args.concurrency)

        async def one(sio):
            async with gate:
                with contextlib.suppress(Exception):  # shutting down; errors do not matter now
                    await sio.disconnect()

        for phone in self.phones:
            phone.closing = True
        await asyncio.gather(*(one(p.sio) for p in self.phones))
        if self.host is not None:
            await one(self.host.sio)

    async def execute(self):
        """All phases; returns the figures."""
        self.start_server()
        machine = Machine()
        background = [
            asyncio.create_task(self.probe.watch()),
            asyncio.create_task(loop_lag_monitor(self.lags)),
        ]
        self.http_phones = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar()
        )
        figures = {}
        try:
            await self.open_session()
            await self.join_phones()
            await self.play_rounds()
            figures = self.figures(machine)
            await self.leave()
        finally:
            for task in background:
                task.cancel()
            await self.http_phones.close()
            if self.http_host is not None:
                await self.http_host.close()
            if self.server is not None:
                self.stop_server(figures)
        return figures

    def stop_server(self, figures):
        """Stop a spawned server; its log's error lines go into the figures (or to stderr)."""
        problems = self.server.problems()
        if figures:
            figures["server"]["log_problems"] = len(problems)
            figures["server"]["log_sample"] = problems[:10]
        elif problems:
            print("\n".join(problems[-20:]), file=sys.stderr)
        self.server.stop(keep=self.args.keep)
        if self.args.keep:
            print(f"server folder kept: {self.server.dir}")

    # --- figures --------------------------------------------------------------------------------

    def figures(self, machine):
        """Everything measured, as a JSON-ready dict (times in seconds, memory in MB)."""
        args, marks, probe = self.args, self.marks, self.probe
        vote_lat, note_lat, votes_unseen, notes_unseen = visibility_latencies(
            self.commands, self.host.updates
        )
        rounds_wall = marks["rounds_end"] - marks["rounds_start"]
        accepted = sum(1 for c in self.commands if c.ok)
        samples = probe.marks

        def delta(a, b, key):
            if samples.get(a) and samples.get(b):
                return samples[b][key] - samples[a][key]
            return None

        server_cpu = {
            "joining": delta("start", "joined", "cpu"),
            "rounds": delta("rounds_start", "end", "cpu"),
        }
        generator_cpu = own_cpu()
        busy = machine.busy_since_start()
        server_total = delta("start", "end", "cpu")
        return {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "load_average_before": machine.load_start,
                "cpu_s_all_processes": busy,
                "listen_overflows": machine.overflows_since_start(),
                "cpu_s_other_processes": (
                    busy - generator_cpu - server_total
                    if busy is not None and server_total is not None
                    else None
                ),
            },
            "settings": {
                "phones": args.phones,
                "tables": args.tables,
                "rounds": args.rounds,
                "window_s": args.window,
                "concurrency": args.concurrency,
                "transport": args.transport,
                "deck": args.deck,
                "url": self.url,
                "spawned": self.server is not None,
                "view_rate": args.view_rate,
                "server_script": args.server_script or "app.py",
                "seed": args.seed,
                "json_codec": "orjson" if FastJSON._orjson else "json",
            },
            "join": {
                "joined": len(self.seated),
                "failed": len(self.phones) - len(self.seated),
                "errors": sorted({p.error for p in self.phones if p.error})[:5],
                "wall_s": marks["joined"] - marks["join_start"],
                "drain_s": max(0.0, marks["drained"] - marks["joined"]),
                "updates_to_phones": self.join_updates,
                "connect": percentiles(
                    [p.connect_s for p in self.phones if p.connect_s is not None]
                ),
                "hello_join": percentiles([p.join_s for p in self.phones if p.join_s is not None]),
            },
            "dropped_connections": dropped_connections(self.phones, marks["rounds_start"]),
            "vote_to_facilitator": {**percentiles(vote_lat), "never_seen": votes_unseen},
            "note_to_facilitator": {**percentiles(note_lat), "never_seen": notes_unseen},
            "ack": {
                "vote": ack_figures(self.commands, "vote"),
                "note": ack_figures(self.commands, "note"),
                "deal": ack_figures(self.deals, "deal"),
            },
            "throughput": {
                "rounds_wall_s": rounds_wall,
                "commands_accepted": accepted,
                "commands_per_s": accepted / rounds_wall if accepted else None,
                "host_updates": self.host.messages,
                "phone_updates_by_event": count_by_event(self.phones),
                "update_bytes_sample": self.phones[0].sizes if self.phones else None,
                "host_updated_largest_bytes": self.host.largest,
                "host_updated_total_bytes": self.host.total_bytes,
            },
            "server": {
                "pid": self.pid,
                "rss_mb": {name: (s["rss"] / 2**20 if s else None) for name, s in samples.items()},
                "peak_rss_mb": probe.peak_rss / 2**20 if probe.process else None,
                "cpu_s": server_cpu,
                "cpu_share_rounds": (
                    server_cpu["rounds"] / rounds_wall
                    if server_cpu["rounds"] is not None and rounds_wall > 0
                    else None
                ),
                "threads_end": (samples.get("end") or {}).get("threads"),
                "open_fds_end": (samples.get("end") or {}).get("fds"),
            },
            "load_generator": {
                "cpu_s": generator_cpu,
                "cpu_s_joining": self.own_cpu["joined"] - self.own_cpu["start"],
                "cpu_s_rounds": self.own_cpu["end"] - self.own_cpu["rounds_start"],
                "loop_lag": percentiles(self.lags),
            },
        }


# --- reporting ------------------------------------------------------------------------------------


def _ms(stats, key):
    value = stats.get(key)
    return "-" if value is None else f"{value * 1000:.0f}"


def _events(counts):
    return ", ".join(f"{count} {event}" for event, count in sorted(counts.items())) or "none"


def _mb(value):
    return "-" if value is None else f"{value:.0f} MB"


def _s(value):
    return "-" if value is None else f"{value:.1f} s"


def report(figures):
    """The figures as a plain-text table."""
    s, machine = figures["settings"], figures["machine"]
    lines = [
        "",
        f"Tafelronde load: {s['phones']} phones, {s['tables']} tables, {s['rounds']} rounds, "
        f"vote window {s['window_s']} s, {s['transport']}, {machine['cpus']} CPUs",
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
    errors = {**ack["vote"]["errors"], **ack["note"]["errors"]}
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
        f"({thr['commands_per_s'] or 0:.0f}/s); {thr['host_updates']} host_updated received",
        f"updates to phones, all   {_events(thr['phone_updates_by_event'])}",
        f"update sizes (bytes)     {thr['update_bytes_sample']}, largest host_updated "
        f"{thr['host_updated_largest_bytes']}",
        f"server RSS               start {_mb(rss.get('start'))}, joined {_mb(rss.get('joined'))}, "
        f"end {_mb(rss.get('end'))}, peak {_mb(srv['peak_rss_mb'])}",
        f"server CPU time          {_s(srv['cpu_s']['joining'])} joining, "
        f"{_s(srv['cpu_s']['rounds'])} in rounds"
        + (
            f" ({srv['cpu_share_rounds'] * 100:.0f}% of one core)"
            if srv["cpu_share_rounds"] is not None
            else ""
        )
        + f"; {srv['threads_end']} threads, {srv['open_fds_end']} fds at end",
        f"load generator CPU time  {_s(gen['cpu_s_joining'])} joining, "
        f"{_s(gen['cpu_s_rounds'])} in rounds, {_s(gen['cpu_s'])} in all (JSON: {s['json_codec']})",
        f"other processes CPU time {_s(machine['cpu_s_other_processes'])} "
        f"(load average before: {machine['load_average_before'][0]:.2f})",
    ]
    if "log_problems" in srv:
        lines.append(f"server log problems      {srv['log_problems']}")
        lines += [f"    {line}" for line in srv["log_sample"][:5]]
    return "\n".join(lines)


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
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep a spawned server's folder")
    args = parser.parse_args(argv)
    if args.url:
        args.spawn = False
    return args


def main(argv=None):
    """Run the benchmark and print (and optionally save) the figures."""
    args = parse_args(argv)
    limit = raise_open_files_limit(max(4096, 4 * args.phones + 256))
    if limit < 2 * args.phones + 64:
        raise SystemExit(f"open files limit {limit} is too low for {args.phones} phones")
    figures = asyncio.run(Run(args).execute())
    figures["settings"]["open_files_limit"] = limit
    print(report(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
