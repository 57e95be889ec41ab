"""Throwaway PostgreSQL, Redis, nginx and Prometheus servers for tests and benchmarks, never a
system service.

    with postgres_server() as pg:      # pg.url: postgresql://tafelronde@127.0.0.1:PORT/postgres
        url = pg.create_database("t1")
        pg.stop(); pg.start()          # an outage: the same data, the same port
    with redis_server() as url:        # redis://127.0.0.1:PORT/0
        ...
    with redis_process() as redis:     # redis.url; redis.stop(), redis.start()
    with prometheus_server(["127.0.0.1:5001"], token) as prom:   # prom.query("up")
    with nginx_server(["127.0.0.1:5001", 5002]) as proxy:   # proxy.url: http://127.0.0.1:PORT
        ...                            # the shipped deploy/tafelronde-*.conf in front of them

Each server gets its own temporary folder and a free port on 127.0.0.1 (PostgreSQL's unix socket
is in that folder too), is started within a time limit and stopped when the block ends. PostgreSQL
refuses to run as root: as root, the folder is handed to the `postgres` system user and the server
runs as that user. `unavailable(reason)` skips a test, or fails it under ``CI=true`` where the
services must be there.
"""

import contextlib
import glob
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.ci import missing
from tests.servers import ROOT, free_port

STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
REDIS_SERVER = os.environ.get("TAFELRONDE_REDIS_SERVER", "/usr/bin/redis-server")
NGINX = os.environ.get("TAFELRONDE_NGINX", "")
DEPLOY = ROOT / "deploy"
# The options of every `server` line of deploy/nginx.conf's upstream (a test keeps them equal).
UPSTREAM_OPTIONS = "max_fails=1 fail_timeout=5s"


class ServiceUnavailable(RuntimeError):
    """The binaries or the user a service needs are not on this machine."""


def unavailable(reason):
    """Skip with `reason`, except under CI=true, where a missing service fails the test
    (`tests.ci.missing`)."""
    missing(reason)


