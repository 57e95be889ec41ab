"""The clients: the facilitator (HTTP sign-in, then a socket that timestamps every `host_updated`)
and the phones (connect, hello, join, vote, add a note), with the JSON codec they share."""

import asyncio
import json
import re
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

import socketio

from .common import ACK_TIMEOUT, ROOT, now

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NOTE_KINDS = ("experience", "tip", "concern", "question")


class FastJSON:
    """The JSON codec the load generator's clients use: orjson when installed, else the standard
    library. engine.io's default decoder checks every integer in Python (`_safe_int`), which made
    decoding the servers' updates the load generator's biggest cost; here the server is trusted."""

    try:
        import orjson as _orjson
    except ImportError:  # pragma: no cover - orjson is optional
        _orjson = None

    @classmethod
    def dumps(cls, obj, **kwargs):
        """Encode to a str (python-socketio expects text)."""
        if cls._orjson is not None:
            return cls._orjson.dumps(obj).decode()
        return json.dumps(obj, **kwargs)

    @classmethod
    def loads(cls, text, **kwargs):
        """Decode str or bytes."""
        if cls._orjson is not None:
            return cls._orjson.loads(text)
        return json.loads(text)


# --- the facilitator ------------------------------------------------------------------------------


def choice_cards(deck_slug, decks_dir):
    """Ids and option counts of the deck's cards whose response is a choice."""
    path = Path(decks_dir) / f"{deck_slug}.yaml"
    try:
        sys.path.insert(0, str(ROOT))
        from game.decks.deck import load_deck

        deck = load_deck(path)
        cards = [(c.id, len(c.response.options)) for c in deck.cards if c.response.kind == "choice"]
    except Exception:  # noqa: BLE001 - game/ is edited concurrently; the YAML itself is enough
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cards = [
            (c["id"], len(c["response"]["options"]))
            for c in data["cards"]
            if (c.get("response") or {}).get("type") == "choice"
        ]
    if not cards:
        raise SystemExit(f"deck {deck_slug} has no choice cards")
    return cards


def page_errors(html):
    """The error lines of a form page, without markup (for messages about refused forms)."""
    text = re.sub(r"<[^>]+>", "\n", html)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(line for line in lines if "valid" in line or "error" in line.lower())[:300]


async def sign_in_and_create(http, url, key, deck, tables):
    """Sign in with the host key and create a session; returns (code, cookie header)."""
    async with http.get(url + "/host") as response:
        token = CSRF.search(await response.text())
    if token is None:
        raise SystemExit("no CSRF token on /host")
    form = {"key": key, "csrf_token": token.group(1)}
    async with http.post(url + "/host", data=form, allow_redirects=False) as response:
        if response.status != 302:
            raise SystemExit(f"sign-in failed: HTTP {response.status} (wrong --key?)")
    # Signing in starts a fresh browser session, so the CSRF token changes: read the new one.
    async with http.get(url + "/") as response:
        token = CSRF.search(await response.text())
    if token is None:
        raise SystemExit("no CSRF token on / after signing in")
    form = {
        "deck": deck,
        "tables_mode": "count",
        "table_count": str(tables),
        "seating": "balance",
        "flow": "deal",
        "csrf_token": token.group(1),
    }
    async with http.post(url + "/host/sessions", data=form, allow_redirects=False) as response:
        location = response.headers.get("Location", "")
        if response.status != 302 or "/host/s/" not in location:
            raise SystemExit(
                f"creating the session failed: HTTP {response.status}: "
                f"{page_errors(await response.text())}"
            )
    code = location.rstrip("/").rsplit("/", 1)[-1]
    cookie = "; ".join(f"{c.key}={c.value}" for c in http.cookie_jar)
    return code, cookie


@dataclass
class Facilitator:
    """The facilitator's socket; keeps (arrival, table, card, votes, notes) per table it is shown,
    from the coalesced `host_updated` and from the small `table_progress` sent at once (when the
    server sends it), and the size of every message (to compare bytes per second)."""

    sio: socketio.AsyncClient
    updates: list = field(default_factory=list)  # (time, table id, card id, votes_in, note ids)
    messages: int = 0  # host_updated received
    progress: int = 0  # table_progress received
    largest: int = 0  # bytes of the largest host_updated (as JSON)
    total_bytes: int = 0
    arrivals: list = field(default_factory=list)  # (time, bytes) of every message to it

    def listen(self):
        """Handle the facilitator's updates."""
        self.sio.on("host_updated", self.on_host_updated)
        self.sio.on("table_progress", self.on_table_progress)

    def _size(self, arrived, data):
        size = len(FastJSON.dumps(data))
        self.total_bytes += size
        self.arrivals.append((arrived, size))
        return size

    def on_host_updated(self, data):
        """Timestamp first, then keep only what the latency analysis needs."""
        arrived = now()
        self.messages += 1
        self.largest = max(self.largest, self._size(arrived, data))
        for table in data.get("tables", ()):
            current = table.get("current")
            if not current:
                continue
            votes = current.get("votes_in", 0)
            distribution = current.get("distribution")
            if distribution:
                votes = max(votes, sum(distribution))
            notes = frozenset(n["id"] for n in current.get("notes", ()))
            self.updates.append((arrived, table["id"], current["card"]["id"], votes, notes))

    def on_table_progress(self, data):
        """One table's counts, sent as they change: votes in, and the id of a new note."""
        arrived = now()
        self.progress += 1
        self._size(arrived, data)
        for table in data.get("tables", ()):
            notes = frozenset(n["id"] for n in table.get("notes", ()))
            self.updates.append((arrived, table["id"], table["card"], table["votes_in"], notes))

    def bytes_between(self, start, end):
        """Bytes of every message that arrived in [start, end]."""
        return sum(size for t, size in self.arrivals if start <= t <= end)


