"""Processes of one cluster must use the same keys: a process started with another SECRET_KEY or
facilitator key than a process alive on the same store refuses to start, saying which key and
which process; after every process stopped on purpose, new keys start (real servers)."""

import pytest

from game.web.serving import nodes
from tests.conftest import make_app
from tests.realclients import tiny_server


def node(tmp_path, name, redis_url, **env):
    """Process `name` of a one-machine cluster (shared instance folder and SQLite file)."""
    shared = tmp_path / "shared"
    settings = {
        "TAFELRONDE_CLUSTER": "true",
        "TAFELRONDE_MESSAGE_QUEUE": redis_url,
        "TAFELRONDE_INSTANCE_PATH": str(shared / "instance"),
        "TAFELRONDE_DATABASE": str(shared / "tafelronde.sqlite3"),
        "TAFELRONDE_NODE_NAME": name,
        **env,
    }
    return tiny_server(tmp_path / name, **settings)


def refused(server):
    """Start `server`, which must refuse: the text it printed."""
    with pytest.raises(RuntimeError) as failed:
        server.start()
    assert server.process.wait(10) != 0
    return str(failed.value)


@pytest.mark.slow  # starts a server process
def test_a_process_with_other_keys_refuses_to_start(tmp_path, redis_url):
    first = node(tmp_path, "first", redis_url).start()
    started = [first]
    try:
        secret = refused(node(tmp_path, "second", redis_url, TAFELRONDE_SECRET_KEY="another"))
        assert "Not starting" in secret and "SECRET_KEY" in secret and "first:" in secret
        assert "HOST_KEY" not in secret.split("Not starting", 1)[1].split(".")[0]
        host = refused(node(tmp_path, "third", redis_url, TAFELRONDE_HOST_KEY="OTHER-KEY-1"))
        assert "HOST_KEY" in host and "first:" in host
    finally:
        for server in started:
            server.stop()  # SIGTERM: each removes its row from the store
    # Every process stopped on purpose: the cluster may start again with new keys.
    renewed = node(tmp_path, "renewed", redis_url, TAFELRONDE_SECRET_KEY="another")
    try:
        renewed.start()
    finally:
        renewed.stop()


def test_fingerprints_compare_keys_as_they_are_checked(tmp_path):
    """The facilitator key is compared without case and dashes, so "abcd-efgh" and "ABCDEFGH"
    are the same key; the fingerprints are short, and show neither key."""
    prints = []
    for n, key in enumerate(["E2E-HOST-KEY", "e2e-host-key", "E2EHOSTKEY", "OTHER-KEY"]):
        app = make_app(tmp_path / str(n), HOST_KEY=key, SECRET_KEY="s3cret")
        prints.append(nodes.fingerprints(app))
        app.extensions["tafelronde.close"]()
    assert prints[0] == prints[1] == prints[2] != prints[3]
    assert prints[0]["secret"] == prints[3]["secret"] and len(prints[0]["host"]) == 16
    assert "s3cret" not in str(prints) and "E2E" not in str(prints)
