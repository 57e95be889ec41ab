"""The lean baseline (bench/baseline_server.py) sending JSON-only packets, as Tafelronde does.

    python bench/load.py --phones 500 --tables 60 \\
        --servers tafelronde=app.py,baseline,baseline-json=bench/jsononly_server.py

python-socketio walks every outgoing payload looking for bytes (`Packet.data_is_binary`), which
costs more than encoding the JSON. Tafelronde sends only JSON and turns the walk off
(`game.web.serving.packets.JSONPacket`); the bare baseline keeps the library's default. This
launcher runs the baseline with the walk turned off too and changes nothing else, so a run can
show how much of Tafelronde's ratio to the bare server that one setting accounts for. A
benchmark tool, not a way to serve.
"""

import runpy
import sys
from pathlib import Path

BASELINE = Path(__file__).resolve().parent / "baseline_server.py"

if __name__ == "__main__":
    sys.path.insert(0, str(BASELINE.parent.parent))
    from game.patching import patch  # imports only os and warnings

    patch()
    import socketio.packet

    socketio.packet.Packet.uses_binary_events = False
    sys.argv = [str(BASELINE), *sys.argv[1:]]
    runpy.run_path(str(BASELINE), run_name="__main__")
