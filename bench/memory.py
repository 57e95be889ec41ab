"""Does the server's memory stay flat? 200 phones voting every 2 s for 10 minutes.

    python bench/memory.py                                  # 200 phones, 10 minutes, RSS every 30 s
    python bench/memory.py --phones 50 --minutes 2 --every 10 --warmup 20

Spawns `python app.py` (or `--server-script`), opens one session (deal flow, `--tables` tables),
seats the phones and deals one card. Then every phone casts a vote every `--interval` seconds
(each with a fresh `cid`, as a real phone sends, so the server remembers every answer), at a
random offset so the votes are spread evenly. The server's RSS is sampled every `--every`
seconds; the growth is measured from the first sample after `--warmup` seconds to the last one.
The facilitator's socket stays connected and receives every update, like a real facilitator.

A benchmark, not a test: it prints figures and fails only when the run itself breaks.
"""

import argparse
import asyncio
import json
import os
import random
import sys
from pathlib import Path

BENCH = str(Path(__file__).resolve().parent)
if BENCH not in sys.path:
    sys.path.insert(0, BENCH)

import aiohttp  # noqa: E402 - after making bench/ importable
import socketio  # noqa: E402
from loadgen.analysis import percentiles  # noqa: E402
from loadgen.clients import (  # noqa: E402
    Command,
    Facilitator,
    FastJSON,
    Phone,
    call,
    choice_cards,
    connect_phone,
    sign_in_and_create,
)
from loadgen.common import ACK_TIMEOUT, ROOT, now  # noqa: E402
from loadgen.server import (  # noqa: E402
    ServerProbe,
    SpawnedServer,
    loop_lag_monitor,
    raise_open_files_limit,
)


def parse_args(argv=None):
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--tables", type=int, default=40)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument(
        "--interval", type=float, default=2.0, help="seconds between a phone's votes"
    )
    parser.add_argument("--every", type=float, default=30.0, help="seconds between RSS samples")
    parser.add_argument(
        "--warmup", type=float, default=60.0, help="seconds before the baseline sample"
    )
    parser.add_argument("--deck", default="social-media-dilemmas.en")
    parser.add_argument("--server-script", help="spawn this launcher instead of app.py")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def client(http):
    """A Socket.IO client that never reconnects on its own."""
    return socketio.AsyncClient(
        reconnection=False, handle_sigint=False, json=FastJSON, http_session=http
    )


async def vote_forever(phone, card, options, interval, rng, stop_at, commands):
    """Cast a vote every `interval` seconds until `stop_at`, each with its own cid."""
    await asyncio.sleep(rng.uniform(0, interval))
    number = 0
    while now() < stop_at:
        began = now()
        number += 1
        record = Command("vote", phone.table, card, began)
        commands.append(record)
        payload = {"choice": rng.randrange(options), "card": card, "cid": f"v{number}"}
        await call(phone.sio, "cast_vote", payload, record)
        await asyncio.sleep(max(0.0, interval - (now() - began)))


async def sample_rss(probe, every, stop_at, samples):
    """Append (seconds since start, RSS in bytes) every `every` seconds until `stop_at`."""
    started = now()
    while True:
        sample = probe.sample()
        samples.append((now() - started, sample["rss"] if sample else None))
        print(f"  {samples[-1][0]:6.0f} s  RSS {(samples[-1][1] or 0) / 2**20:7.1f} MB", flush=True)
        if now() + every > stop_at + 1:
            return
        await asyncio.sleep(every)


def growth(samples, warmup):
    """RSS growth in percent from the first sample at or after `warmup` seconds to the last."""
    after = [(t, rss) for t, rss in samples if t >= warmup and rss]
    if len(after) < 2:
        return None, None, None
    first, last = after[0][1], after[-1][1]
    return first, last, 100.0 * (last - first) / first


