"""`python app.py`, but python-socketio skips its binary check on every packet: an A/B experiment.

    python bench/load.py --phones 500 --tables 60 --server-script bench/jsononly_server.py

python-socketio's `Packet.__init__` walks every payload (`data_is_binary`, recursively, with a
list and a `functools.reduce` per dict and list) to see whether it holds bytes. Tafelronde sends
only JSON, and a profile at 500 phones put that walk at about a tenth of the server's CPU. This
launcher turns the check off (`uses_binary_events = False`) and changes nothing else, so the load
generator can measure the difference. Tafelronde itself would pass a Packet subclass as
``serializer=`` to `socketio.init_app`. A benchmark tool, not a way to serve.
"""

import runpy
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"

if __name__ == "__main__":
    sys.path.insert(0, str(APP.parent))
    from game.patching import patch  # imports only os and warnings

    patch()
    import socketio.packet

    socketio.packet.Packet.uses_binary_events = False
    sys.argv = [str(APP), *sys.argv[1:]]
    runpy.run_path(str(APP), run_name="__main__")
