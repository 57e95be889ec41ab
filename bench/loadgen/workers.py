"""The phones, split over several generator processes (`--generators N`).

One asyncio process saturates near 1,000 phones on a 2-core machine: past that its own loop lag,
not the server, sets the latencies. So the phones live in N worker processes (multiprocessing,
"spawn": nothing of the parent's event loop is inherited), each with its own event loop, while
the parent keeps the facilitators' sockets and the server's probe. Phone i goes to worker
i mod N and to session i mod S. All processes read one clock (`time.perf_counter`, the system's
monotonic clock on Linux), so a vote sent in a worker and the facilitator update that shows it,
received in the parent, are compared directly.

The parent and a worker speak over a `multiprocessing.Pipe`, one message per phase:
parent -> worker ``("round", {code: (card, options)}, seed)`` and ``("leave",)``;
worker -> parent ``("joined", ...)``, ``("drained", ...)``, ``("done", ...)``, ``("figures", ...)``
or ``("error", traceback)``.
"""

import asyncio
import contextlib
import multiprocessing
import random
import traceback
from types import SimpleNamespace

import aiohttp
import socketio

from .analysis import count_by_event
from .clients import Command, FastJSON, Phone, connect_phone, play_round, wait_until_quiet
from .common import now
from .server import loop_lag_monitor, own_cpu, raise_open_files_limit

# The fields of a Command and of a Phone that go back to the parent.
COMMAND_FIELDS = ("kind", "table", "card", "sent", "acked", "ok", "error", "note", "session")
PHONE_FIELDS = ("index", "pid", "table", "connect_s", "join_s", "error", "dropped", "by_event")


def assign(phones, codes, generators):
    """For each worker, its phones as (global index, session code) pairs."""
    return [
        [(i, codes[i % len(codes)]) for i in range(w, phones, generators)]
        for w in range(generators)
    ]


def worker_main(conn, spec):
    """The entry point of one worker process: its phones, until the parent says leave."""
    raise_open_files_limit(4 * len(spec["phones"]) + 256)
    try:
        asyncio.run(PhoneWorker(conn, spec).serve())
    except Exception:  # noqa: BLE001 - reported to the parent, which stops the run
        with contextlib.suppress(OSError):
            conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


class PhoneWorker:
    """One worker's phones: connect them, play the rounds the parent starts, report."""

    def __init__(self, conn, spec):
        self.conn, self.spec = conn, spec
        self.phones, self.commands, self.lags, self.cpu = [], [], [], {}
        self.codes = {}  # phone index -> session code

    async def receive(self):
        """The parent's next message (read in a thread, so this loop keeps running)."""
        return await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)

    async def serve(self):
        """Every phase, in the order the parent drives them."""
        lag = asyncio.create_task(loop_lag_monitor(self.lags))
        http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar()
        )
        try:
            await self.join(http)
            while True:
                message = await self.receive()
                if message[0] == "round":
                    await self.play(message[1], message[2])
                    self.conn.send(("done", now()))
                elif message[0] == "leave":
                    self.cpu["end"] = own_cpu()
                    await self.leave()
                    self.conn.send(("figures", self.figures()))
                    return
        finally:
            lag.cancel()
            await http.close()

    async def join(self, http):
        """Connect this worker's phones, then wait until the updates of joining drained."""
        spec = self.spec
        self.cpu["start"] = own_cpu()
        for index, code in spec["phones"]:
            sio = socketio.AsyncClient(
                reconnection=False, handle_sigint=False, json=FastJSON, http_session=http
            )
            phone = Phone(index, sio, sizes={} if index == 0 else None)
            phone.listen()
            self.phones.append(phone)
            self.codes[index] = code
        gate = asyncio.Semaphore(spec["concurrency"])

        async def bounded(phone):
            async with gate:
                await connect_phone(phone, spec["url"], self.codes[phone.index], spec["transports"])

        started = now()
        await asyncio.gather(*(bounded(p) for p in self.phones))
        self.seated = [p for p in self.phones if p.pid is not None and p.table is not None]
        self.conn.send(("joined", {"start": started, "end": now(), "seated": len(self.seated)}))
        drained = await wait_until_quiet(self.phones, spec["settle"], limit=120)
        self.cpu["joined"] = own_cpu()
        self.conn.send(("drained", {"last": drained, "updates": count_by_event(self.phones)}))

    async def play(self, cards, seed):
        """One round: every seated phone votes and adds a note on its session's card."""
        self.cpu.setdefault("rounds_start", own_cpu())
        rng = random.Random(seed)
        await asyncio.gather(
            *(
                play_round(
                    p,
                    *cards[self.codes[p.index]],
                    self.spec["window"],
                    random.Random(rng.random()),
                    self.commands,
                    session=self.codes[p.index],
                )
                for p in self.seated
            )
        )

    async def leave(self):
        """Disconnect every phone."""
        gate = asyncio.Semaphore(self.spec["concurrency"])

        async def one(phone):
            async with gate:
                with contextlib.suppress(Exception):  # shutting down; errors do not matter now
                    await phone.sio.disconnect()

        for phone in self.phones:
            phone.closing = True
        await asyncio.gather(*(one(p) for p in self.phones))

    def figures(self):
        """What the parent needs, as plain picklable values."""
        return {
            "commands": [tuple(getattr(c, f) for f in COMMAND_FIELDS) for c in self.commands],
            "phones": [{f: getattr(p, f) for f in PHONE_FIELDS} for p in self.phones],
            "sizes": next((p.sizes for p in self.phones if p.sizes is not None), None),
            "lags": self.lags,
            "cpu": self.cpu,
            "cpu_total": own_cpu(),
        }


