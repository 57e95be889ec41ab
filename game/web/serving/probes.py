"""Readiness: can this process do its work now? `GET /readyz` (liveness stays `/healthz`).

`/readyz` answers 200 only when this process can write to its store (one small real write: its
row in the store's list of processes, `game.storage.nodes`, and no transaction failed within
`RECENT_FAILURE` seconds: on a full disk a one-row write may still fit where a vote's does not)
and, with several processes, reach Redis (a PING); otherwise 503. Either way the JSON body says what each check found:

    {"ok": false, "node": "node1:…", "store": {"ok": false, "error": "…", "seconds": 0.002},
     "queue": {"ok": true, "seconds": 0.001}}

Each check gets `CHECK_SECONDS`; a store that does not answer in time counts as away (the check
goes on in the background, and no second one starts while it hangs). Answers are reused for
`REUSE_SECONDS`, so probing often costs at most a few writes per second. A process that is
stopping (SIGTERM) answers 503 at once.
"""

import threading
import time

from flask import Blueprint, current_app

from ...storage.events import describe
from . import nodes

bp = Blueprint("probes", __name__)

CHECK_SECONDS = 2.0
REUSE_SECONDS = 0.25
RECENT_FAILURE = 3.0


class Readiness:
    """The checks of one app, and the last answer."""

    def __init__(self, app, socketio):
        self.app, self.socketio = app, socketio
        self._last = (float("-inf"), None)
        self._store_check = None  # (started, done event) of a store check still running
        self._redis = None

    def forget(self):
        """Drop the answer kept for reuse: the next probe checks again."""
        self._last = (float("-inf"), None)

    def answer(self):
        """``(ready, body)``, reused for `REUSE_SECONDS`."""
        now = time.monotonic()
        if now - self._last[0] < REUSE_SECONDS:
            return self._last[1]
        shell = self.app.extensions["tafelronde.live"]
        body = {"ok": True, "node": nodes.node_name(self.app)}
        if shell.stopping:
            body["stopping"] = True
        body["store"] = self._check_store()
        if self.app.config["CLUSTER"]:
            body["queue"] = self._within(self._ping_queue)
        body["ok"] = not body.get("stopping") and all(
            body[part]["ok"] for part in ("store", "queue") if part in body
        )
        self._last = (time.monotonic(), (body["ok"], body))
        return body["ok"], body

    def _check_store(self):
        running = self._store_check
        if running is not None and not running[1].is_set():
            waited = time.monotonic() - running[0]
            return {"ok": False, "error": f"no answer from the store for {waited:.1f} s"}
        app = self.app
        result = self._within(lambda: nodes.heartbeat(app), on_start=self._note_store_check)
        failure = app.extensions["tafelronde.hub"].store.last_failure
        if result["ok"] and failure is not None:
            ago = time.monotonic() - failure[0]
            if ago < RECENT_FAILURE:
                return {"ok": False, "error": f"a write failed {ago:.1f} s ago: {failure[1]}"}
        return result

    def _note_store_check(self, started, done):
        self._store_check = (started, done)

    def _ping_queue(self):
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(
                self.app.config["MESSAGE_QUEUE"],
                socket_timeout=CHECK_SECONDS,
                socket_connect_timeout=CHECK_SECONDS,
            )
        self._redis.ping()

    def _within(self, function, on_start=None):
        """Run `function` in a background task; ``{"ok", "seconds"}`` or ``{"ok", "error"}``."""
        done, outcome = threading.Event(), {}
        started = time.monotonic()

        def run():
            try:
                function()
            except Exception as error:  # what the check found: reported, not raised
                outcome["error"] = getattr(error, "detail", None) or describe(error)
            finally:
                outcome["seconds"] = round(time.monotonic() - started, 4)
                done.set()

        if on_start is not None:
            on_start(started, done)
        self.socketio.start_background_task(run)
        if not done.wait(CHECK_SECONDS):
            return {"ok": False, "error": f"no answer within {CHECK_SECONDS:g} s"}
        if "error" in outcome:
            return {"ok": False, "error": outcome["error"]}
        return {"ok": True, "seconds": outcome["seconds"]}


def init_app(app, socketio):
    """Register `/readyz`."""
    app.extensions["tafelronde.readiness"] = Readiness(app, socketio)
    app.register_blueprint(bp)


@bp.get("/readyz")
def ready():
    """200 when this process can write to its store (and reach Redis with several processes),
    503 otherwise; the body says what each check found."""
    ok, body = current_app.extensions["tafelronde.readiness"].answer()
    return body, (200 if ok else 503), {"Cache-Control": "no-store"}
