"""The container image: built from the Dockerfile, run on a volume, played through, stopped
during a vote and started again, with nothing acknowledged lost.

The test starts its own Docker engine in a temporary folder (tests/containers.py), makes the
base image with debootstrap from this machine's Debian mirror (cached between runs), builds the
image with the legacy builder exactly as users do but from that base (`BASE`), with the
certificate authorities this machine trusts beyond Debian's (`EXTRA_CA_CERTS`: the build's pip
goes through the same proxy as this machine), and runs it with ``--network host`` on loopback.

Then: a facilitator signs in with the key and creates a session, two phones join a table and
keep voting, and ``docker stop`` comes in the middle of that. The container must stop on its
SIGTERM (exit code 0, not killed after the grace period); ``docker start`` brings the session
back with every acknowledged vote; a new container of the image on the same volume (as an
upgrade does, and serving with gevent) has them too, and so has the SQLite file in the volume.
Everything is removed and the daemon stopped by its PID at the end. Figures (build time, image
size, time to stop, the whole test) are printed (run with ``-s``), not asserted. Where no engine
can start (not Linux, not root, no docker.io or debootstrap) the test is skipped with the reason;
under ``CI=true`` it fails instead.
"""

import contextlib
import json
import threading
import time
import urllib.request

import pytest
import socketio

from game.core.registry import replay
from game.storage.sqlite import SQLiteStore
from tests.conftest import TINY_DECK
from tests.containers import debian_base, docker_engine, extra_ca_certificates
from tests.realclients import Facilitator, RealPhone, close_client
from tests.servers import HOST_KEY, ROOT, free_port
from tests.services import ServiceUnavailable, unavailable

PAUSE = 0.1  # between one phone's votes (under the per-participant rate limit)
CALL_TIMEOUT = 2
ACKED_BEFORE_STOP = 3  # votes each phone has had acknowledged when `docker stop` comes
START_TIMEOUT = 60.0


class Ledger:
    """The votes the server acknowledged, as the phones saw them (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = []  # (pid, cid, choice)
        self.last_acked, self.last_sent = {}, {}
        self.refused = []

    def count(self, pid):
        """How many votes of `pid` were acknowledged."""
        with self.lock:
            return sum(1 for p, _, _ in self.acked if p == pid)

    def vote(self, phone, choice, cid):
        """Send one vote and record the answer; False when the server went away meanwhile."""
        with self.lock:
            self.last_sent[phone.pid] = choice
        try:
            answer = phone.call("cast_vote", timeout=CALL_TIMEOUT, choice=choice, cid=cid)
        except (socketio.exceptions.SocketIOError, OSError):
            return False  # stopped under it: stored or not, it was not acknowledged
        with self.lock:
            if answer.get("ok"):
                self.acked.append((phone.pid, cid, choice))
                self.last_acked[phone.pid] = choice
            else:
                self.refused.append(answer)
        return True


def keep_voting(phone, ledger, stop):
    """One phone changes its vote again and again until told to stop or its server goes."""
    choice, n = phone.view["me"]["vote"], 0
    while not stop.is_set():
        choice = 1 if choice == 0 else 0  # always a change, so every vote is an event
        if not ledger.vote(phone, choice, f"burst-{n}"):
            return
        n += 1
        time.sleep(PAUSE)


def answers(url):
    """True when the server at `url` answers its liveness probe."""
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for(condition, what, timeout=START_TIMEOUT):
    """Poll `condition` until it holds, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.1)


class Container:
    """One container of the image on the test's engine, on loopback with the host's network."""

    def __init__(self, engine, image, volume, port, name, env=()):
        self.engine, self.name, self.port = engine, name, port
        args = ["run", "--detach", "--name", name, "--network", "host"]
        args += ["--volume", f"{volume}:/data", "--health-interval", "1s"]
        for setting in (
            "TAFELRONDE_HOST=127.0.0.1",
            f"TAFELRONDE_PORT={port}",
            f"TAFELRONDE_HOST_KEY={HOST_KEY}",
            "TAFELRONDE_VIEW_UPDATES_PER_SECOND=10",
            *env,
        ):
            args += ["--env", setting]
        engine.docker(*args, image)
        self.wait_until_serving()

    @property
    def url(self):
        """The address the app answers on."""
        return f"http://127.0.0.1:{self.port}"

    def inspect(self, template):
        """``docker inspect --format TEMPLATE`` of this container."""
        return self.engine.output("inspect", "--format", template, self.name)

    def wait_until_serving(self):
        """Until the app answers on loopback (or say what it logged)."""
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(self.url):
            running = self.inspect("{{.State.Running}}") == "true"
            if not running or time.monotonic() > deadline:
                logs = self.engine.docker("logs", self.name, check=False)
                raise AssertionError(f"container not serving:\n{logs.stdout}\n{logs.stderr}")
            time.sleep(0.1)

    def stop(self):
        """``docker stop`` (SIGTERM, then SIGKILL after 10 s); returns (exit code, seconds)."""
        started = time.monotonic()
        self.engine.docker("stop", self.name, timeout=60)
        return int(self.inspect("{{.State.ExitCode}}")), time.monotonic() - started

    def start(self):
        """``docker start`` the same container again."""
        self.engine.docker("start", self.name)
        self.wait_until_serving()


def come_back(phones, url):
    """Every phone reconnects to `url` and says hello with its token; their views."""
    deadline = time.monotonic() + START_TIMEOUT
    for phone in phones:
        phone.url = url
        phone.close()
        phone.come_back(deadline)
    return [phone.view for phone in phones]


