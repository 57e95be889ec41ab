"""Serving: the lines printed at start, the retention task, and the Socket.IO server's loop.

`serve` is what ``python app.py`` and the ``tafelronde`` command run after patching (see
`game.patching`); tests start servers through the same function (tests/servers.py).
"""

import logging

from ..cli.sessions import start_retention
from .network import is_wildcard, lan_addresses

log = logging.getLogger("tafelronde")


def startup_banner(app, host, port, addresses=lan_addresses):
    """The lines printed at start: where phones connect, the facilitator's key, where data is."""
    lines = ["Tafelronde is running."]
    if is_wildcard(host):
        for address in addresses() or ["127.0.0.1"]:
            lines.append(f"  Phones on this network: http://{address}:{port}/")
        lines.append(f"  On this computer:       http://127.0.0.1:{port}/")
    else:
        shown = f"[{host}]" if ":" in host else host
        lines.append(f"  Open: http://{shown}:{port}/")
    lines.append(f"  Facilitator key:        {app.config['HOST_KEY']}")
    lines.append(f"  Data:                   {app.instance_path}")
    lines.append(f"  Sessions:               {app.config['DATABASE']}")
    lines.append(f"  Decks:                  {app.config['DECKS_DIR']}")
    return "\n".join(lines)


def serve(app, socketio, host, port):
    """Print the banner, start retention and serve until stopped (blocks)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # The join link must point at an address this server answers on (game.web.network).
    app.config["HOST"], app.config["PORT"] = host, port
    print(startup_banner(app, host, port), flush=True)
    print(start_retention(app, socketio), flush=True)
    socketio.run(app, host=host, port=port, log_output=False)
