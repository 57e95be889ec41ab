"""A throwaway Docker engine for tests, and a Debian base image made with debootstrap, never a
system service and never an image registry.

    with docker_engine() as engine:            # its own dockerd: data, exec root, socket in /tmp
        engine.docker("version")
        base = debian_base(engine)             # "tafelronde-test-base:bookworm", python3 in it

The engine is Debian's `docker.io` (`dockerd` and its `docker` client), started by hand in a
temporary folder with its own containerd; it makes no bridge and no iptables rules (containers
run with ``--network host``), and it is stopped by its PID and its folder removed when the block
ends. The base image is ``debootstrap --variant=minbase`` of this machine's Debian release from
the mirror its apt sources name, with python3's venv module, imported with ``docker import``.
Its tarball is kept in ``/var/cache/tafelronde-ci`` (``TAFELRONDE_CI_CACHE``), so later runs on
the same machine skip debootstrap (delete the file to make it again). `ServiceUnavailable` says
why an engine cannot start here; the tests then skip, or fail under ``CI=true``.
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from tests.services import ServiceUnavailable

DOCKERD = os.environ.get("TAFELRONDE_DOCKERD") or shutil.which("dockerd") or "/usr/sbin/dockerd"
# Debian's client beside Debian's daemon (another `docker` earlier in PATH may be another age).
DOCKER = os.environ.get("TAFELRONDE_DOCKER") or (
    "/usr/bin/docker" if Path("/usr/bin/docker").exists() else shutil.which("docker") or "docker"
)
DEBOOTSTRAP = shutil.which("debootstrap") or "/usr/sbin/debootstrap"
CACHE = Path(os.environ.get("TAFELRONDE_CI_CACHE", "/var/cache/tafelronde-ci"))
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
DEBOOTSTRAP_TIMEOUT = 600.0
# What the base image holds beyond minbase: Python with venv, and the CA bundle pip adds to.
BASE_PACKAGES = ("python3-venv", "ca-certificates")
# Bumped when the recipe changes, so a cached tarball of an older recipe is not used.
BASE_RECIPE = 1
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


class Engine:
    """A running dockerd of our own: `docker(...)` runs its client against it."""

    def __init__(self, folder, process):
        self.folder, self.process = folder, process
        self.env = {
            **os.environ,
            "DOCKER_HOST": f"unix://{folder}/docker.sock",
            # No credential helpers or contexts from the machine's own client configuration.
            "DOCKER_CONFIG": str(folder / "client"),
            "DOCKER_BUILDKIT": "0",  # the legacy builder, as the Dockerfile promises to work with
        }

    @property
    def log(self):
        """The daemon's log so far (for failure messages)."""
        return _tail(self.folder / "dockerd.log")

    def docker(self, *args, timeout=120.0, check=True, input=None):
        """Run ``docker ARGS`` against this engine; the completed process (text)."""
        done = subprocess.run(
            [DOCKER, *map(str, args)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"docker {' '.join(map(str, args))[:200]} failed ({done.returncode}):\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done

    def output(self, *args, **kwargs):
        """``docker ARGS``'s standard output, stripped."""
        return self.docker(*args, **kwargs).stdout.strip()


def check_engine_can_run():
    """Raise `ServiceUnavailable` with the reason when no engine can start on this machine."""
    if os.name != "posix" or not Path("/proc/self/mountinfo").exists():
        raise ServiceUnavailable("a Docker engine needs Linux")
    if os.geteuid() != 0:
        raise ServiceUnavailable("starting a Docker engine (dockerd) needs root")
    for name, path in (("dockerd", DOCKERD), ("docker", DOCKER), ("debootstrap", DEBOOTSTRAP)):
        if not Path(path).exists() and not shutil.which(path):
            raise ServiceUnavailable(
                f"{name} not found (Debian: apt-get install docker.io debootstrap)"
            )


@contextlib.contextmanager
def docker_engine(timeout=STARTUP_TIMEOUT):
    """Start dockerd in a temporary folder; yield an `Engine`; then remove every container and
    stop the daemon by its PID. Raises `ServiceUnavailable` when it cannot start here."""
    check_engine_can_run()
    # Short and under /tmp: the socket's path must stay under 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="tafelronde-docker-", dir="/tmp"))
    (folder / "client").mkdir()
    (folder / "daemon.json").write_text("{}\n", encoding="utf-8")
    command = [
        DOCKERD,
        "--config-file", folder / "daemon.json",
        "--data-root", folder / "data",
        "--exec-root", folder / "exec",
        "--pidfile", folder / "dockerd.pid",
        "--host", f"unix://{folder}/docker.sock",
        # The machine's network stays as it is: no docker0 bridge, no iptables rules.
        "--bridge", "none",
        "--iptables=false",
        "--ip6tables=false",
    ]  # fmt: skip
    process = None
    try:
        with (folder / "dockerd.log").open("ab") as log:
            process = subprocess.Popen(
                [str(part) for part in command],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        engine = Engine(folder, process)
        _wait_until_ready(engine, timeout)
        yield engine
    finally:
        if process is not None:
            _stop_engine(Engine(folder, process))
        _remove_folder(folder)


def _wait_until_ready(engine, timeout):
    deadline = time.monotonic() + timeout
    while True:
        if engine.process.poll() is not None:
            raise ServiceUnavailable(f"dockerd exited at start:\n{engine.log}")
        if engine.docker("version", timeout=10, check=False).returncode == 0:
            return
        if time.monotonic() > deadline:
            raise ServiceUnavailable(
                f"dockerd did not answer within {timeout:.0f} s:\n{engine.log}"
            )
        time.sleep(0.2)


def _stop_engine(engine):
    """Remove the containers (their processes end with them), then SIGTERM the daemon by its PID
    (it stops its containerd), SIGKILL after STOP_TIMEOUT."""
    if engine.process.poll() is None:
        with contextlib.suppress(Exception):  # stopping anyway
            ids = engine.output("ps", "--all", "--quiet", timeout=20).split()
            if ids:
                engine.docker("rm", "--force", "--volumes", *ids, timeout=60, check=False)
        engine.process.send_signal(signal.SIGTERM)
        try:
            engine.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            engine.process.kill()
            engine.process.wait(STOP_TIMEOUT)


def _remove_folder(folder):
    """Delete the engine's folder, unmounting what a killed daemon may have left mounted."""
    mounts = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            point = line.split()[4]
            if point.startswith(f"{folder}/"):
                mounts.append(point)
    for point in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "--lazy", point], capture_output=True, check=False, timeout=30)
    shutil.rmtree(folder, ignore_errors=True)


def debian_release(os_release=Path("/etc/os-release")):
    """This machine's Debian release name (bookworm), from /etc/os-release."""
    fields = {}
    with contextlib.suppress(OSError):
        for line in os_release.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            fields[key] = value.strip().strip('"')
    if fields.get("ID") != "debian" or not fields.get("VERSION_CODENAME"):
        raise ServiceUnavailable("the Debian base image is made on Debian (see /etc/os-release)")
    return fields["VERSION_CODENAME"]


def debian_mirror(release, apt=Path("/etc/apt")):
    """The mirror this machine's apt uses for `release`'s main component, from sources.list and
    sources.list.d (one-line and deb822 formats)."""
    entries = []  # (uris, suites, components)
    files = [apt / "sources.list"] + sorted((apt / "sources.list.d").glob("*.list"))
    for path in files:
        with contextlib.suppress(OSError):
            for line in path.read_text(encoding="utf-8").splitlines():
                words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
                if len(words) >= 4 and words[0] == "deb":
                    entries.append(([words[1]], [words[2]], words[3:]))
    for path in sorted((apt / "sources.list.d").glob("*.sources")):
        with contextlib.suppress(OSError):
            for stanza in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
                fields = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line or line[:1].isspace():
                        continue
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.split()
                if "deb" in fields.get("types", []) and fields.get("enabled", ["yes"]) != ["no"]:
                    entries.append(
                        (
                            fields.get("uris", []),
                            fields.get("suites", []),
                            fields.get("components", []),
                        )
                    )
    for uris, suites, components in entries:
        if release in suites and "main" in components:
            for uri in uris:
                if uri.startswith(("http://", "https://")):
                    return uri.rstrip("/")
    raise ServiceUnavailable(f"no Debian mirror for {release} main in {apt}/sources.list*")


def base_tarball(release, mirror, cache=CACHE):
    """The root file system of the base image as a tar file: from the cache, or made now with
    debootstrap (about a minute) and kept there. Returns ``(path, seconds spent making it)``."""
    name = f"debian-{release}-minbase-{'-'.join(BASE_PACKAGES)}-r{BASE_RECIPE}.tar"
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = Path(tempfile.gettempdir())  # no stable place: made again next time
    kept = cache / name
    if kept.exists():
        return kept, 0.0
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="tafelronde-debootstrap-", dir=cache))
    try:
        root = work / "root"
        made = subprocess.run(
            [DEBOOTSTRAP, "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}"]
            + [release, str(root), mirror],
            capture_output=True,
            text=True,
            timeout=DEBOOTSTRAP_TIMEOUT,
            check=False,
        )
        if made.returncode != 0:
            raise AssertionError(
                f"debootstrap failed:\n{made.stdout[-3000:]}\n{made.stderr[-3000:]}"
            )
        # What an image does not need: downloaded packages, package lists, documentation.
        for pattern in ("var/cache/apt/archives/*.deb", "var/lib/apt/lists/*", "usr/share/doc/*"):
            for path in root.glob(pattern):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        partial = work / "base.tar"
        subprocess.run(
            ["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."],
            check=True,
            capture_output=True,
            timeout=300,
        )
        os.replace(partial, kept)  # atomic: a run beside this one never reads half a file
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return kept, time.monotonic() - started


