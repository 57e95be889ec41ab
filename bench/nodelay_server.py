"""`python app.py`, but with TCP_NODELAY on every accepted connection: an A/B experiment.

    python bench/load.py --phones 500 --tables 60 --server-script bench/nodelay_server.py

The server does not set TCP_NODELAY on its sockets, so when it writes two Socket.IO messages to one
phone back to back (an update, then the acknowledgement), Nagle's algorithm holds the second until
the phone's delayed ACK of the first (about 40 ms on Linux). This launcher changes only that, so
the load generator can measure the difference. It is a benchmark tool, not a way to serve.
"""

import contextlib
import runpy
import socket
import sys
from pathlib import Path

import eventlet

eventlet.monkey_patch()

from eventlet.greenio.base import GreenSocket  # noqa: E402 - only after monkey-patching

APP = Path(__file__).resolve().parent.parent / "app.py"
_accept = GreenSocket.accept


def accept_without_nagle(self):
    """Accept a connection and turn Nagle's algorithm off for it."""
    client, address = _accept(self)
    with contextlib.suppress(OSError):  # not a TCP socket (a Unix socket): nothing to turn off
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client, address


if __name__ == "__main__":
    GreenSocket.accept = accept_without_nagle
    sys.argv = [str(APP), *sys.argv[1:]]
    sys.path.insert(0, str(APP.parent))
    runpy.run_path(str(APP), run_name="__main__")
