"""The server's own work per command, without sockets: rules, store, views and JSON, in one process.

    python bench/work_bench.py                              # 500 phones, 60 tables, 3 rounds
    python bench/work_bench.py --phones 1000 --rounds 2
    python bench/work_bench.py --root /tmp/before           # another checkout, same schedule

`bench/load.py` measures a whole room over real sockets, where eventlet, Socket.IO and the other
processes of a busy machine blur a change of a few percent. This drives the same schedule through
the real `Hub` and `LiveShell` of an app made by `create_app` (threading mode, a real SQLite file
with its fsyncs), on a simulated clock: phones join, the facilitator deals a card, every phone
votes and writes a note, the coalesced updates go out when they are due. Every message is encoded
the way python-socketio encodes it (one `Packet` per emit, with its binary check), and counted;
nothing is sent. It prints the CPU seconds (of this process, so other processes' load matters
less) per phase and per vote, and messages and bytes per event. Sockets, rooms and the per-socket
sends are what it leaves out: the bare baseline server pays those too.

`--root` imports `app.py` and `game/` from another checkout, for an A/B of the same schedule;
`--repeat` runs it several times and prints the median. A benchmark, not a test.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_args(argv=None):
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--tables", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=float, default=3.0, help="simulated seconds per round")
    parser.add_argument("--join-rate", type=float, default=200.0, help="joins per second")
    parser.add_argument("--view-rate", type=float, default=4.0)
    parser.add_argument("--deck", default="social-media-dilemmas.en")
    parser.add_argument("--root", default=str(HERE.parent), help="the checkout to measure")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", help="write a cProfile of the rounds to this file")
    return parser.parse_args(argv)


class Clock:
    """The simulated time the hub and the shell read."""

    def __init__(self, start=1_000_000.0):
        self.now = start

    def __call__(self):
        return self.now


class Wire:
    """Stands in for the Socket.IO server: encodes each emit as python-socketio would, counts."""

    def __init__(self, packet_class):
        import socketio.packet

        self.packet, self.Packet = socketio.packet, packet_class  # the app's own packet class
        self.messages, self.bytes = {}, {}

    def emit(self, event, data, to=None, namespace="/", **_):
        """One emit: one packet encoded (python-socketio encodes once per room)."""
        encoded = self.Packet(self.packet.EVENT, namespace=namespace, data=[event, data]).encode()
        self.messages[event] = self.messages.get(event, 0) + 1
        self.bytes[event] = self.bytes.get(event, 0) + len(encoded)

    def ack(self, answer):
        """A command's acknowledgement, encoded like python-socketio's ACK packet."""
        encoded = self.Packet(self.packet.ACK, namespace="/", data=[answer], id=1).encode()
        self.messages["(ack)"] = self.messages.get("(ack)", 0) + 1
        self.bytes["(ack)"] = self.bytes.get("(ack)", 0) + len(encoded)


def load_app(root):
    """`create_app` and the views of the checkout at `root`."""
    sys.path.insert(0, str(root))
    import app as app_module
    from game.core.command import Actor
    from game.core.views import me_view, view_for

    return app_module, Actor, me_view, view_for


def one_run(args, rng_seed):
    """One schedule; returns the figures."""
    app_module, Actor, me_view, view_for = load_app(Path(args.root).resolve())
    folder = Path(tempfile.mkdtemp(prefix="tafelronde-work-"))
    app = app_module.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "HOST_KEY": "BENCH-KEY",
            "DECKS_DIR": str(Path(args.root) / "decks"),
            "DATABASE": str(folder / "bench.sqlite3"),
            "ASYNC_MODE": "threading",
            "VIEW_UPDATES_PER_SECOND": args.view_rate,
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    hub, shell = app.extensions["tafelronde.hub"], app.extensions["tafelronde.live"]
    clock = Clock()
    hub.clock = clock
    shell.clock = clock
    shell._loop_started = True  # the trailing flush is driven below, on the simulated clock
    wire = Wire(app.extensions["socketio"].server.packet_class)
    shell._emit = wire.emit
    # Who is listening, as in bench/load.py's room: the facilitator, every table, each phone
    # once it joined; no projector; the lobby only for a moment while each phone joins.
    attached = set()
    shell._listening = lambda room: (
        room[0] in "th" or (room[0] == "p" and room.rsplit(":", 1)[1] in attached)
    )
    from game.decks.deck import load_deck

    deck = load_deck(Path(args.root) / "decks" / f"{args.deck}.yaml")
    rng = random.Random(rng_seed)
    cards = [c.id for c in deck.cards if c.response.kind == "choice"]
    figures = {}
    with app.app_context():
        live = hub.create(
            deck_id=args.deck,
            deck=deck,
            tables=args.tables,
            seating="balance",
            flow="deal",
            names_required=False,
        )
        facilitator = Actor("facilitator")
        wire.emit("(hello)", view_for(live.state, facilitator, clock(), 480))

        def advance(seconds):
            """Let simulated time pass, sending the coalesced updates as the loop would."""
            end = clock.now + seconds
            while clock.now + shell.tick <= end:
                clock.now += shell.tick
                shell.flush_due()
            clock.now = end

        # Joining: hello (the participant's view), join, connect; `join_rate` a second.
        started = time.process_time()
        pids = []
        for index in range(args.phones):
            wire.emit("(hello)", view_for(live.state, Actor.participant(None), clock()))
            token = f"bench-token-{rng_seed}-{index:06d}-xxxxxxxx"
            pid, events = hub.join(live, token, f"Phone {index}")
            if hasattr(shell, "_place"):  # one fan-out for the join and its presence
                shell.fanout(live, [*events, *hub.connected(live, pid, True)])
            else:  # the namespace before issue 21: the join's, then the presence's
                shell.fanout(live, events)
                shell.fanout(live, hub.connected(live, pid, True))
            attached.add(pid)
            wire.ack(
                {
                    "ok": True,
                    "pid": pid,
                    "view": view_for(live.state, Actor.participant(pid), clock()),
                }
            )
            pids.append(pid)
            advance(1.0 / args.join_rate)
        advance(2.0)
        figures["join_cpu_s"] = time.process_time() - started

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile(time.process_time)  # CPU, not the fsyncs
            profiler.enable()
        started = time.process_time()
        votes = 0
        for number in range(args.rounds):
            card = cards[number % len(cards)]
            options = len(deck.card(card).response.options)
            answer, events = hub.command(
                live, facilitator, "deal_card", {"card": card}, f"d{number}"
            )
            shell.fanout(live, events)
            wire.ack(answer)
            # Every phone votes, then writes a note, at random moments within the window.
            moments = sorted(
                [(rng.uniform(0, args.window), "vote", p) for p in pids]
                + [(args.window + rng.uniform(0, args.window), "note", p) for p in pids]
            )
            at = 0.0
            for moment, kind, pid in moments:
                advance(moment - at)
                at = moment
                actor = Actor.participant(pid)
                if kind == "vote":
                    payload, name, cid = (
                        {"choice": rng.randrange(options), "card": card},
                        "cast_vote",
                        f"v-{card}",
                    )
                    votes += 1
                else:
                    text = f"{pid} thinks about {card}: " + "bla " * rng.randrange(5, 30)
                    payload = {"kind": "tip", "text": text.strip()}
                    name, cid = "add_note", f"n-{card}"
                answer, events = hub.command(live, actor, name, payload, cid)
                shell.fanout(live, events)
                wire.ack({**answer, "me": me_view(live.state, pid)})
            advance(1.5)
        figures["rounds_cpu_s"] = time.process_time() - started
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        figures["cpu_ms_per_vote"] = 1000 * figures["rounds_cpu_s"] / votes
        figures["messages"], figures["bytes"] = wire.messages, wire.bytes
    app.extensions["tafelronde.close"]()
    return figures


def main(argv=None):
    """Run, print per run and the medians."""
    args = parse_args(argv)
    runs = [one_run(args, args.seed + n) for n in range(args.repeat)]
    for n, figures in enumerate(runs):
        print(
            f"run {n + 1}: joining {figures['join_cpu_s']:.2f} s CPU, rounds "
            f"{figures['rounds_cpu_s']:.2f} s CPU, {figures['cpu_ms_per_vote']:.3f} ms per vote"
        )
    last = runs[-1]
    print(
        f"{sys.modules['app'].__file__}: {args.phones} phones, {args.tables} tables, {args.rounds} rounds"
    )
    print(
        f"median: joining {statistics.median(r['join_cpu_s'] for r in runs):.2f} s CPU, "
        f"{statistics.median(r['cpu_ms_per_vote'] for r in runs):.3f} ms CPU per vote (and note)"
    )
    for event in sorted(last["messages"]):
        count, size = last["messages"][event], last["bytes"][event]
        print(f"  {event:<18}{count:>8} messages {size:>12,} bytes ({size / count:,.0f} each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
