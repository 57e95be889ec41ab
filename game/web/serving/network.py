"""Network addresses: where phones can reach this server, and the join link they are given.

The join link and QR code must point at an address the server answers on:

- ``PUBLIC_URL`` set (a reverse proxy, a domain): that, always;
- bound to every interface (``0.0.0.0``, ``::``): this machine's LAN address, because a
  facilitator who opened the page as ``localhost`` still needs a link that phones can open;
- bound to one address (``127.0.0.1`` for a rehearsal, or one LAN address): the address the
  request came in on, which is one the server listens on.
"""

import ipaddress
import os
import socket
from urllib.parse import urlsplit

WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def free_port(host, port, tries=20):
    """`port` if nothing listens on it at `host`, else the next free one of the `tries` after
    it (`port` itself when none is: listening then says what is wrong)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in range(port, port + tries):
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            if os.name != "nt":  # as the server binds: a port left in TIME_WAIT counts as free
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return port


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
        if address not in unique and not is_loopback(address):
            unique.append(address)
    return unique


def is_loopback(host):
    """True for ``localhost``, ``127.x.x.x`` and ``::1``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_wildcard(host):
    """True when the server listens on every interface."""
    return host in WILDCARD_HOSTS


def base_url(request_url, bound_host, public_url="", addresses=lan_addresses):
    """The scheme, host and port phones should open, without a trailing slash.

    `request_url` is the address the facilitator's browser used, `bound_host` the address the
    server listens on (``HOST``), `public_url` the configured ``PUBLIC_URL``; `addresses` finds
    the LAN addresses (a parameter so tests choose them).
    """
    if public_url:
        return public_url.rstrip("/")
    parts = urlsplit(request_url)
    hostname = parts.hostname or "localhost"
    if is_loopback(hostname) and is_wildcard(bound_host):
        found = addresses()
        if found:
            port = f":{parts.port}" if parts.port else ""
            return f"{parts.scheme}://{found[0]}{port}"
    return f"{parts.scheme}://{parts.netloc}"
