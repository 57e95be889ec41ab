"""The join link and QR code point at an address the server answers on."""

import pytest

from game.web.serving.network import base_url, is_loopback, is_wildcard
from tests.conftest import make_app, sign_in
from tests.test_sockets import make_session

LAN = lambda: ["192.168.1.20"]  # noqa: E731 - a fixed LAN address for the tests
NO_LAN = lambda: []  # noqa: E731


def test_bound_to_loopback_the_link_stays_on_loopback():
    assert base_url("http://127.0.0.1:5000/", "127.0.0.1", "", LAN) == "http://127.0.0.1:5000"
    assert base_url("http://localhost:5000/", "127.0.0.1", "", LAN) == "http://localhost:5000"


def test_bound_everywhere_a_localhost_visit_gets_the_lan_address():
    assert base_url("http://127.0.0.1:5000/", "0.0.0.0", "", LAN) == "http://192.168.1.20:5000"
    assert base_url("http://[::1]:5000/", "::", "", LAN) == "http://192.168.1.20:5000"
    # Opened over the network already: that address is one phones can reach.
    assert base_url("http://10.0.0.7:5000/", "0.0.0.0", "", LAN) == "http://10.0.0.7:5000"
    # No network at all: loopback is the only honest answer.
    assert base_url("http://127.0.0.1:5000/", "0.0.0.0", "", NO_LAN) == "http://127.0.0.1:5000"


def test_bound_to_one_lan_address_the_link_uses_it():
    assert base_url("http://192.168.1.20:80/", "192.168.1.20", "", LAN) == "http://192.168.1.20:80"


def test_public_url_wins_over_both():
    for host in ("127.0.0.1", "0.0.0.0"):
        got = base_url("http://127.0.0.1:5000/", host, "https://tafel.example.org/", LAN)
        assert got == "https://tafel.example.org"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.1", "::1"])
def test_loopback_names(host):
    assert is_loopback(host) and not is_wildcard(host)


@pytest.mark.parametrize(
    "bound, public, expected",
    [
        ("127.0.0.1", "", "http://localhost/j/"),
        ("0.0.0.0", "", "http://192.168.1.20/j/"),
        ("0.0.0.0", "https://tafel.example.org", "https://tafel.example.org/j/"),
    ],
)
def test_the_facilitator_page_shows_the_link_for_the_bound_host(tmp_path, bound, public, expected):
    app = make_app(tmp_path, HOST=bound, PUBLIC_URL=public)
    app.extensions["tafelronde.lan_addresses"] = LAN
    client = app.test_client()
    sign_in(client)
    code = make_session(app, client)
    page = client.get(f"/host/s/{code}").get_data(as_text=True)
    assert expected + code in page
    app.extensions["tafelronde.close"]()


def test_a_taken_port_gives_way_to_the_next_free_one():
    import socket

    from game.web.serving.network import free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        found = free_port("127.0.0.1", port)
        assert found != port and port < found <= port + 20
    assert free_port("127.0.0.1", found) == found  # a free one is kept
