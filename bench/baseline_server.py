"""A bare Flask-SocketIO server doing the same fan-out as Tafelronde: the yardstick for CPU per vote.

    python bench/load.py --phones 500 --tables 60 --baseline     # both servers, one invocation

It speaks just enough of docs/protocol.md for the load generator (bench/loadgen/): the sign-in and
session forms (`/host`, `/`, `/host/sessions`), `/healthz`, and over Socket.IO `hello`, `join`,
the facilitator's `deal_card`, `cast_vote` and `add_note`, each answered with an acknowledgement.
It has no store, no rules, no rate limits, no coalescing: state is a few dicts. What it keeps
from Tafelronde is what a vote costs on the wire:

- the same rooms (``s:CODE``, ``t:CODE:N``, ``p:CODE:PID``, ``h:CODE``) and the same async mode
  (``TAFELRONDE_ASYNC_MODE``, eventlet by default) behind the same HTTP server (`game.web.serving.http`:
  pool, listen queue, open-file limit);
- per vote or note: one ``table_updated`` to the table's phones (members, the card with its deck
  text, who voted, the notes), one ``host_updated`` to the facilitator (the session facts with
  every table's size, and the changed table), and an acknowledgement carrying the phone's ``me``;
- per join: one ``table_updated`` to the table and one ``host_updated``; per deal: one
  ``table_updated`` per table and one ``host_updated`` with every table.

So the difference between the two servers' CPU per vote is what Tafelronde's rules, event store,
views and bookkeeping cost. It reads the settings `tests.servers.Server` passes to ``app.py``
(``TAFELRONDE_HOST_KEY``, ``TAFELRONDE_DECKS_DIR``) and takes ``--host`` and ``--port``.
It is a benchmark tool: it checks nothing a real server must check.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.patching import patch  # noqa: E402 - imports only os and warnings

MODE = patch() if __name__ == "__main__" else "threading"

import argparse  # noqa: E402 - after patching
import os  # noqa: E402
import secrets  # noqa: E402
import time  # noqa: E402

import yaml  # noqa: E402
from flask import Flask, redirect, request, session  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

FORM = '<form method="post"><input type="hidden" name="csrf_token" value="{token}"></form>'


class Room:
    """One session: its tables, members, current card and notes; plain dicts, nothing stored."""

    def __init__(self, code, deck, table_count):
        self.code, self.deck = code, deck
        self.cards = {c["id"]: c for c in deck.get("cards", ())}
        self.tables = [
            {
                "id": i,
                "name": f"Table {i + 1}",
                "members": [],
                "card": None,
                "votes": {},
                "notes": [],
            }
            for i in range(table_count)
        ]
        self.members = {}  # pid -> {"pid", "name", "table"}
        self.version = 0
        self.next_note = 0

    def session_info(self):
        """The session facts every viewer gets (like `session_info`: every table's size)."""
        return {
            "code": self.code,
            "deck": {
                "id": self.deck.get("id"),
                "title": self.deck.get("title"),
                "language": self.deck.get("language"),
            },
            "seating": "balance",
            "flow": "deal",
            "names_required": False,
            "max_note_chars": 500,
            "max_name_chars": 40,
            "devices": "personal",
            "paused": False,
            "ended": False,
            "timer": None,
            "message": "",
            "tables": [
                {"id": t["id"], "name": t["name"], "size": len(t["members"])} for t in self.tables
            ],
            "people": len(self.members),
            "version": self.version,
        }

    def members_view(self, table):
        """The table's members as phones see them."""
        return [
            {"pid": pid, "name": self.members[pid]["name"], "connected": True}
            for pid in table["members"]
        ]

    def play_view(self, table, voters):
        """The table's current card, with who voted (phones) or how many (facilitator)."""
        card = self.cards.get(table["card"])
        if card is None:
            return None
        response = card.get("response") or {}
        view = {
            "card": {
                "id": card["id"],
                "title": card.get("title"),
                "text": card.get("text"),
                "category": card.get("category"),
                "response": {
                    "type": response.get("type"),
                    "options": list(response.get("options") or ()),
                    "statement": response.get("statement"),
                },
                "prompts": list(card.get("prompts") or ()),
                "reflection": None,
            },
            "status": "talking",
            "revealed": False,
            "distribution": None,
            "passes": None,
            "notes": list(table["notes"]),
            "votes_in": len(table["votes"]),
        }
        if voters:
            view["voted"] = sorted(table["votes"])
        return view

    def table_view(self, table):
        """What a table's phones get in `table_updated`."""
        return {
            "id": table["id"],
            "name": table["name"],
            "members": self.members_view(table),
            "current": self.play_view(table, voters=True),
            "cards_left": 0,
            "devices": "personal",
            "flag": None,
            "version": self.version,
        }

    def host_table(self, table):
        """One table on the facilitator's view."""
        members = self.members_view(table)
        return {
            "id": table["id"],
            "name": table["name"],
            "members": members,
            "present": len(members),
            "current": self.play_view(table, voters=False),
            "cards_played": 1 if table["card"] else 0,
            "cards_left": 0,
            "devices": "personal",
            "flag": None,
            "seconds_on_card": 0.0,
            "stalled": False,
        }

    def me(self, pid):
        """A phone's own `me`: seat and secret vote."""
        member = self.members[pid]
        table = self.tables[member["table"]]
        return {
            "pid": pid,
            "name": member["name"],
            "table": member["table"],
            "vote": table["votes"].get(pid),
            "passed": False,
            "evaluation": None,
        }


def create_app(decks_dir, host_key):
    """The Flask app, its Socket.IO server and the handlers."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = secrets.token_hex(16)
    socketio = SocketIO(
        app,
        async_mode=MODE,
        max_http_buffer_size=16 * 1024,
        cors_allowed_origins=None,
        ping_interval=20,
        ping_timeout=20,
    )
    rooms, viewers = {}, {}  # code -> Room; sid -> (code, role, pid)

    def form_page():
        session.setdefault("csrf", secrets.token_hex(8))
        return FORM.format(token=session["csrf"])

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    @app.route("/host", methods=["GET", "POST"])
    def host():
        if request.method == "POST":
            if request.form.get("key") != host_key:
                return "wrong key", 403
            session.clear()
            session["host"] = True
            return redirect("/")
        return form_page()

    @app.get("/")
    def index():
        return form_page()

    @app.post("/host/sessions")
    def create_session():
        if not session.get("host"):
            return "sign in first", 403
        deck = yaml.safe_load(
            (Path(decks_dir) / f"{request.form['deck']}.yaml").read_text(encoding="utf-8")
        )
        code = secrets.token_hex(3).upper()
        rooms[code] = Room(code, deck, int(request.form.get("table_count", 1)))
        return redirect(f"/host/s/{code}")

    def emit_table(room, table):
        socketio.emit("table_updated", room.table_view(table), to=f"t:{room.code}:{table['id']}")

    def emit_host(room, tables):
        socketio.emit(
            "host_updated",
            {
                "session": room.session_info(),
                "tables": [room.host_table(t) for t in tables],
                "table_count": len(room.tables),
                "unseated": [],
                "spotlight": None,
                "stalled_after": 480,
            },
            to=f"h:{room.code}",
        )

    def changed(room, table):
        room.version += 1
        emit_table(room, table)
        emit_host(room, [table])

    @socketio.on("hello")
    def on_hello(data):
        room = rooms.get(data.get("code"))
        if room is None:
            return {"ok": False, "code": "not_found"}
        if data.get("role") == "facilitator":
            if not session.get("host"):
                return {"ok": False, "code": "unauthorised"}
            viewers[request.sid] = (room.code, "facilitator", None)
            join_room(f"h:{room.code}")
            return {
                "ok": True,
                "view": {
                    "session": room.session_info(),
                    "tables": [room.host_table(t) for t in room.tables],
                },
            }
        viewers[request.sid] = (room.code, "participant", None)
        join_room(f"s:{room.code}")
        return {"ok": True, "view": {"session": room.session_info(), "me": None, "table": None}}

    @socketio.on("join")
    def on_join(data):
        code, _, _ = viewers[request.sid]
        room = rooms[code]
        pid = f"p{len(room.members) + 1}"
        table = min(room.tables, key=lambda t: len(t["members"]))  # seating "balance"
        room.members[pid] = {
            "pid": pid,
            "name": str(data.get("name", ""))[:40],
            "table": table["id"],
        }
        table["members"].append(pid)
        viewers[request.sid] = (code, "participant", pid)
        join_room(f"p:{code}:{pid}")
        join_room(f"t:{code}:{table['id']}")
        changed(room, table)
        return {
            "ok": True,
            "pid": pid,
            "view": {
                "session": room.session_info(),
                "me": room.me(pid),
                "table": room.table_view(table),
            },
        }

    @socketio.on("deal_card")
    def on_deal(data):
        code, role, _ = viewers[request.sid]
        if role != "facilitator":
            return {"ok": False, "code": "forbidden"}
        room = rooms[code]
        for table in room.tables:
            table["card"], table["votes"], table["notes"] = data.get("card"), {}, []
            room.version += 1
            emit_table(room, table)
        emit_host(room, room.tables)
        return {"ok": True}

    @socketio.on("cast_vote")
    def on_vote(data):
        code, _, pid = viewers[request.sid]
        room = rooms[code]
        table = room.tables[room.members[pid]["table"]]
        table["votes"][pid] = data.get("choice")
        changed(room, table)
        return {"ok": True, "me": room.me(pid)}

    @socketio.on("add_note")
    def on_note(data):
        code, _, pid = viewers[request.sid]
        room = rooms[code]
        table = room.tables[room.members[pid]["table"]]
        room.next_note += 1
        note = {
            "id": f"n{room.next_note}",
            "pid": pid,
            "author": room.members[pid]["name"],
            "kind": data.get("kind"),
            "text": str(data.get("text", ""))[:500],
            "card": table["card"],
            "at": time.time(),
            "edited": None,
        }
        table["notes"].append(note)
        changed(room, table)
        return {"ok": True, "note": note["id"], "me": room.me(pid)}

    @socketio.on("disconnect")
    def on_disconnect(reason=None):
        viewers.pop(request.sid, None)

    app.config.update(LISTEN_BACKLOG=2048, HTTP_TIMEOUT=60, MAX_CONNECTIONS=10_000)
    return app, socketio


def main(argv=None):
    """Serve until stopped, with Tafelronde's own HTTP server for the async mode."""
    from game.web.serving import http as serving

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    app, socketio = create_app(
        os.environ.get("TAFELRONDE_DECKS_DIR", str(ROOT / "decks")),
        os.environ.get("TAFELRONDE_HOST_KEY", ""),
    )
    pool, lines = serving.capacity(app.config)
    print(f"bare Flask-SocketIO baseline ({MODE}) on http://{args.host}:{args.port}/", flush=True)
    print("\n".join(lines), flush=True)
    if MODE == "gevent":
        serving.serve_gevent(app, args.host, args.port, pool)
    else:
        serving.serve_eventlet(app, args.host, args.port, pool)


if __name__ == "__main__":
    main()
