"""One benchmark run: start (or find) the server, open a session, join the phones, play the
rounds, and collect everything measured as a JSON-ready dict."""

import asyncio
import contextlib
import os
import platform
import random
import sys
from datetime import UTC, datetime

import aiohttp
import socketio

from .analysis import (
    ack_figures,
    count_by_event,
    dropped_connections,
    percentiles,
    visibility_latencies,
)
from .clients import (
    Command,
    Facilitator,
    FastJSON,
    Phone,
    call,
    choice_cards,
    connect_phone,
    play_round,
    sign_in_and_create,
    wait_until_quiet,
)
from .common import ACK_TIMEOUT, now
from .server import Machine, ServerProbe, SpawnedServer, loop_lag_monitor, own_cpu


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
