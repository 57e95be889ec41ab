"""Tafelronde: the application factory, the Socket.IO instance, and `python app.py` to serve.

Configuration comes from, in order (later wins):
1. the defaults in ``DEFAULTS`` below,
2. ``instance/config.py`` (a Python file of UPPERCASE settings),
3. ``TAFELRONDE_*`` environment variables (``TAFELRONDE_PORT=8080``; values are read as JSON
   where they parse, so numbers and booleans work),
4. ``test_config`` passed to :func:`create_app` (tests only).
Every setting is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

if __name__ == "__main__":  # pragma: no cover - serving only
    # eventlet (or gevent) must patch the standard library before anything imports sockets or
    # threads; `game.patching` imports nothing else. The `tafelronde` command does the same.
    from game.patching import patch

    patch()

import argparse
import logging
import os
import secrets
import sys
import warnings
from pathlib import Path

import click
from flask.cli import run_command as flask_run_command
from flask_compress import Compress
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

if __package__:  # installed from a wheel: this module is tafelronde.app, game/ is tafelronde.game
    from .game import cli, places
    from .game.web import register
    from .game.web.pages import signins
    from .game.web.serving import gate, server, statics
    from .game.web.serving.contexts import App
    from .game.web.serving.packets import JSONPacket
else:  # a clone: `python app.py`, `flask --app app`, the tests
    from game import cli, places
    from game.web import register
    from game.web.pages import signins
    from game.web.serving import gate, server, statics
    from game.web.serving.contexts import App
    from game.web.serving.packets import JSONPacket

socketio = SocketIO()
compress = Compress()

HERE = Path(__file__).resolve().parent

# Host keys avoid characters people confuse when reading them off a wall (game.web.pages.signins).
new_host_key = signins.new_host_key

DEFAULTS = {
    # Where the organiser's YAML decks live; empty: decks/ of a clone, or a "decks" folder in
    # the instance folder when installed (filled with the starter decks on first start).
    "DECKS_DIR": "",
    # The SQLite file holding sessions; relative paths are inside the instance folder.
    "DATABASE": "tafelronde.sqlite3",
    # Empty: sessions are stored in the DATABASE file. A postgresql:// URL stores them in that
    # shared database instead (several processes or machines; needs the `scale` extra).
    "STORE_URL": "",
    # The facilitator's key; empty means: generate one on first start and keep it in instance/.
    "HOST_KEY": "",
    # Flask's session-signing key; empty means: generate and keep in instance/.
    "SECRET_KEY": "",
    # Where `python app.py` and `tafelronde` listen; also decides the join link's address.
    # 8080, not Flask's 5000: macOS keeps 5000 for AirPlay. When the default is taken, the next
    # free port is used (the banner says which); a port chosen on purpose is never changed.
    "HOST": "0.0.0.0",
    "PORT": 8080,
    # Interface languages; the first is the fallback.
    "LANGUAGES": ["en", "nl"],
    # Largest Socket.IO message the server accepts, in bytes.
    "MAX_MESSAGE_BYTES": 16 * 1024,
    # Largest HTTP request body (deck uploads), in bytes.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Longest note and name people may type, in characters.
    "MAX_NOTE_CHARS": 500,
    "MAX_NAME_CHARS": 40,
    # Sessions ended more than this many days ago are purged; 0 keeps them forever.
    "RETENTION_DAYS": 30,
    # Seconds on one card after which a table counts as stalled on the facilitator's view.
    "STALLED_AFTER_SECONDS": 480,
    # Most facilitator/projector view updates per second per session (updates are coalesced).
    "VIEW_UPDATES_PER_SECOND": 4,
    # The address phones open (https://tafelronde.example.org); empty: this machine's LAN address.
    "PUBLIC_URL": "",
    # A Redis URL (redis://127.0.0.1:6379/0) through which every serving process reaches every
    # phone; needed (and only allowed) with CLUSTER. See docs/deploy.md.
    "MESSAGE_QUEUE": "",
    # True when several processes serve the same store (behind nginx, docs/deploy.md): each
    # session is then served by one process at a time, the holder of its lease in the store.
    "CLUSTER": False,
    # Seconds a session's lease lasts; a stopped process's sessions are taken over after this.
    "LEASE_SECONDS": 6,
    # This process's name among the cluster's (logs, leases); empty: host name, pid and a nonce.
    "NODE_NAME": "",
    # How many proxies in front of this server set X-Forwarded-For and X-Forwarded-Proto (1
    # behind the shipped nginx configuration); 0 trusts none, so nobody can fake an address.
    "TRUSTED_PROXIES": 0,
    # Socket.IO async mode: "eventlet" (default) or "gevent" when serving; tests use "threading".
    # Set it in the environment (TAFELRONDE_ASYNC_MODE): serving patches before reading config.
    "ASYNC_MODE": "eventlet",
    # Most connections served at once (phones hold one each, two while long-polling); more are
    # answered 503 at once. Bounded at start by the open-file limit, which is raised if allowed.
    "MAX_CONNECTIONS": 10_000,
    # Connections the kernel queues before the server accepts them (a join rush).
    "LISTEN_BACKLOG": 2048,
    # Seconds an HTTP request may take to arrive, and an idle keep-alive connection may stay.
    "HTTP_TIMEOUT": 60,
    # Most people in one session; a phone over it is told the session is full.
    "MAX_PARTICIPANTS": 2000,
    # Prometheus metrics at /metrics (docs/deploy.md, "Operating it"); off: 404.
    "METRICS": False,
    # Addresses or networks that may read /metrics without a token (loopback by default).
    "METRICS_ALLOW": ["127.0.0.1", "::1"],
    # When set, `Authorization: Bearer <token>` reads /metrics from any address.
    "METRICS_TOKEN": "",
}

log = logging.getLogger("tafelronde")


def create_app(test_config=None):
    """Build and configure the Flask app; `test_config` overrides everything else (tests only)."""
    _refuse_flask_run()
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "TAFELRONDE_INSTANCE_PATH"
    )
    app = App(  # Flask, with a Socket.IO event's request context matched once per socket
        __name__,
        instance_relative_config=True,
        instance_path=str(Path(instance_path or places.default_instance_path(HERE)).resolve()),
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("TAFELRONDE")
    if test_config is not None:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _kept_secret(instance / "secret_key", secrets.token_hex(32))
    if not app.config["HOST_KEY"]:
        app.config["HOST_KEY"] = _kept_secret(instance / "host_key", new_host_key())
        # Kept in the instance folder: `flask --app app host rotate-key` may replace it.
        app.extensions["tafelronde.host_key_kept"] = True
    if not app.config["DECKS_DIR"]:
        app.config["DECKS_DIR"] = str(places.default_decks_dir(HERE, instance))
    database = Path(app.config["DATABASE"])
    if not database.is_absolute() and str(database) != ":memory:":
        app.config["DATABASE"] = str(instance / database)

    _check_cluster(app.config)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        COMPRESS_MIMETYPES=[
            "text/html",
            "text/css",
            "text/plain",
            "text/markdown",
            "text/csv",
            "application/javascript",
            "text/javascript",
            "application/json",
            "image/svg+xml",
        ],
        # Pages and other dynamic answers: brotli at quality 5 where the browser takes it (the
        # phone page: 2.0 KB against gzip's 2.2 KB, in about the same time), else gzip. Static
        # files are compressed once at the best levels (game.web.serving.statics).
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=5,
        COMPRESS_MIN_SIZE=300,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )

    compress.init_app(app)
    # Registered after Flask-Compress, so they run before it (after_request runs in reverse).
    app.after_request(_buffer_static)
    statics.init_app(app)  # static files minified and compressed once

    with warnings.catch_warnings():
        # eventlet announces its own deprecation when Socket.IO loads it; organisers running
        # `flask decks validate` should not read that. Flask-SocketIO still serves best on it.
        warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
        # Handlers first: Flask-SocketIO hands the ones it holds to each new server in init_app.
        register.init_app(app, socketio)
        cli.init_app(app)
        _init_socketio(app)
    app.extensions["tafelronde.live"].start_leases()  # CLUSTER only: renew session leases
    return app


def _check_cluster(config):
    """Refuse, with what to change, the setups where two processes could serve one session."""
    queue, cluster = bool(config["MESSAGE_QUEUE"]), bool(config["CLUSTER"])
    if queue and not cluster:
        raise SystemExit(
            "MESSAGE_QUEUE is set, so several processes may serve these sessions, but CLUSTER is "
            "off: set TAFELRONDE_CLUSTER=true (each session then has one owner process), or "
            "remove MESSAGE_QUEUE for a single process. See docs/deploy.md."
        )
    if cluster and not queue:
        raise SystemExit(
            "CLUSTER is on but MESSAGE_QUEUE is empty: set TAFELRONDE_MESSAGE_QUEUE to a Redis "
            "URL (redis://127.0.0.1:6379/0) so every process reaches every phone. See "
            "docs/deploy.md."
        )
    if cluster and not config["STORE_URL"] and config["DATABASE"] == ":memory:":
        raise SystemExit(
            "CLUSTER needs a store the processes share: a DATABASE file (one machine) or a "
            "STORE_URL (postgresql://..., several machines), not :memory:."
        )
    if cluster and not float(config["LEASE_SECONDS"]) >= 1:
        raise SystemExit("LEASE_SECONDS must be at least 1 (seconds).")


def _refuse_flask_run():
    """`flask run` would serve with Werkzeug's development server, unpatched: no WebSocket, store
    commits on the event loop, no banner, no retention. Say what to run instead."""
    context = click.get_current_context(silent=True)
    if context is not None and context.command is flask_run_command:
        raise click.UsageError(
            "Tafelronde is not served with `flask run`. Run `tafelronde` (installed) or "
            "`python app.py` (in a clone); both take --host and --port."
        )


def _init_socketio(app):
    """Attach the Socket.IO server: same origin only, small messages, optional Redis queue."""
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        max_http_buffer_size=app.config["MAX_MESSAGE_BYTES"],
        message_queue=app.config["MESSAGE_QUEUE"] or None,
        # Same origin only: phones load the page from this server, nobody else may connect.
        cors_allowed_origins=None,
        ping_interval=20,
        ping_timeout=20,
        serializer=JSONPacket,  # never binary: no walk over every payload looking for bytes
    )
    # In front of Socket.IO: an oversize long-polling POST is answered 413 at once and its
    # connection closed, never read (game.web.serving.gate).
    metrics = app.extensions.get("tafelronde.metrics")  # None unless METRICS

    def refused(sid):
        if metrics is not None:
            metrics.refused(413)
        _end_polling(sid)

    app.wsgi_app = gate.BodyLimit(app.wsgi_app, app.config["MAX_MESSAGE_BYTES"], on_refused=refused)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        # Outermost: the guess limits count the phone's address, not nginx's, and links say
        # https when nginx does (Socket.IO reads the same environ).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _end_polling(sid):
    """End the Engine.IO connection `sid` (an oversize POST was refused on it)."""
    eio = socketio.server.eio
    connection = eio.sockets.get(sid) if sid else None
    if connection is not None:
        # Without waiting: the close packet goes to the poll the browser keeps open, if any.
        connection.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
        eio.sockets.pop(sid, None)


def _buffer_static(response):
    """Read static files into memory so Flask-Compress compresses them whole (the ones
    `game.web.serving.statics` does not send minified and compressed already).

    Left as streams, Flask-Compress would skip them and replace the stream without closing the
    file behind it.
    """
    from flask import request

    if request.endpoint == "static" and response.status_code == 200 and response.is_streamed:
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response


def _kept_secret(path, fresh):
    """Return the secret stored at `path`, writing `fresh` there (mode 600) on first use."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(fresh + "\n")
        return fresh


def main(argv=None):
    """Serve Tafelronde (after `game.patching.patch`); `--host`/`--port` override the settings."""
    app = create_app()
    parser = argparse.ArgumentParser(prog="tafelronde", description="Serve Tafelronde.")
    parser.add_argument("--host", default=str(app.config["HOST"]))
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    port = int(app.config["PORT"]) if args.port is None else args.port
    chosen = args.port is not None or port != DEFAULTS["PORT"]
    server.serve(app, socketio, args.host, port, fall_back=not chosen)
    return 0


if __name__ == "__main__":  # pragma: no cover - serving only
    sys.exit(main())
