"""The HTTP server under eventlet or gevent: a sized pool, a sized listen queue, timeouts, and a
clear 503 when full instead of a silent wait.

Every connection (a phone's WebSocket, a long poll, a page) holds one place of the pool. The pool
(``MAX_CONNECTIONS``) and the kernel's queue of connections not yet accepted (``LISTEN_BACKLOG``)
come from configuration. When the pool is full a connection is still accepted and answered ``503``
at once by a small separate pool of refusers (`game.web.serving.gate.refuse_full`); the phone page shows
"the room is full, trying again" and retries with backoff. ``HTTP_TIMEOUT`` ends requests that
stop halfway and idle keep-alive connections (a WebSocket is pinged every 20 s, so it is never idle).

The open-file limit bounds the pool: `open_file_limit` raises the soft limit towards the hard one
at start (POSIX only; Windows has no such limit here) and `capacity` says what the pool can hold.
"""

import logging

from .gate import SOCKET_KEY, refuse_full

log = logging.getLogger("tafelronde")

# File descriptors kept for everything that is not a client: the database, logs, the listening
# socket, Redis/PostgreSQL connections, templates being read.
RESERVED_FILES = 64
REFUSERS = 256  # refusals answered at once; beyond that a connection is closed without a word


def open_file_limit(wanted):
    """Raise the soft open-file limit towards `wanted` (never above the hard limit); return the
    limit now in force, or None where the platform has none to read (Windows)."""
    try:
        import resource
    except ImportError:  # Windows: sockets are not bounded by RLIMIT_NOFILE
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as error:
            log.warning("could not raise the open-file limit to %s: %s", target, error)
    return None if soft == resource.RLIM_INFINITY else soft


def capacity(config, limit_files=open_file_limit):
    """How many connections the pool may hold, and the lines saying so (for the banner)."""
    wanted = int(config["MAX_CONNECTIONS"])
    files = limit_files(wanted + RESERVED_FILES)
    pool = wanted if files is None else max(1, min(wanted, files - RESERVED_FILES))
    line = f"  Connections:            up to {pool:,} at once"
    if files is not None:
        line += f" (open-file limit {files:,})"
    lines = [line]
    if pool < wanted:
        lines.append(
            f"  Warning: MAX_CONNECTIONS is {wanted:,} but the open-file limit allows {pool:,}; "
            "raise it (ulimit -n) to hold more phones."
        )
    return pool, lines


def _refused_full(app):
    """Counts a connection refused because the pool is full (the metrics' 503)."""
    metrics = app.extensions.get("tafelronde.metrics")
    return (lambda: metrics.refused(503)) if metrics is not None else (lambda: None)


def serve_eventlet(app, host, port, pool_size):
    """Serve `app` (the Flask app, Socket.IO in its WSGI stack) with eventlet until stopped."""
    import eventlet
    import eventlet.wsgi
    from eventlet.green import socket as green_socket

    family, _, _, _, address = green_socket.getaddrinfo(host, port)[0]
    listener = eventlet.listen(address, family, backlog=int(app.config["LISTEN_BACKLOG"]))
    pool = _eventlet_pool(pool_size, _refused_full(app))
    app.extensions["tafelronde.pool"] = lambda: (pool_size, pool_size - pool.free())
    eventlet.wsgi.server(
        listener,
        app,
        custom_pool=pool,
        protocol=_eventlet_protocol(),
        socket_timeout=float(app.config["HTTP_TIMEOUT"]),
        log_output=False,
        debug=False,
    )


def _eventlet_pool(size, count_refusal=lambda: None):
    """A GreenPool that answers 503 when full instead of blocking the accept loop."""
    import eventlet

    refusers = eventlet.GreenPool(REFUSERS)

    class RefusingPool(eventlet.GreenPool):
        def spawn(self, function, connection, *args):
            if self.free() > 0:
                return super().spawn(function, connection, *args)
            count_refusal()
            sock = connection[1]
            if refusers.free() > 0:
                refusers.spawn_n(refuse_full, sock)
            else:
                sock.close()
            return _Refused()

    return RefusingPool(size)


class _Refused:
    """What eventlet's accept loop gets back for a refused connection: its clean-up runs at once
    but must not close the socket the refuser still answers on."""

    def link(self, function, connection):
        connection[1] = _Closed()
        function(self, connection)


class _Closed:
    def close(self):
        pass

    def shutdown(self, how):
        pass

    def fileno(self):
        return -1


def _eventlet_protocol():
    """eventlet's request handler, also putting the client's socket in the WSGI environ (so an
    oversize body can be answered and its connection closed, `game.web.serving.gate`)."""
    import eventlet.wsgi

    class Protocol(eventlet.wsgi.HttpProtocol):
        def get_environ(self):
            environ = super().get_environ()
            environ[SOCKET_KEY] = self.connection
            return environ

    return Protocol


def serve_gevent(app, host, port, pool_size):
    """Serve `app` with gevent's WSGI server until stopped."""
    from gevent import pywsgi
    from gevent.pool import Pool

    timeout = float(app.config["HTTP_TIMEOUT"])
    refusers = Pool(REFUSERS)
    count_refusal = _refused_full(app)

    class Handler(pywsgi.WSGIHandler):
        def get_environ(self):
            environ = super().get_environ()
            environ[SOCKET_KEY] = self.socket
            return environ

        def run_application(self):
            try:
                super().run_application()
            finally:
                # A WebSocket that ended owns the connection: reading on as HTTP would take its
                # last frames for a request (and keep the client waiting for the close).
                if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                    self.close_connection = True

    class Server(pywsgi.WSGIServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.full = lambda: False  # keep accepting: a full pool is answered, not queued

        def do_handle(self, sock, address):
            if not self.pool.full():
                return super().do_handle(sock, address)
            count_refusal()
            if refusers.full():
                sock.close()
            else:
                refusers.spawn(refuse_full, sock)
            return None

        def handle(self, sock, address):
            sock.settimeout(timeout)
            return super().handle(sock, address)

    pool = Pool(pool_size)
    app.extensions["tafelronde.pool"] = lambda: (pool_size, pool_size - pool.free_count())
    server = Server(
        (host, port),
        app,
        backlog=int(app.config["LISTEN_BACKLOG"]),
        spawn=pool,
        handler_class=Handler,
        log=None,
    )
    server.serve_forever()
