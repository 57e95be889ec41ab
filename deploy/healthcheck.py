"""The container's health check (the Dockerfile's HEALTHCHECK): exit 0 when the Tafelronde server
in this container answers its probe, 1 otherwise. Standard library only.

It asks where the server listens, read from the same ``TAFELRONDE_HOST`` / ``TAFELRONDE_PORT``
variables the server reads (as JSON where they parse, as the app does); a server on every
interface is asked on loopback.
"""

import json
import os
import sys
import urllib.request

# The liveness probe (docs/protocol.md). Only this process's own health: a store or Redis that
# is away for a moment must not get the container restarted.
PROBE = "/healthz"
TIMEOUT = 4.0


def setting(name, default):
    """A TAFELRONDE_* variable as the app reads it: JSON where it parses, else the text."""
    raw = os.environ.get(f"TAFELRONDE_{name}", "")
    if not raw:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def probe_url(host, port):
    """The probe's address for a server bound to `host` and `port`."""
    host = str(host)
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{int(port)}{PROBE}"


def main():
    """Ask once; say why on failure (Docker keeps the output in `docker inspect`)."""
    url = probe_url(setting("HOST", "0.0.0.0"), setting("PORT", 5000))
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
            healthy = answer.status == 200 and json.load(answer).get("ok") is True
    except (OSError, ValueError) as error:
        print(f"{url}: {error}")
        return 1
    if not healthy:
        print(f"{url}: not ok")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