def check_votes_kept(phones, ledger):
    """Each phone's vote is its last acknowledged one, or one sent after it that the stop cut."""
    for phone in phones:
        me = phone.view["me"]
        # A changed vote after a reveal opens the next round, so a phone's last vote may be in
        # an earlier round (`before`) or, cast after a reveal it had missed, late.
        earlier = [v for v in me.get("before", []) if v is not None]
        vote = next(
            (
                v
                for v in (me["vote"], me.get("late"), earlier[-1] if earlier else None)
                if v is not None
            ),
            None,
        )
        expected = (ledger.last_acked[phone.pid], ledger.last_sent[phone.pid])
        assert vote in expected, f"{phone.name}: vote {vote}, acknowledged {expected[0]}"
        assert phone.view["me"]["table"] == 0


@pytest.mark.slow
def test_image_builds_runs_and_keeps_votes_through_docker_stop():
    started = time.monotonic()
    figures = {}
    with contextlib.ExitStack() as stack:
        try:
            engine = stack.enter_context(docker_engine())
            base, tarball, figures["debootstrap_s"] = debian_base(engine)
        except ServiceUnavailable as why:
            unavailable(f"no container engine here: {why}")

        # The image, as users build it, from the local base.
        image, volume = "tafelronde-test:latest", "tafelronde-test-data"
        building = time.monotonic()
        engine.docker(
            *("build", "--network", "host", "--tag", image),
            *("--build-arg", f"BASE={base}"),
            *("--build-arg", f"EXTRA_CA_CERTS={extra_ca_certificates(tarball)}"),
            ROOT,
            timeout=900,
        )
        figures["build_s"] = time.monotonic() - building
        config = json.loads(engine.output("image", "inspect", "--format", "{{json .}}", image))
        figures["image_mb"] = config["Size"] / 1e6
        assert config["Config"]["User"] == "tafelronde"
        assert "/data" in config["Config"]["Volumes"]
        assert "healthcheck.py" in " ".join(config["Config"]["Healthcheck"]["Test"])
        engine.docker("volume", "create", volume)

        # First run: a session, two phones, and `docker stop` while they vote.
        first = Container(engine, image, volume, free_port(), "tafelronde-test-1")
        assert engine.output("exec", first.name, "id", "-u") == "10001"
        wait_for(lambda: first.inspect("{{.State.Health.Status}}") == "healthy", "healthy")
        engine.docker(
            *("exec", "--interactive", first.name, "sh", "-c"),
            "cat > /data/decks/tiny.yaml",
            input=TINY_DECK,
        )
        host = Facilitator(first.url)
        stack.callback(host.close)
        code = host.create_session(table_count="2")
        phones = [RealPhone(first.url, code, f"Phone {i}") for i in range(2)]
        for phone in phones:
            stack.callback(phone.close)
            phone.join()
            assert phone.call("take_seat", table=0)["ok"]
        assert phones[0].call("draw_card")["ok"]
        for phone in phones:
            phone.view = phone.call("sync")["view"]

        ledger, stop = Ledger(), threading.Event()
        voters = [
            threading.Thread(target=keep_voting, args=(phone, ledger, stop), daemon=True)
            for phone in phones
        ]
        for voter in voters:
            voter.start()
        wait_for(
            lambda: all(ledger.count(p.pid) >= ACKED_BEFORE_STOP for p in phones), "votes acked"
        )
        exit_code, figures["docker_stop_s"] = first.stop()  # the phones are still voting
        stop.set()
        for voter in voters:
            voter.join(CALL_TIMEOUT + 5)
        assert exit_code == 0, "the server did not stop on SIGTERM (killed after the grace time)"
        assert not ledger.refused, ledger.refused

        # The same container again: the session, the seats and every acknowledged vote.
        restarting = time.monotonic()
        first.start()
        come_back(phones, first.url)
        figures["restart_to_phones_back_s"] = time.monotonic() - restarting
        check_votes_kept(phones, ledger)
        final = {}
        for phone in phones:  # and it plays on
            final[phone.pid] = 0 if phone.view["me"]["vote"] == 1 else 1
            assert ledger.vote(phone, final[phone.pid], "after-restart")
        assert ledger.last_acked == final, ledger.refused
        sio, view = host.socket(code)  # the sign-in survived: the secret key is in the volume
        close_client(sio)
        assert view["session"]["code"] == code
        assert first.stop()[0] == 0

        # An upgrade: a new container of the image on the same volume, serving with gevent.
        engine.docker("rm", first.name)
        second = Container(
            engine,
            image,
            volume,
            free_port(),
            "tafelronde-test-2",
            ["TAFELRONDE_ASYNC_MODE=gevent"],
        )
        come_back(phones, second.url)
        check_votes_kept(phones, ledger)
        for phone in phones:
            phone.close()
        assert second.stop()[0] == 0

        # The SQLite file in the volume holds every acknowledged vote, once.
        folder = engine.output("volume", "inspect", "--format", "{{.Mountpoint}}", volume)
        store = SQLiteStore(f"{folder}/tafelronde.sqlite3")
        try:
            applied, events = store.applied(code), store.load(code)
        finally:
            store.close()
        for pid, cid, _ in ledger.acked:
            assert (pid, cid) in applied, f"acknowledged vote {pid}/{cid} lost"
        state = replay(events)
        for phone in phones:
            assert state.tables[0].current.votes[phone.pid] == final[phone.pid]
        engine.docker("rm", second.name)
        engine.docker("volume", "rm", volume)
        engine.docker("image", "rm", image, base)
    figures["total_s"] = time.monotonic() - started
    figures["votes_acknowledged"] = len(ledger.acked)
    print("container figures:", {k: round(v, 1) for k, v in figures.items()})
