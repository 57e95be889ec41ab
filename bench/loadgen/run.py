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
    call,
    choice_cards,
    sign_in_and_create,
)
from .cluster import Cluster
from .common import ACK_TIMEOUT, now
from .server import Machine, ServerProbe, SpawnedServer, loop_lag_monitor, own_cpu
from .workers import Generators, assign, merge


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
        self.cluster = None  # --processes N: N processes behind nginx (loadgen.cluster)
        self.usage = {}  # phase -> per-process CPU and memory (--processes)
        self.url = self.key = self.pid = None
        self.probe = None
        self.lags = []
        self.phones = []  # after the run: one record per phone, from the workers
        self.hosts = {}  # session code -> Facilitator
        self.cookies = {}  # session code -> the facilitator's cookie header
        self.host_reconnects = 0
        self.http_hosts = []
        self.generators = None
        self.merged = None
        self.commands = []
        self.deals = []
        self.marks = {}  # phase name -> time

    # --- phases ---------------------------------------------------------------------------------

    def start_server(self):
        """Spawn a server, or use the one given with --url."""
        args = self.args
        if args.processes > 1:
            self.cluster = Cluster(args.processes, args.decks_dir, args.view_rate, args.store)
            self.cluster.start()
            self.url, self.key, self.pid = self.cluster.url, self.cluster.key, None
            self.usage = {"start": self.cluster.usage()}
        elif args.spawn:
            self.server = SpawnedServer(args.decks_dir, args.view_rate, script=args.server_script)
            self.server.start()
            self.url, self.key, self.pid = self.server.url, self.server.key, self.server.process.pid
        else:
            if not args.key:
                raise SystemExit("--key (the facilitator key) is needed with --url")
            self.url, self.key, self.pid = args.url.rstrip("/"), args.key, args.server_pid
        self.probe = ServerProbe(self.pid)
        self.probe.mark("start")

    def client(self, http):
        """A Socket.IO client that never reconnects on its own (a lost socket is a result)."""
        return socketio.AsyncClient(
            reconnection=False, handle_sigint=False, json=FastJSON, http_session=http
        )

    async def open_session(self):
        """Sign in, create the sessions and connect a facilitator's socket to each."""
        args = self.args
        for _ in range(args.sessions):
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                code, cookie = await sign_in_and_create(
                    http, self.url, self.key, args.deck, args.tables
                )
            # engine.io moves a Cookie header into the HTTP session's cookie jar before opening
            # the WebSocket, so the facilitator needs a jar that keeps cookies.
            http_host = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
            self.http_hosts.append(http_host)
            host = Facilitator(self.client(http_host))
            host.listen()
            self.cookies[code] = cookie
            self.hosts[code] = host
            await self.connect_host(code)
        self.probe.mark("session_open")

    async def connect_host(self, code):
        """Connect (or reconnect) the facilitator's socket of session `code` and say hello."""
        host = self.hosts[code]
        await host.sio.connect(
            f"{self.url}/?code={code}",  # nginx routes by it (--processes)
            headers={"Cookie": self.cookies[code]},
            transports=self.transports,
            wait_timeout=ACK_TIMEOUT,
        )
        hello = await host.sio.call(
            "hello", {"code": code, "role": "facilitator"}, timeout=ACK_TIMEOUT
        )
        if not hello.get("ok"):
            raise SystemExit(f"facilitator hello refused: {hello}")

    async def join_phones(self):
        """Start the generator processes; each connects its phones; wait until updates drain."""
        args = self.args
        codes = list(self.hosts)
        print(
            f"sessions {', '.join(codes)} on {self.url}: {args.tables} tables each; connecting "
            f"{args.phones} phones from {args.generators} generator process(es)",
            flush=True,
        )
        common = {
            "url": self.url,
            "transports": self.transports,
            "concurrency": max(1, args.concurrency // args.generators),
            "settle": args.settle,
            "window": args.window,
        }
        self.generators = Generators(
            args.generators, common, assign(args.phones, codes, args.generators)
        )
        self.generators.start()
        joined = await self.generators.gather("joined")
        self.marks["join_start"] = min(j["start"] for j in joined)
        self.marks["joined"] = max(j["end"] for j in joined)
        self.seated_count = sum(j["seated"] for j in joined)
        print(
            f"  {self.seated_count}/{args.phones} phones joined in "
            f"{self.marks['joined'] - self.marks['join_start']:.1f} s",
            flush=True,
        )
        # Every join is broadcast to the phones already there; wait until that has drained, so
        # the rounds measure voting and not the tail of the join rush.
        drained = await self.generators.gather("drained")
        self.marks["drained"] = max(d["last"] for d in drained)
        self.probe.mark("joined")
        self.join_updates = {}
        for d in drained:
            for event, count in d["updates"].items():
                self.join_updates[event] = self.join_updates.get(event, 0) + count
        print(
            f"  updates from joining drained "
            f"{max(0.0, self.marks['drained'] - self.marks['joined']):.1f} s after the last join",
            flush=True,
        )

    async def play_rounds(self):
        """Deal a card per round in every session; every seated phone votes and adds a note."""
        args = self.args
        self.marks["rounds_start"] = now()
        self.probe.mark("rounds_start")
        for number in range(args.rounds):
            card, options = self.cards[number % len(self.cards)]
            for code, host in self.hosts.items():
                # A busy server may answer the deal late; the same cid makes a resend harmless
                # (the server applies it once), as a facilitator's page would resend it.
                for _ in range(3):
                    if (
                        not host.sio.connected
                    ):  # dropped by a busy server: come back, as a page does
                        self.host_reconnects += 1
                        with contextlib.suppress(Exception):  # the deal below then fails, counted
                            await host.sio.disconnect()
                            await self.connect_host(code)
                    deal = Command("deal", None, card, now(), session=code)
                    payload = {"card": card, "cid": f"deal-{number}"}
                    await call(host.sio, "deal_card", payload, deal)
                    self.deals.append(deal)
                    if deal.ok:
                        break
                else:
                    raise SystemExit(f"dealing {card} in {code} failed: {deal.error}")
            begun = now()
            cards = {code: (card, options) for code in self.hosts}
            self.generators.send("round", cards, self.rng.random())
            await self.generators.gather("done")
            print(f"  round {number + 1}: {card}, {now() - begun:.1f} s", flush=True)
            await asyncio.sleep(args.settle)  # let the last coalesced update arrive
        self.marks["rounds_end"] = now()
        self.probe.mark("end")

    async def leave(self):
        """Every worker disconnects its phones and reports; then the facilitators leave."""
        self.generators.send("leave")
        self.merged = merge(await self.generators.gather("figures"))
        self.generators.stop()
        self.commands = self.merged["commands"]
        self.phones = self.merged["phones"]
        for host in self.hosts.values():
            with contextlib.suppress(Exception):  # shutting down; errors do not matter now
                await host.sio.disconnect()

    async def execute(self):
        """All phases; returns the figures."""
        self.start_server()
        machine = Machine()
        background = [
            asyncio.create_task(self.probe.watch()),
            asyncio.create_task(loop_lag_monitor(self.lags)),
        ]
        figures = {}
        try:
            await self.open_session()
            await self.join_phones()
            await self.play_rounds()
            if self.cluster is not None:
                self.usage["end"] = self.cluster.usage()
                self.usage["sessions"] = self.cluster.sessions_per_process(list(self.hosts))
            await self.leave()
            figures = self.figures(machine)
            if self.cluster is not None:
                figures["processes"] = self.process_figures(figures)
        finally:
            for task in background:
                task.cancel()
            if self.generators is not None:
                self.generators.stop()
            for http in self.http_hosts:
                await http.close()
            if self.server is not None:
                self.stop_server(figures)
            if self.cluster is not None:
                self.cluster.stop()
        return figures

    def process_figures(self, figures):
        """Per process behind nginx: sessions served, CPU seconds of the run, CPU per vote
        (of all the run's votes, so the shares add up) and memory at the end."""
        start, end, sessions = self.usage["start"], self.usage["end"], self.usage["sessions"]
        votes = figures["ack"]["vote"]["sent"] - figures["ack"]["vote"]["lost_or_refused"]
        rows = {}
        for name, last in end.items():
            cpu = last["cpu_s"] - start[name]["cpu_s"]
            rows[name] = {
                "sessions": sessions.get(name, 0),
                "cpu_s": round(cpu, 2),
                "cpu_ms_per_vote": round(1000 * cpu / votes, 2) if votes else None,
                "rss_mb": last["rss_mb"],
            }
        return {"count": len(end), "store": self.args.store, "per_process": rows}

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
        args, marks, probe, merged = self.args, self.marks, self.probe, self.merged
        vote_lat, note_lat, votes_unseen, notes_unseen = [], [], 0, 0
        for code, host in self.hosts.items():
            mine = [c for c in self.commands if c.session == code]
            v, n, vu, nu = visibility_latencies(mine, host.updates)
            vote_lat += v
            note_lat += n
            votes_unseen += vu
            notes_unseen += nu
        rounds_wall = marks["rounds_end"] - marks["rounds_start"]
        accepted = sum(1 for c in self.commands if c.ok)
        votes_ok = sum(1 for c in self.commands if c.ok and c.kind == "vote")
        samples = probe.marks
        seated = [p for p in self.phones if p.pid is not None and p.table is not None]

        def delta(a, b, key):
            if samples.get(a) and samples.get(b):
                return samples[b][key] - samples[a][key]
            return None

        server_cpu = {
            "joining": delta("start", "joined", "cpu"),
            "rounds": delta("rounds_start", "end", "cpu"),
        }
        rss_added = delta("session_open", "joined", "rss")
        cpu = merged["cpu"]
        generator_cpu = own_cpu() + merged["cpu_total"]
        busy = machine.busy_since_start()
        server_total = delta("start", "end", "cpu")
        hosts = list(self.hosts.values())
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
                "sessions": args.sessions,
                "tables": args.tables,
                "rounds": args.rounds,
                "window_s": args.window,
                "concurrency": args.concurrency,
                "generators": args.generators,
                "transport": args.transport,
                "deck": args.deck,
                "url": self.url,
                "spawned": self.server is not None,
                "view_rate": args.view_rate,
                "server_script": args.server_script or "app.py",
                "label": getattr(args, "label", None),
                "seed": args.seed,
                "json_codec": "orjson" if FastJSON._orjson else "json",
            },
            "join": {
                "joined": len(seated),
                "failed": len(self.phones) - len(seated),
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
                "votes_accepted": votes_ok,
                "commands_per_s": accepted / rounds_wall if accepted else None,
                "host_updates": sum(h.messages for h in hosts),
                "host_reconnects": self.host_reconnects,
                "phone_updates_by_event": count_by_event(self.phones),
                "update_bytes_sample": merged["sizes"],
                "host_updated_largest_bytes": max((h.largest for h in hosts), default=0),
                "host_updated_total_bytes": sum(h.total_bytes for h in hosts),
                "table_progress": sum(h.progress for h in hosts),
                # What the facilitators received during the rounds, per second of the rounds.
                "host_bytes_per_s_rounds": (
                    sum(h.bytes_between(marks["rounds_start"], marks["rounds_end"]) for h in hosts)
                    / rounds_wall
                    if rounds_wall > 0
                    else None
                ),
            },
            "server": {
                "pid": self.pid,
                "rss_mb": {name: (s["rss"] / 2**20 if s else None) for name, s in samples.items()},
                "peak_rss_mb": probe.peak_rss / 2**20 if probe.process else None,
                "rss_kb_per_phone": (
                    rss_added / 1024 / len(seated) if rss_added is not None and seated else None
                ),
                "cpu_s": server_cpu,
                # Every phone votes once and writes one note per round: this is per vote *and*
                # its note; the same schedule for both servers, so the ratio compares like work.
                "cpu_ms_per_vote": (
                    1000 * server_cpu["rounds"] / votes_ok
                    if server_cpu["rounds"] is not None and votes_ok
                    else None
                ),
                "cpu_share_rounds": (
                    server_cpu["rounds"] / rounds_wall
                    if server_cpu["rounds"] is not None and rounds_wall > 0
                    else None
                ),
                "threads_end": (samples.get("end") or {}).get("threads"),
                "open_fds_end": (samples.get("end") or {}).get("fds"),
            },
            "load_generator": {
                "processes": args.generators,
                "cpu_s": generator_cpu,
                "cpu_s_joining": cpu["joined"] - cpu["start"],
                "cpu_s_rounds": cpu["end"] - cpu["rounds_start"],
                "loop_lag": percentiles(merged["lags"]),
                "loop_lag_p99_by_process": merged["lag_p99_by_worker"],
                "parent_loop_lag": percentiles(self.lags),
            },
        }
