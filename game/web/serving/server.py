"""Serving: the lines printed at start, the retention task, and the Socket.IO server's loop.

`serve` is what ``python app.py`` and the ``tafelronde`` command run after patching (see
`game.patching`); tests start servers through the same function (tests/servers.py).
"""

import contextlib
import logging
import os
import signal
from urllib.parse import urlsplit

from . import http as serving
from . import nodes
from .network import free_port, is_wildcard, lan_addresses
from .retention import start_retention

log = logging.getLogger("tafelronde")


def startup_banner(app, host, port, addresses=lan_addresses, capacity=()):
    """The lines printed at start: where phones connect, the facilitator's key, where data is,
    and (`capacity`, from `serving.capacity`) how many connections the server can hold."""
    lines = ["Tafelronde is running."]
    if is_wildcard(host):
        for address in addresses() or ["127.0.0.1"]:
            lines.append(f"  Phones on this network: http://{address}:{port}/")
        lines.append(f"  On this computer:       http://127.0.0.1:{port}/")
    else:
        shown = f"[{host}]" if ":" in host else host
        lines.append(f"  Open: http://{shown}:{port}/")
    lines.append(f"  Facilitator key:        {app.config['HOST_KEY']}")
    lines.append(f"  Data:                   {app.instance_path}")
    lines.append(f"  Sessions:               {store_description(app.config)}")
    lines.append(f"  Decks:                  {app.config['DECKS_DIR']}")
    if app.config["CLUSTER"]:
        hub = app.extensions["tafelronde.hub"]
        store = "PostgreSQL (STORE_URL)" if app.config["STORE_URL"] else "the DATABASE file"
        lines.append(
            f"  Cluster:                this process is {hub.ownership.name}; sessions are "
            f"shared through {store} and Redis, leases last {app.config['LEASE_SECONDS']} s"
        )
    lines.extend(capacity)
    return "\n".join(lines)


def store_description(config):
    """Where sessions are stored, for the banner: the SQLite file, or the PostgreSQL database
    of `STORE_URL` without its password."""
    url = (config["STORE_URL"] or "").strip()
    if not url:
        return str(config["DATABASE"])
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    shown = f"[{host}]" if ":" in host else host
    if parts.port:
        shown += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return f"PostgreSQL {user}{shown}{parts.path or '/'} (STORE_URL)"


def serve(app, socketio, host, port, fall_back=False):
    """Print the banner, start retention and serve until stopped (blocks). With several
    processes, a process whose keys differ from the others' refuses to start (SystemExit).
    With `fall_back` (the default port, not one chosen), a taken port gives way to the next
    free one."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    nodes.check_keys(app)
    wanted, port = port, free_port(host, port) if fall_back else port
    # The join link must point at an address this server answers on (game.web.serving.network).
    app.config["HOST"], app.config["PORT"] = host, port
    pool, lines = serving.capacity(app.config)
    if port != wanted:
        lines = [f"  Port {wanted} is taken here; listening on {port} instead.", *lines]
    print(startup_banner(app, host, port, capacity=lines), flush=True)
    print(start_retention(app, socketio), flush=True)
    _leave_on_sigterm(app, socketio)
    mode = socketio.server.eio.async_mode
    if mode == "eventlet":
        serving.serve_eventlet(app, host, port, pool)
    elif mode == "gevent":
        serving.serve_gevent(app, host, port, pool)
    else:  # threading: Werkzeug's server, for trying things out only
        socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=True)


def _leave_on_sigterm(app, socketio):
    """A stop (SIGTERM: `docker stop`, systemd, a rolling restart) ends the process at once and
    cleanly. With several processes it first hands this process's sessions to the others: the
    leases are released and the phones told to reconnect. A single process has no one to hand
    to; its phones reconnect by themselves when it is back. Every acknowledged command is stored
    already, and a command whose answer had not gone out is sent again by its phone with its id
    and applied once. In a container the server is process 1, which the kernel does not stop on
    SIGTERM unless it handles it: without this, `docker stop` waits 10 s and kills it."""

    def leave_and_exit():
        try:
            with app.app_context():
                app.extensions["tafelronde.live"].leave()
                nodes.leave(app)  # other keys may start after the last process stopped
            if app.config["CLUSTER"]:
                socketio.sleep(0.5)  # the `moved` messages go out
        except Exception:  # stopping anyway; the leases then run out by themselves
            log.exception("handing sessions over at shutdown failed")
        finally:
            log.info("stopped (SIGTERM)")
            os._exit(0)

    def on_sigterm(signum, frame):
        # Not in the signal handler itself: the store's writes need the event loop.
        socketio.start_background_task(leave_and_exit)

    signal.signal(signal.SIGTERM, on_sigterm)
    if socketio.server.eio.async_mode == "eventlet":
        _wake_eventlet_on_signals()


def _wake_eventlet_on_signals():
    """Make a signal wake eventlet's loop at once. Python runs a signal handler and then resumes
    the loop's wait for sockets (PEP 475), so the task the handler starts would wait for the
    next socket or timer: on an idle server, for minutes. The signal writes a byte into a pipe
    the loop watches (`signal.set_wakeup_fd`); gevent's loop watches signals itself."""
    import eventlet
    import eventlet.hubs

    readable, writable = os.pipe()
    os.set_blocking(readable, False)
    os.set_blocking(writable, False)
    signal.set_wakeup_fd(writable)

    def drain():
        while True:
            eventlet.hubs.trampoline(readable, read=True)
            with contextlib.suppress(BlockingIOError):
                os.read(readable, 64)

    eventlet.spawn_n(drain)
