"""Configuration: every setting documented, and read from instance/config.py and the environment."""

import re
from pathlib import Path

from app import DEFAULTS, create_app, new_host_key
from game.web.serving.server import startup_banner

DOCS = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_every_setting_is_documented():
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", DOCS.read_text(), re.MULTILINE))
    assert documented == set(DEFAULTS)


def test_environment_and_instance_file_override_defaults(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("PORT = 6001\nMAX_NOTE_CHARS = 300\n")
    monkeypatch.setenv("TAFELRONDE_PORT", "7002")
    app = create_app({"INSTANCE_PATH": str(instance), "ASYNC_MODE": "threading"})
    assert app.config["PORT"] == 7002  # environment beats the instance file
    assert app.config["MAX_NOTE_CHARS"] == 300  # instance file beats the default


def test_secrets_are_generated_once_and_kept(tmp_path):
    config = {"INSTANCE_PATH": str(tmp_path / "i"), "ASYNC_MODE": "threading"}
    first = create_app(config)
    second = create_app(config)
    assert first.config["HOST_KEY"] == second.config["HOST_KEY"]
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "i" / "host_key").stat().st_mode & 0o777 == 0o600


def test_host_keys_avoid_lookalike_characters():
    for _ in range(50):
        key = new_host_key()
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", key)


def test_banner_shows_where_to_connect_and_the_key(app):
    text = startup_banner(app, "127.0.0.1", 5123)
    assert "http://127.0.0.1:5123/" in text
    assert app.config["HOST_KEY"] in text
    everywhere = startup_banner(app, "0.0.0.0", 5123)
    assert ":5123/" in everywhere and "Phones on this network" in everywhere
    assert f"Sessions:               {app.config['DATABASE']}" in text


def test_banner_names_the_postgresql_store_without_its_password():
    from game.web.serving.server import store_description

    config = {"DATABASE": "/x/tafelronde.sqlite3", "STORE_URL": ""}
    assert store_description(config) == "/x/tafelronde.sqlite3"
    config["STORE_URL"] = "postgresql://tafelronde:s3cret@10.0.0.2:5432/tafelronde"
    shown = store_description(config)
    assert shown == "PostgreSQL tafelronde@10.0.0.2:5432/tafelronde (STORE_URL)"
    assert "s3cret" not in shown and "sqlite3" not in shown


def test_setups_where_two_processes_could_serve_one_session_are_refused_at_start(tmp_path):
    import pytest

    from tests.conftest import make_app

    cases = [
        ({"MESSAGE_QUEUE": "redis://127.0.0.1:1/0"}, "set TAFELRONDE_CLUSTER=true"),
        ({"CLUSTER": True}, "MESSAGE_QUEUE is empty"),
        (
            {"CLUSTER": True, "MESSAGE_QUEUE": "redis://127.0.0.1:1/0", "DATABASE": ":memory:"},
            "not :memory:",
        ),
        (
            {"CLUSTER": True, "MESSAGE_QUEUE": "redis://127.0.0.1:1/0", "LEASE_SECONDS": 0},
            "LEASE_SECONDS must be at least 1",
        ),
    ]
    for settings, says in cases:
        with pytest.raises(SystemExit) as refused:
            make_app(tmp_path, **settings)
        assert says in str(refused.value)


def test_forwarded_addresses_count_only_behind_trusted_proxies(tmp_path):
    from flask import request

    from tests.conftest import make_app

    for proxies, seen in ((0, "127.0.0.1"), (1, "203.0.113.7")):
        app = make_app(tmp_path / str(proxies), TRUSTED_PROXIES=proxies)

        @app.get("/whoami")
        def whoami():
            return f"{request.remote_addr} {request.scheme}"

        answer = app.test_client().get(
            "/whoami", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
        )
        assert answer.get_data(as_text=True) == f"{seen} {'https' if proxies else 'http'}"
