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
    # eventlet must patch the standard library before anything imports sockets or threads.
    import warnings

    # eventlet announces its own deprecation on import; Flask-SocketIO still serves best on it.
    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

import argparse
import logging
import os
import secrets
import socket
import sys
import warnings
from pathlib import Path

from flask import Flask
from flask_compress import Compress
from flask_socketio import SocketIO

socketio = SocketIO()
compress = Compress()

HERE = Path(__file__).resolve().parent

# Join codes and host keys avoid characters people confuse when reading them off a wall.
KEY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

DEFAULTS = {
    # Where the organiser's YAML decks live.
    "DECKS_DIR": str(HERE / "decks"),
    # The SQLite file holding sessions; relative paths are inside the instance folder.
    "DATABASE": "tafelronde.sqlite3",
    # Empty: sessions are stored in the DATABASE file. A postgresql:// URL stores them in that
    # shared database instead (several processes or machines; needs the `scale` extra).
    "STORE_URL": "",
    # The facilitator's key; empty means: generate one on first start and keep it in instance/.
    "HOST_KEY": "",
    # Flask's session-signing key; empty means: generate and keep in instance/.
    "SECRET_KEY": "",
    # Where `python app.py` listens.
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
    # Socket.IO async mode: "eventlet" when serving; tests use "threading".
    "ASYNC_MODE": "eventlet",
}

log = logging.getLogger("tafelronde")


def create_app(test_config=None):
    """Build and configure the Flask app; `test_config` overrides everything else (tests only)."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "TAFELRONDE_INSTANCE_PATH"
    )
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
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

    from game.web import i18n, security
    from game.web import pages as web

    i18n.init_app(app)
    security.init_app(app)
    compress.init_app(app)
    # Registered after Flask-Compress, so it runs before it (after_request runs in reverse).
    app.after_request(_buffer_static)
    web.init_app(app)
    _init_parts(app)

    with warnings.catch_warnings():
        # eventlet announces its own deprecation when Socket.IO loads it; organisers running
        # `flask decks validate` should not read that. Flask-SocketIO still serves best on it.
        warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
        _init_socketio(app)
    return app


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


def _init_parts(app):
    """Register the CLI, the live-session shell, the results downloads and the deck editor."""
    from game.cli import decks as cli
    from game.web import editor as editor_web
    from game.web import live
    from game.web import live_routes as live_web
    from game.web import results as results_web

    cli.init_app(app)
    live.init_app(app, socketio)
    live_web.init_app(app)
    results_web.init_app(app)
    editor_web.init_app(app)


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


def lan_addresses():
    """IPv4 addresses other machines on this network can reach us at (best effort, no traffic)."""
    found = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # Connecting a UDP socket sends nothing; it only asks the kernel which route it would use.
        probe.connect(("10.254.254.254", 1))
        found.append(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(info[4][0])
    except OSError:
        pass
    unique = []
    for address in found:
        if address not in unique and not address.startswith("127."):
            unique.append(address)
    return unique


def startup_banner(app, host, port):
    """The lines printed at start: where phones connect and the facilitator's key."""
    lines = ["Tafelronde is running."]
    if host in ("0.0.0.0", "::", ""):
        addresses = lan_addresses() or ["127.0.0.1"]
        for address in addresses:
            lines.append(f"  Phones on this network: http://{address}:{port}/")
        lines.append(f"  On this computer:       http://127.0.0.1:{port}/")
    else:
        lines.append(f"  Open: http://{host}:{port}/")
    lines.append(f"  Facilitator key:        {app.config['HOST_KEY']}")
    lines.append(f"  Data:                   {app.config['DATABASE']}")
    return "\n".join(lines)


def main(argv=None):
    """Serve Tafelronde with eventlet; `--host` and `--port` override the configuration."""
    app = create_app()
    parser = argparse.ArgumentParser(description="Serve Tafelronde.")
    parser.add_argument("--host", default=str(app.config["HOST"]))
    parser.add_argument("--port", type=int, default=int(app.config["PORT"]))
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    print(startup_banner(app, args.host, args.port), flush=True)
    from game.cli.sessions import start_retention

    print(start_retention(app, socketio), flush=True)
    socketio.run(app, host=args.host, port=args.port, log_output=False)
    return 0


if __name__ == "__main__":  # pragma: no cover - serving only
    sys.exit(main())