async def execute(args):
    """The whole run; returns the figures."""
    server = SpawnedServer(str(ROOT / "decks"), script=args.server_script)
    server.start()
    probe = ServerProbe(server.process.pid)
    lags, commands, samples, phones, seated, host = [], [], [], [], [], None
    rng = random.Random(args.seed)
    card, options = choice_cards(args.deck, ROOT / "decks")[0]
    lag_task = asyncio.create_task(loop_lag_monitor(lags))
    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar()
    )
    http_host = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as signin:
            code, cookie = await sign_in_and_create(
                signin, server.url, server.key, args.deck, args.tables
            )
        host = Facilitator(client(http_host))
        # Counted, not kept: ten minutes of updates would make the generator's memory the story.
        host.sio.on("host_updated", lambda data=None: setattr(host, "messages", host.messages + 1))
        await host.sio.connect(server.url, headers={"Cookie": cookie}, transports=["websocket"])
        await host.sio.call("hello", {"code": code, "role": "facilitator"}, timeout=ACK_TIMEOUT)
        phones = [Phone(i, client(http)) for i in range(args.phones)]
        gate = asyncio.Semaphore(50)

        async def join(phone):
            async with gate:
                await connect_phone(phone, server.url, code, ["websocket"])

        await asyncio.gather(*(join(p) for p in phones))
        seated = [p for p in phones if p.table is not None]
        print(f"{len(seated)}/{len(phones)} phones seated in session {code}", flush=True)
        deal = Command("deal", None, card, now())
        await call(host.sio, "deal_card", {"card": card, "cid": "deal"}, deal)
        if not deal.ok:
            raise SystemExit(f"dealing failed: {deal.error}")
        stop_at = now() + 60 * args.minutes
        cpu_start = probe.sample()["cpu"]
        await asyncio.gather(
            sample_rss(probe, args.every, stop_at, samples),
            *(
                vote_forever(
                    p, card, options, args.interval, random.Random(rng.random()), stop_at, commands
                )
                for p in seated
            ),
        )
        cpu_s = probe.sample()["cpu"] - cpu_start
        for phone in phones:
            phone.closing = True
        await asyncio.gather(*(p.sio.disconnect() for p in phones), return_exceptions=True)
        await host.sio.disconnect()
    finally:
        lag_task.cancel()
        await http.close()
        await http_host.close()
        server.stop()
    first, last, percent = growth(samples, args.warmup)
    ok = [c for c in commands if c.ok]
    return {
        "settings": vars(args),
        "load_average_before": args.load_before,
        "seated": len(seated),
        "votes_sent": len(commands),
        "votes_ok": len(ok),
        "host_updates": host.messages,
        "server_cpu_s": cpu_s,
        "vote_ack": percentiles([c.acked - c.sent for c in ok]),
        "loop_lag": percentiles(lags),
        "rss_samples": samples,
        "rss_first_after_warmup_mb": first and first / 2**20,
        "rss_last_mb": last and last / 2**20,
        "rss_growth_percent": percent,
    }


def main(argv=None):
    """Run and print the figures."""
    args = parse_args(argv)
    args.load_before = os.getloadavg()
    raise_open_files_limit(4 * args.phones + 256)
    print(f"load average before: {args.load_before[0]:.2f} {args.load_before[1]:.2f}", flush=True)
    figures = asyncio.run(execute(args))
    ack = figures["vote_ack"]
    print(
        f"\n{figures['seated']} phones, {figures['votes_ok']}/{figures['votes_sent']} votes "
        f"acknowledged in {args.minutes:g} min; server CPU {figures['server_cpu_s']:.1f} s; "
        f"vote ack p50 {ack.get('p50', 0) * 1000:.0f} ms, p99 {ack.get('p99', 0) * 1000:.0f} ms; "
        f"generator loop lag p99 {figures['loop_lag'].get('p99', 0) * 1000:.0f} ms"
    )
    if figures["rss_growth_percent"] is None:
        print("too few samples after the warm-up for a growth figure")
    else:
        print(
            f"RSS {figures['rss_first_after_warmup_mb']:.1f} MB at the first sample after "
            f"{args.warmup:g} s, {figures['rss_last_mb']:.1f} MB at the end: "
            f"growth {figures['rss_growth_percent']:+.1f} %"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