def debian_base(engine, tag=None):
    """Import the Debian base image into `engine`; returns ``(tag, tarball, seconds making it)``."""
    release = debian_release()
    tarball, seconds = base_tarball(release, debian_mirror(release))
    tag = tag or f"tafelronde-test-base:{release}"
    with tarball.open("rb") as tar:
        done = subprocess.run(
            [DOCKER, "import", "-", tag],
            env=engine.env,
            stdin=tar,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    if done.returncode != 0:
        raise AssertionError(f"docker import failed:\n{done.stderr[-3000:]}")
    return tag, tarball, seconds


def extra_ca_certificates(tarball, host_bundle=HOST_CA_BUNDLE):
    """The certificates this machine trusts that the base image does not (PEM text): a
    TLS-inspecting proxy's authority, for the build's EXTRA_CA_CERTS. Empty when none."""
    try:
        host = CERTIFICATE.findall(host_bundle.read_text(encoding="ascii", errors="replace"))
    except OSError:
        return ""
    base = set()
    with tarfile.open(tarball) as tar, contextlib.suppress(KeyError):
        member = tar.extractfile("./etc/ssl/certs/ca-certificates.crt")
        if member is not None:
            base = set(CERTIFICATE.findall(member.read().decode("ascii", "replace")))
    return "\n".join(cert for cert in host if cert not in base)


def _tail(path, size=4000):
    with contextlib.suppress(OSError):
        return path.read_text(encoding="utf-8", errors="replace")[-size:]
    return ""