class Generators:
    """The parent's side: start the workers, send each phase to all, gather their answers."""

    def __init__(self, count, common, assignment):
        self.count = count
        context = multiprocessing.get_context("spawn")
        self.processes, self.conns, self._children = [], [], []
        for phones in assignment:
            parent, child = context.Pipe()
            spec = {**common, "phones": phones}
            process = context.Process(target=worker_main, args=(child, spec), daemon=True)
            self.processes.append(process)
            self.conns.append(parent)
            self._children.append(child)

    def start(self):
        """Start every worker process."""
        for process in self.processes:
            process.start()
        for child in self._children:
            child.close()  # the parent keeps only its own end: a dead worker then reads as EOF

    async def gather(self, kind):
        """Every worker's next message, which must be of `kind`; a worker's failure ends the run."""
        loop = asyncio.get_running_loop()

        def receive(conn):
            try:
                return conn.recv()
            except EOFError:
                return ("error", "the worker process ended without a word")

        answers = await asyncio.gather(
            *(loop.run_in_executor(None, receive, c) for c in self.conns)
        )
        for answer in answers:
            if answer[0] == "error":
                raise SystemExit(f"a generator process failed:\n{answer[1]}")
            if answer[0] != kind:
                raise SystemExit(f"a generator process said {answer[0]!r}, expected {kind!r}")
        return [answer[1] for answer in answers]

    def send(self, *message):
        """Send `message` to every worker."""
        for conn in self.conns:
            conn.send(message)

    def stop(self):
        """Wait briefly for the workers to end, then stop those still running."""
        for process in self.processes:
            if process.pid is None:
                continue
            process.join(10)
            if process.is_alive():
                process.terminate()
                process.join(5)


def merge(answers):
    """The workers' figures as one: Command objects, phone records, lags and CPU seconds."""
    commands = [
        Command(**dict(zip(COMMAND_FIELDS, c, strict=True))) for a in answers for c in a["commands"]
    ]
    phones = sorted(
        (SimpleNamespace(**p) for a in answers for p in a["phones"]), key=lambda p: p.index
    )
    return {
        "commands": commands,
        "phones": phones,
        "sizes": next((a["sizes"] for a in answers if a["sizes"] is not None), None),
        "lags": [lag for a in answers for lag in a["lags"]],
        "lag_p99_by_worker": [
            sorted(a["lags"])[int(0.99 * (len(a["lags"]) - 1))] if a["lags"] else None
            for a in answers
        ],
        "cpu": {
            phase: sum(a["cpu"].get(phase, 0.0) for a in answers)
            for phase in ("start", "joined", "rounds_start", "end")
        },
        "cpu_total": sum(a["cpu_total"] for a in answers),
    }
