"""Several serving processes behind nginx, for the benchmark (`load.py --processes N`).

What docs/deploy.md calls "one machine, several processes": N ``python app.py`` with `CLUSTER`,
one shared SQLite file (or a PostgreSQL store with `--store postgresql`), a throwaway Redis as
the message queue and a throwaway nginx with the shipped routing (tests/services.py starts both
on loopback ports with their own folders). The load generator talks to nginx only, exactly as
phones would; this module also says, per process, how many sessions it serves (from the leases
in the store) and how much CPU time and memory it used.
"""

import contextlib
import secrets

from .server import SpawnedServer, psutil


class Cluster:
    """N processes, Redis and nginx; `url` and `key` as for a single spawned server."""

    def __init__(
        self, processes, decks_dir, view_rate=None, store="sqlite", lease=6, connections=16384
    ):
        self.count, self.decks_dir, self.view_rate = processes, decks_dir, view_rate
        self.store_kind, self.lease, self.connections = store, lease, connections
        self.servers = []
        self.proxy = None
        self.store_url = ""
        self._stack = contextlib.ExitStack()
        self.key = "BENCH-" + secrets.token_hex(4).upper()

    def start(self):
        """Start Redis, the store, the processes and nginx; returns self."""
        from tests.services import nginx_server, postgres_server, redis_server

        stack = self._stack
        queue = stack.enter_context(redis_server())
        if self.store_kind == "postgresql":
            self.store_url = stack.enter_context(postgres_server()).create_database("bench")
        secret = secrets.token_hex(16)
        shared = None
        for n in range(self.count):
            server = SpawnedServer(self.decks_dir, self.view_rate)
            shared = shared or server.dir  # one machine: one instance folder and SQLite file
            server.key = self.key
            server.env.update(
                {
                    "TAFELRONDE_HOST_KEY": self.key,
                    "TAFELRONDE_SECRET_KEY": secret,
                    "TAFELRONDE_INSTANCE_PATH": str(shared / "instance"),
                    "TAFELRONDE_DATABASE": str(shared / "bench.sqlite3"),
                    "TAFELRONDE_STORE_URL": self.store_url,
                    "TAFELRONDE_CLUSTER": "true",
                    "TAFELRONDE_MESSAGE_QUEUE": queue,
                    "TAFELRONDE_LEASE_SECONDS": str(self.lease),
                    "TAFELRONDE_TRUSTED_PROXIES": "1",
                    "TAFELRONDE_NODE_NAME": f"p{n}",
                }
            )
            self.servers.append(server)
            stack.callback(server.stop)
            server.start()
        # One nginx worker holds two connections per phone (the phone's, the app's).
        self.proxy = stack.enter_context(
            nginx_server([s.port for s in self.servers], connections=self.connections)
        )
        return self

    @property
    def url(self):
        """nginx's address: where every phone and the facilitator connect."""
        return self.proxy.url

    @property
    def pids(self):
        """The processes' ids, in order."""
        return [server.process.pid for server in self.servers]

    def sessions_per_process(self, codes):
        """How many of the sessions `codes` each process serves now (by its lease)."""
        from game.storage import open_store

        first = self.servers[0].env
        store = open_store({"STORE_URL": self.store_url, "DATABASE": first["TAFELRONDE_DATABASE"]})
        try:
            owners = [store.owner_of(code) for code in codes]
        finally:
            store.close()
        counts = {f"p{n}": 0 for n in range(self.count)}
        for owner in owners:
            if owner:
                name = owner.rsplit(":", 1)[0]
                counts[name] = counts.get(name, 0) + 1
        return counts

    def usage(self):
        """Per process: ``{"cpu_s": user+system seconds, "rss_mb": resident memory}``."""
        figures = {}
        for n, pid in enumerate(self.pids):
            if psutil is None:
                figures[f"p{n}"] = {}
                continue
            process = psutil.Process(pid)
            times = process.cpu_times()
            figures[f"p{n}"] = {
                "cpu_s": round(times.user + times.system, 2),
                "rss_mb": round(process.memory_info().rss / 2**20, 1),
            }
        return figures

    def stop(self):
        """Stop nginx, the processes, the store and Redis."""
        self._stack.close()
