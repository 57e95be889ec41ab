"""The Socket.IO packets Tafelronde sends: JSON only, so python-socketio need not look for bytes.

python-socketio checks every outgoing payload for binary parts (`Packet.data_is_binary`): a
recursive walk over every dict and list, with a list and a `functools.reduce` per container.
Tafelronde never sends bytes, and the walk cost more than encoding the JSON itself (a 190 KB
facilitator update: 4.8 ms to walk, 2.8 ms to encode; bench/work_bench.py: about a fifth of the
server's own work per vote). Incoming packets are read as before, binary ones included.
"""

from socketio.packet import Packet


class JSONPacket(Packet):
    """A packet that is never binary: sent as a plain JSON event or acknowledgement."""

    uses_binary_events = False
