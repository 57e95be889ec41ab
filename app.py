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
from flask import Flask
from flask.cli import run_command as flask_run_command
from flask_compress import Compress
from flask_socketio import SocketIO

if __package__:  # installed from a wheel: this module is tafelronde.app, game/ is tafelronde.game
    from .game import places
    from .game.web import register, server
else:  # a clone: `python app.py`, `flask --app app`, the tests
    from game import places
    from game.web import register, server

socketio = SocketIO()
compress = Compress()

HERE = Path(__file__).resolve().parent

# Join codes and host keys avoid characters people confuse when reading them off a wall.
KEY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

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
    "HOST": "0.0.0.0",
    "PORT": 5000,
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
    # Optional Redis URL (redis://127.0.0.1:6379/0) to run several processes behind a load balancer.
    "MESSAGE_QUEUE": "",
    # Socket.IO async mode: "eventlet" (default) or "gevent" when serving; tests use "threading".
    # Set it in the environment (TAFELRONDE_ASYNC_MODE): serving patches before reading config.
    "ASYNC_MODE": "eventlet",
}

log = logging.getLogger("tafelronde")


def create_app(test_config=None):
    """Build and configure the Flask app; `test_config` overrides everything else (tests only)."""
    _refuse_flask_run()
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "TAFELRONDE_INSTANCE_PATH"
    )
    app = Flask(
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
    if not app.config["DECKS_DIR"]:
        app.config["DECKS_DIR"] = str(places.default_decks_dir(HERE, instance))
    database = Path(app.config["DATABASE"])
    if not database.is_absolute() and str(database) != ":memory:":
        app.config["DATABASE"] = str(instance / database)

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
        # gzip only: at Flask-Compress's default level brotli made the phone page larger than
        # gzip (29.4 KB against 28.7 KB with everything it loads), and higher levels cost
        # milliseconds per response during a join rush.
        COMPRESS_ALGORITHM=["gzip"],
        COMPRESS_MIN_SIZE=300,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )

    compress.init_app(app)
    # Registered after Flask-Compress, so it runs before it (after_request runs in reverse).
    app.after_request(_buffer_static)

    with warnings.catch_warnings():
        # eventlet announces its own deprecation when Socket.IO loads it; organisers running
        # `flask decks validate` should not read that. Flask-SocketIO still serves best on it.
        warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
        # Handlers first: Flask-SocketIO hands the ones it holds to each new server in init_app.
        register.init_app(app, socketio)
        _init_socketio(app)
    return app


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
    )


def _buffer_static(response):
    """Read static files into memory so Flask-Compress compresses them whole.

    They are small (the largest is the Socket.IO client, 47 KB). Left as streams, Flask-Compress
    would skip gzip for them and replace the stream without closing the file behind it.
    """
    from flask import request

    if request.endpoint == "static" and response.status_code == 200 and response.is_streamed:
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response


def new_host_key():
    """A fresh facilitator key: 12 characters people can read aloud, in groups of four."""
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


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
    parser.add_argument("--port", type=int, default=int(app.config["PORT"]))
    args = parser.parse_args(argv)
    server.serve(app, socketio, args.host, args.port)
    return 0


if __name__ == "__main__":  # pragma: no cover - serving only
    sys.exit(main())