def postgres_bin():
    """The folder of PostgreSQL's server binaries (`TAFELRONDE_PG_BIN`, or Debian's newest)."""
    candidates = [os.environ.get("TAFELRONDE_PG_BIN", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    for folder in candidates:
        if folder and Path(folder, "initdb").exists() and Path(folder, "postgres").exists():
            return Path(folder)
    raise ServiceUnavailable("PostgreSQL server binaries (initdb, postgres) not found")


def _run_as():
    """The user a PostgreSQL server may run as: ourselves, or `postgres` when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise ServiceUnavailable("running as root and there is no `postgres` user") from None


class Postgres:
    """A running throwaway server: its `url` (the `postgres` database), a way to add more, and
    `stop` / `start` on the same data and port (a store outage, for the outage tests)."""

    def __init__(self, folder, port, user, command=None, as_user=None, timeout=STARTUP_TIMEOUT):
        self.folder, self.port, self.user = folder, port, user
        self.url = self.url_for("postgres")
        self.command, self.as_user, self.timeout = command, as_user or {}, timeout
        self.process = None

    def start(self):
        """Start the server (again) on its data folder and port; return once it is ready."""
        log = self.folder / "server.log"
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                self.command,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                **self.as_user,
            )
        _wait_until_ready(self.process, self.folder / "data" / "postmaster.pid", log, self.timeout)
        return self

    def stop(self):
        """Stop the server ("fast" shutdown: its clients are disconnected at once)."""
        if self.process is not None:
            _stop(self.process, signal.SIGINT)
            self.process = None

    def url_for(self, database):
        """The URL of `database` on this server."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name):
        """Create an empty database (needs psycopg) and return its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)


@contextlib.contextmanager
def postgres_server(fsync=False, timeout=STARTUP_TIMEOUT):
    """Start a fresh PostgreSQL on 127.0.0.1 in a temporary folder; yield a `Postgres`.

    `fsync=False` suits tests (nothing needs to survive a power cut); a benchmark passes True.
    Raises `ServiceUnavailable` when the binaries or a suitable user are missing.
    """
    binaries = postgres_bin()
    account = _run_as()
    # Not under pytest's tmp_path: that is private to root, and the server may run as `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="tafelronde-pg-"))
    as_user = {}
    if account is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    data = folder / "data"
    server = None
    try:
        subprocess.run(
            [binaries / "initdb", "-D", data, "-U", "tafelronde", "-A", "trust", "-E", "UTF8"]
            + ["--no-sync", "--no-instructions"],
            check=True,
            capture_output=True,
            timeout=timeout,
            cwd=folder,
            **as_user,
        )
        port = free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": port,
            "unix_socket_directories": folder,
            "fsync": "on" if fsync else "off",
            "synchronous_commit": "on",
            "full_page_writes": "on" if fsync else "off",
            "max_connections": 50,
            "shared_buffers": "32MB",
        }
        arguments = [item for key, value in settings.items() for item in ("-c", f"{key}={value}")]
        command = [binaries / "postgres", "-D", data, *arguments]
        server = Postgres(folder, port, "tafelronde", command, as_user, timeout)
        yield server.start()
    finally:
        if server is not None:
            server.stop()  # "fast" shutdown: clients are disconnected
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_ready(process, pid_file, log, timeout):
    """Until postmaster.pid says "ready" (PostgreSQL 10+ writes it there), within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"postgres exited at start:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError):
            lines = pid_file.read_text().splitlines()
            if len(lines) >= 8 and lines[7].strip() == "ready":
                return
        time.sleep(0.05)
    raise RuntimeError(f"postgres not ready within {timeout} s:\n{log.read_text(errors='replace')}")


def _stop(process, how):
    """Ask a server to stop; kill it if it has not within STOP_TIMEOUT."""
    if process.poll() is None:
        process.send_signal(how)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


class Redis:
    """A throwaway redis-server: its `url`, and `stop` / `start` on the same port."""

    def __init__(self, folder, port, timeout=STARTUP_TIMEOUT):
        self.folder, self.port, self.timeout = folder, port, timeout
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        """Start the server (again, empty: no persistence); return once it answers PING."""
        with open(self.folder / "server.log", "ab") as output:
            self.process = subprocess.Popen(
                [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port)]
                + ["--dir", self.folder, "--save", "", "--appendonly", "no"]
                + ["--daemonize", "no", "--protected-mode", "yes"],
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
            )
        deadline = time.monotonic() + self.timeout
        while not _redis_answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                text = (self.folder / "server.log").read_text(errors="replace")
                raise RuntimeError(f"redis-server did not start:\n{text}")
            time.sleep(0.05)
        return self

    def stop(self):
        """Stop the server (SIGTERM): its clients lose their connections."""
        if self.process is not None:
            _stop(self.process, signal.SIGTERM)
            self.process = None


@contextlib.contextmanager
def redis_process(timeout=STARTUP_TIMEOUT):
    """Start a fresh redis-server on 127.0.0.1 (no persistence) in its own folder; yield it
    (a `Redis`, which can be stopped and started again on the same port)."""
    if not Path(REDIS_SERVER).exists():
        raise ServiceUnavailable(f"{REDIS_SERVER} not found")
    server = Redis(Path(tempfile.mkdtemp(prefix="tafelronde-redis-")), free_port(), timeout)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


@contextlib.contextmanager
def redis_server(timeout=STARTUP_TIMEOUT):
    """Start a fresh redis-server on 127.0.0.1 (no persistence) in its own folder; yield its URL."""
    with redis_process(timeout) as server:
        yield server.url


def _redis_answers(port):
    """True if a Redis server on `port` answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def nginx_bin():
    """The nginx binary: `TAFELRONDE_NGINX`, the one on PATH, or Debian's /usr/sbin/nginx."""
    for candidate in (NGINX, shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise ServiceUnavailable("nginx not found (TAFELRONDE_NGINX, PATH, /usr/sbin/nginx)")


class Nginx:
    """A running throwaway nginx: its `url` and `port` on 127.0.0.1, its `folder`, the
    `upstreams` it passes to, and its logs (`error_log()`, `access_log()`)."""

    def __init__(self, folder, port, upstreams):
        self.folder, self.port, self.upstreams = folder, port, upstreams
        self.url = f"http://127.0.0.1:{port}"

    def error_log(self):
        """The text of nginx's error log so far (for a failing test's message)."""
        return _read(self.folder / "error.log")

    def access_log(self):
        """The access log so far: one line per request, `$upstream_addr` and `$status` first."""
        return _read(self.folder / "access.log")


def _read(path):
    """A log file's text, or "" while there is none."""
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _address(upstream):
    """`5001` or "127.0.0.1:5001" as an upstream `server` address on loopback."""
    text = str(upstream)
    return f"127.0.0.1:{text}" if text.isdigit() else text


def nginx_main_config(folder, http_block, worker_user=None, connections=512):
    """A main nginx.conf for a throwaway server in `folder`: its pid file, logs and temporary
    folders there, one worker (so round robin is one sequence), and `http_block` inside http{}."""
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    lines = [
        f"user {worker_user[0]} {worker_user[1]};" if worker_user else "",
        "worker_processes 1;",
        f"pid {folder / 'nginx.pid'};",
        f"error_log {folder / 'error.log'} info;",
        # Each phone takes two of these (its own and the one to the app process).
        f"worker_rlimit_nofile {2 * connections + 64};" if connections > 512 else "",
        f"events {{ worker_connections {connections}; }}",
        "http {",
        "    log_format upstream '$upstream_addr $status $request_method $request_uri';",
        f"    access_log {folder / 'access.log'} upstream;",
        f"    client_body_temp_path {temp['body']};",
        f"    proxy_temp_path {temp['proxy']};",
        f"    fastcgi_temp_path {temp['fastcgi']};",
        f"    uwsgi_temp_path {temp['uwsgi']};",
        f"    scgi_temp_path {temp['scgi']};",
        http_block,
        "}",
    ]
    return "\n".join(lines) + "\n"


def _nginx_folder():
    """A temporary folder for nginx, and the (user, group) its workers run as when we are root
    (nginx's workers leave root; the folder is handed to them, as for PostgreSQL)."""
    folder = Path(tempfile.mkdtemp(prefix="tafelronde-nginx-"))
    if os.geteuid() != 0:
        return folder, None
    try:
        account = pwd.getpwnam("nobody")
    except KeyError:
        raise ServiceUnavailable("running as root and there is no `nobody` user") from None
    os.chown(folder, account.pw_uid, account.pw_gid)
    return folder, (account.pw_name, grp.getgrgid(account.pw_gid).gr_name)


def nginx_check(http_block, timeout=STARTUP_TIMEOUT):
    """`nginx -t` of `http_block` in a throwaway main config: (True, output) when it is valid."""
    binary = nginx_bin()
    folder, worker_user = _nginx_folder()
    try:
        config = folder / "nginx.conf"
        config.write_text(nginx_main_config(folder, http_block, worker_user))
        result = subprocess.run(
            [binary, "-t", "-p", folder, "-c", config, "-e", folder / "error.log"],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=folder,
        )
        return result.returncode == 0, result.stdout + result.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def nginx_server(upstreams, options=UPSTREAM_OPTIONS, timeout=STARTUP_TIMEOUT, connections=512):
    """Start nginx on 127.0.0.1 in front of `upstreams` (ports or "host:port" strings, in order)
    with the shipped routing and proxying (deploy/tafelronde-routing.conf and
    deploy/tafelronde-proxy.conf) and `hash $tafelronde_code consistent;`, each server line with
    `options`; yield an `Nginx`. Stopped (SIGTERM, then SIGKILL) and its folder removed after.

    Raises `ServiceUnavailable` when there is no nginx binary.
    """
    binary = nginx_bin()
    folder, worker_user = _nginx_folder()
    port = free_port()
    addresses = [_address(upstream) for upstream in upstreams]
    servers = "".join(f"        server {address} {options};\n" for address in addresses)
    http_block = (
        f"    include {DEPLOY / 'tafelronde-routing.conf'};\n"
        "    upstream tafelronde {\n"
        "        hash $tafelronde_code consistent;\n"
        f"{servers}"
        "    }\n"
        "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        f"        include {DEPLOY / 'tafelronde-proxy.conf'};\n"
        "    }\n"
    )
    config = folder / "nginx.conf"
    config.write_text(nginx_main_config(folder, http_block, worker_user, connections))
    process = None
    try:
        with open(folder / "server.log", "wb") as output:
            process = subprocess.Popen(
                [binary, "-p", folder, "-c", config, "-e", folder / "error.log"]
                + ["-g", "daemon off;"],
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=folder,
            )
        server = Nginx(folder, port, addresses)
        deadline = time.monotonic() + timeout
        while not _listens(port):
            if process.poll() is not None or time.monotonic() > deadline:
                text = _read(folder / "server.log") + server.error_log()
                raise RuntimeError(f"nginx did not start:\n{text}")
            time.sleep(0.05)
        yield server
    finally:
        if process is not None:
            _stop(process, signal.SIGTERM)  # "fast" shutdown: open connections are closed
        shutil.rmtree(folder, ignore_errors=True)


def _listens(port):
    """True if something accepts TCP connections on 127.0.0.1:`port`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


PROMETHEUS = os.environ.get("TAFELRONDE_PROMETHEUS", "")


def prometheus_bin():
    """The Prometheus server: `TAFELRONDE_PROMETHEUS`, the one on PATH, or Debian's."""
    for candidate in (PROMETHEUS, shutil.which("prometheus"), "/usr/bin/prometheus"):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise ServiceUnavailable("prometheus not found (Debian: apt-get install prometheus)")


class Prometheus:
    """A running throwaway Prometheus: its `url` on 127.0.0.1 and `query` of its HTTP API."""

    def __init__(self, folder, port):
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{port}"

    def query(self, expression):
        """The result list of an instant query (`/api/v1/query`)."""
        import requests

        answer = requests.get(f"{self.url}/api/v1/query", params={"query": expression}, timeout=5)
        answer.raise_for_status()
        body = answer.json()
        assert body["status"] == "success", body
        return body["data"]["result"]

    def log(self):
        """What the server printed so far (for a failing test's message)."""
        return _read(self.folder / "server.log")


@contextlib.contextmanager
def prometheus_server(targets, token=None, interval="1s", timeout=STARTUP_TIMEOUT):
    """Start Prometheus on 127.0.0.1 with its own config and data folder, scraping `targets`
    ("127.0.0.1:PORT", path /metrics) every `interval`, with ``Authorization: Bearer <token>``
    when given; yield a `Prometheus`. Stopped and its folder removed after.

    Raises `ServiceUnavailable` when there is no prometheus binary.
    """
    binary = prometheus_bin()
    folder = Path(tempfile.mkdtemp(prefix="tafelronde-prometheus-"))
    port = free_port()
    lines = [
        "global:",
        f"  scrape_interval: {interval}",
        f"  scrape_timeout: {interval}",
        "scrape_configs:",
        "  - job_name: tafelronde",
    ]
    if token:
        lines += ["    authorization:", f"      credentials: {token}"]
    lines += ["    static_configs:", f"      - targets: [{', '.join(map(repr, targets))}]"]
    config = folder / "prometheus.yml"
    config.write_text("\n".join(lines) + "\n")
    process = None
    try:
        with open(folder / "server.log", "wb") as output:
            process = subprocess.Popen(
                [binary, f"--config.file={config}", f"--storage.tsdb.path={folder / 'data'}"]
                + [f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h"],
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=folder,
            )
        server = Prometheus(folder, port)
        deadline = time.monotonic() + timeout
        while not _http_ok(f"{server.url}/-/ready"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prometheus did not start:\n{server.log()}")
            time.sleep(0.1)
        yield server
    finally:
        if process is not None:
            _stop(process, signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)


def _http_ok(url):
    """True if `url` answers 200."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False