# --- the phones -----------------------------------------------------------------------------------


@dataclass
class Command:
    """One command a phone sent and what became of it."""

    kind: str
    table: int | None
    card: str | None
    sent: float
    acked: float | None = None
    ok: bool = False
    error: str | None = None
    note: str | None = None
    session: str | None = None  # the session's code, when a run has several


@dataclass
class Phone:
    """One participant's phone."""

    index: int
    sio: socketio.AsyncClient
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    pid: str | None = None
    table: int | None = None
    received: int = 0
    by_event: dict = field(default_factory=dict)
    last_update: float = 0.0
    sizes: dict | None = None  # event -> bytes of the last one (measured on one phone only)
    connect_s: float | None = None
    join_s: float | None = None
    error: str | None = None
    dropped: tuple | None = None  # (time, reason) when the connection ended before we closed it
    closing: bool = False

    def listen(self):
        """Count every update pushed to this phone, by event name; note a dropped connection."""
        for event in ("table_updated", "session_updated", "view_replaced"):
            self.sio.on(event, self._counter(event))
        self.sio.on("disconnect", self._on_disconnect)

    def _on_disconnect(self, reason=None):
        if not self.closing and self.dropped is None:
            self.dropped = (now(), str(reason))

    def _counter(self, event):
        def count(data=None):
            self.received += 1
            self.last_update = now()
            self.by_event[event] = self.by_event.get(event, 0) + 1
            if self.sizes is not None:
                self.sizes[event] = len(json.dumps(data, separators=(",", ":")))

        return count


async def call(sio, event, payload, record):
    """Send a command and wait for its acknowledgement, recording the outcome in `record`."""
    try:
        answer = await sio.call(event, payload, timeout=ACK_TIMEOUT)
    except socketio.exceptions.TimeoutError:
        record.error = "no ack within 10 s"
        return None
    except Exception as error:  # noqa: BLE001 - a lost connection is a result, not a crash
        record.error = f"{type(error).__name__}: {error}"
        return None
    record.acked = now()
    if isinstance(answer, dict) and answer.get("ok"):
        record.ok = True
    else:
        record.error = (
            (answer or {}).get("code", "bad answer") if isinstance(answer, dict) else "bad"
        )
    return answer


async def connect_phone(phone, url, code, transports):
    """Connect, say hello and join; keeps timings and the table the phone was seated at."""
    started = now()
    phase = "connect"
    try:
        # The code in the handshake, as the pages send it: nginx routes by it (--processes).
        await phone.sio.connect(
            f"{url}/?code={code}", transports=transports, wait_timeout=ACK_TIMEOUT
        )
        phone.connect_s = now() - started
        phase = "hello"
        hello = await phone.sio.call(
            "hello", {"code": code, "role": "participant"}, timeout=ACK_TIMEOUT
        )
        if not hello.get("ok"):
            raise RuntimeError(f"hello refused: {hello}")
        phase = "join"
        answer = await phone.sio.call(
            "join",
            {"name": f"Phone {phone.index}", "token": phone.token, "cid": "join"},
            timeout=ACK_TIMEOUT,
        )
        if not answer.get("ok"):
            raise RuntimeError(f"join refused: {answer}")
        phone.join_s = now() - started - phone.connect_s
        phone.pid = answer["pid"]
        phone.table = answer["view"]["me"]["table"]
    except Exception as error:  # noqa: BLE001 - reported in the figures
        phone.error = f"{phase}: {type(error).__name__}: {error}"


async def play_round(phone, card, options, window, rng, commands, session=None):
    """Vote at a random moment within `window`, then add a note after another random pause."""
    await asyncio.sleep(rng.uniform(0, window))
    vote = Command("vote", phone.table, card, now(), session=session)
    commands.append(vote)
    payload = {"choice": rng.randrange(options), "card": card, "cid": f"v-{card}"}
    await call(phone.sio, "cast_vote", payload, vote)
    await asyncio.sleep(rng.uniform(0, window))
    note = Command("note", phone.table, card, now(), session=session)
    commands.append(note)
    text = f"Phone {phone.index} thinks about {card}: " + "bla " * rng.randrange(5, 30)
    payload = {"kind": rng.choice(NOTE_KINDS), "text": text.strip(), "cid": f"n-{card}"}
    answer = await call(phone.sio, "add_note", payload, note)
    if answer and answer.get("ok"):
        note.note = answer.get("note")


async def wait_until_quiet(phones, quiet, limit):
    """Wait until no phone has received anything for `quiet` seconds (at most `limit`);
    returns the time the last update arrived."""
    deadline = now() + limit
    while now() < deadline:
        last = max((p.last_update for p in phones), default=0.0)
        if now() - last >= quiet:
            return last
        await asyncio.sleep(0.1)
    return max((p.last_update for p in phones), default=now())
