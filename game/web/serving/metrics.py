"""What one process is doing, for Prometheus: `GET /metrics` in its text format.

Made with the `prometheus_client` library, one registry per app (state on the app, so every test
gets its own). Off unless `METRICS` is true; then only addresses in `METRICS_ALLOW` (loopback by
default) or requests with ``Authorization: Bearer <METRICS_TOKEN>`` get it (403 otherwise), and
the shipped nginx configuration never passes it on: Prometheus scrapes each process at its own
address. Nothing in it names a person or an address: labels are command names, answer codes,
roles and reasons, all from fixed lists.

Counted as things happen: commands by name and answer code (`handler` in game/web/live.py),
their acknowledgement time, every store transaction's time, refusals (503 when full or the store
is away, 413, 429). Read when scraped: sessions served, phones and screens connected, sessions
loaded, dropped, handed over, released and taken over (the hub's counts), commits and failed
commits, the connection pool in use, and the process's own CPU, memory and open files.
"""

import hmac
import ipaddress

from flask import Blueprint, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.process_collector import ProcessCollector

bp = Blueprint("metrics", __name__)

ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
COMMIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# HTTP answers counted as refusals (the app's own; the full server's 503 and the oversize
# long-polling 413 are counted where they are made, before the app).
REFUSED_STATUSES = frozenset({413, 429, 503})
# The hub's counts (`Hub.counts`) as metrics: (name, label, value) per count.
MOVES = {"handed_over": "handed_over", "released": "released", "taken_over": "taken_over"}
DROPS = {"dropped_store": "store_error", "dropped_stale": "stale_copy"}


class Metrics:
    """The app's registry and the metrics counted as things happen."""

    def __init__(self, app):
        self.registry = registry = CollectorRegistry()
        self.commands = Counter(
            "tafelronde_commands",
            "Socket.IO commands answered, by command and answer code (ok, or the error code).",
            ["command", "code"],
            registry=registry,
        )
        self.ack = Histogram(
            "tafelronde_ack_seconds",
            "Seconds from a command's arrival to its acknowledgement (stored before answered).",
            buckets=ACK_BUCKETS,
            registry=registry,
        )
        self.commit = Histogram(
            "tafelronde_store_commit_seconds",
            "Seconds each store transaction (a group commit of many writes) took.",
            buckets=COMMIT_BUCKETS,
            registry=registry,
        )
        self.refusals = Counter(
            "tafelronde_refusals",
            "Requests refused at once: 503 (server full, store away), 413 (too large), 429.",
            ["status"],
            registry=registry,
        )
        ProcessCollector(registry=registry)
        registry.register(_ReadAtScrape(app))

    def command(self, name, answer, seconds):
        """Count one acknowledged command (`answer` is its acknowledgement)."""
        ok = isinstance(answer, dict) and answer.get("ok")
        code = (
            "ok" if ok else str(answer.get("code", "none")) if isinstance(answer, dict) else "none"
        )
        self.commands.labels(name, code).inc()
        self.ack.observe(seconds)

    def refused(self, status):
        """Count one refusal with HTTP `status`."""
        self.refusals.labels(str(status)).inc()

    def committed(self, seconds, written):
        """The store's `on_commit`: one transaction took `seconds`."""
        self.commit.observe(seconds)


class _ReadAtScrape:
    """Values read from the hub, the shell, the store and the server when Prometheus asks."""

    def __init__(self, app):
        self.app = app

    def describe(self):
        return []  # the families below are made fresh at each scrape

    def collect(self):
        hub = self.app.extensions["tafelronde.hub"]
        shell = self.app.extensions["tafelronde.live"]
        yield GaugeMetricFamily(
            "tafelronde_sessions_served",
            "Sessions this process serves now (held in memory).",
            value=len(hub.sessions),
        )
        roles = {"participant": 0, "facilitator": 0, "projector": 0}
        for viewer in list(shell.viewers.values()):
            roles[viewer.role] = roles.get(viewer.role, 0) + 1
        yield GaugeMetricFamily(
            "tafelronde_phones_connected",
            "Participants' sockets connected to this process (said hello).",
            value=roles.pop("participant"),
        )
        screens = GaugeMetricFamily(
            "tafelronde_screens_connected",
            "Facilitators' and projectors' sockets connected to this process.",
            labels=["role"],
        )
        for role, count in sorted(roles.items()):
            screens.add_metric([role], count)
        yield screens
        counts = dict(hub.counts)
        moved = CounterMetricFamily(
            "tafelronde_sessions_moved",
            "Sessions this process stopped serving: handed over to the process the router sends "
            "their people to, released (nobody here), taken over (its lease lost).",
            labels=["how"],
        )
        for key, how in MOVES.items():
            moved.add_metric([how], counts.get(key, 0))
        yield moved
        yield CounterMetricFamily(
            "tafelronde_session_loads",
            "Sessions loaded from the store to be served here (taken, taken over, reloaded).",
            value=counts.get("loaded", 0),
        )
        drops = CounterMetricFamily(
            "tafelronde_session_drops",
            "Copies of a session dropped to be loaded again: a write failed (store away, disk "
            "full) or was refused (another writer, a stale copy).",
            labels=["why"],
        )
        for key, why in DROPS.items():
            drops.add_metric([why], counts.get(key, 0))
        yield drops
        yield CounterMetricFamily(
            "tafelronde_store_commits",
            "Store transactions written.",
            value=hub.store.commits,
        )
        yield CounterMetricFamily(
            "tafelronde_store_failed_commits",
            "Store transactions that failed as a whole (store away, disk full): their writes "
            "were answered `unavailable`.",
            value=hub.store.failed_commits,
        )
        pool = self.app.extensions.get("tafelronde.pool")
        if pool is not None:
            size, in_use = pool()
            yield GaugeMetricFamily(
                "tafelronde_pool_connections",
                "Connections the server's pool may hold (MAX_CONNECTIONS, bounded by open files).",
                value=size,
            )
            yield GaugeMetricFamily(
                "tafelronde_pool_connections_in_use",
                "Connections the server's pool (eventlet or gevent) holds now.",
                value=in_use,
            )


def init_app(app):
    """Make the app's metrics, count refusals and the store's commits, register `/metrics`."""
    metrics = app.extensions["tafelronde.metrics"] = Metrics(app)
    app.extensions["tafelronde.hub"].store.on_commit = metrics.committed

    @app.after_request
    def count_refusals(response):
        if response.status_code in REFUSED_STATUSES:
            metrics.refused(response.status_code)
        return response

    app.register_blueprint(bp)


def allowed(config, address, authorization):
    """Whether a request from `address` with this Authorization header may read the metrics:
    None if so, else why not (for the 403 answer)."""
    token = str(config["METRICS_TOKEN"] or "")
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return None
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        client = None
    for entry in config["METRICS_ALLOW"] or ():
        try:
            if client is not None and client in ipaddress.ip_network(str(entry), strict=False):
                return None
        except ValueError:
            continue
    return "Not from an address in METRICS_ALLOW, and no valid METRICS_TOKEN."


@bp.get("/metrics")
def scrape():
    """The metrics in Prometheus's text format (when `METRICS` is on and the caller allowed)."""
    config = current_app.config
    if not config["METRICS"]:
        return {"ok": False, "error": "Metrics are off (METRICS)."}, 404
    refused = allowed(config, request.remote_addr, request.headers.get("Authorization", ""))
    if refused:
        return {"ok": False, "error": refused}, 403
    body = generate_latest(current_app.extensions["tafelronde.metrics"].registry)
    return Response(
        body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}
    )
