"""Socket.IO handlers: say who you are, send commands, receive updates (see docs/protocol.md).

Each handler is thin: check the payload's outer shape, find who is asking (from this socket's
`hello`), call the hub, hand what changed to the shell (`game.web.live.shell`, which sends it to
the right rooms), answer with an acknowledgement. `LiveNamespace` names every event.
"""

import functools
import hmac
import os
import sys
import time

from flask import current_app, request
from flask_socketio import Namespace, join_room

from ...codes import normalise_code
from ...core.rules import FACILITATOR, Actor
from ...core.throttle import TokenBucket
from ...core.views import me_view, view_for
from ...errors import N_, Forbidden, GameError, InvalidInput, RateLimited, Unauthorised
from ...hub import Hub
from ...ownership import Ownership, process_name
from ...storage import open_store
from ...storage.events import StoreUnavailable
from ..language import gettext
from ..pages import security
from ..pages.signins import SignIns
from .shell import FailureLog, LiveShell, Viewer

__all__ = ["FailureLog", "LiveNamespace", "init_app"]


def _error(error):
    """The acknowledgement of a refused command, in the sender's language (plus the fields a
    program needs, such as `retry_after` for `moved`)."""
    message = gettext(error.message) % error.params if error.params else gettext(error.message)
    answer = {"ok": False, "error": message, "code": error.code}
    for field in getattr(error, "ack_fields", ()):
        answer[field] = error.params[field]
    return answer


def _shell():
    return current_app.extensions["tafelronde.live"]


def _payload(data):
    return data if isinstance(data, dict) else None


def handler(function):
    """Wrap a handler: refusals become error acks; bugs are logged and answered, not hidden."""

    name = function.__name__.removeprefix("on_")

    @functools.wraps(function)
    def wrapped(data=None, **options):
        started = time.perf_counter()
        answer = _answer(data, options)
        metrics = current_app.extensions.get("tafelronde.metrics")
        if metrics is not None:
            metrics.command(options.get("name") or name, answer, time.perf_counter() - started)
        return answer

    def _answer(data, options):
        try:
            payload = _payload(data)
            if payload is None:
                return {
                    "ok": False,
                    "error": gettext("The message must be an object."),
                    "code": "invalid",
                }
            return function(_shell(), payload, **options)
        except GameError as error:
            return _error(error)
        except Exception:
            _shell().failures.log(options.get("name") or function.__name__)
            return {
                "ok": False,
                "error": gettext("Something went wrong on the server."),
                "code": "server_error",
            }

    return wrapped


# Real threads that run the store's work under eventlet (`_blocking_runner`): the group commit
# writes one transaction at a time; PostgreSQL also reads there, beside a commit.
STORE_THREADS = {"sqlite": 1, "postgres": 2}

# Per socket: `hello` and `sync` build a whole view; a phone needs a few when it wakes up.
ASK_BURST, ASK_PER_SECOND = 10, 1.0


def _ask(shell):
    """Spend one of this socket's `hello`/`sync` tokens, or refuse with `rate_limited`."""
    now = time.monotonic()
    bucket = shell.asks.get(request.sid)
    if bucket is None:
        bucket = shell.asks[request.sid] = TokenBucket(ASK_BURST, ASK_PER_SECOND, now)
    if not bucket.take(now):
        raise RateLimited(gettext("Too many requests at once. Wait a moment and try again."))


def _viewer(shell, roles):
    viewer = shell.viewers.get(request.sid)
    if viewer is None:
        raise Unauthorised(gettext("Say hello first: open the session page again."))
    if viewer.role not in roles:  # a phone sending a facilitator command, the projector voting
        raise Forbidden(gettext("You are not allowed to do that."))
    live = shell.hub.get(viewer.code)
    if live is None:
        raise Unauthorised(gettext("This session no longer exists."))
    return viewer, live


@handler
def on_hello(shell, payload):
    """Identify this socket as a participant, the facilitator or a projector of a session."""
    _ask(shell)
    live = shell.hub.get(payload.get("code"))
    role = payload.get("role")
    # Wrong codes count per address, like /join: a blocked address may still bring back a phone
    # that already joined (its token proves it), so guessing stops but a venue's phones go on.
    limiter = current_app.extensions["tafelronde.join_limiter"]
    address, now = request.remote_addr or "?", time.monotonic()
    if limiter.blocked(address, now) and not _proves_itself(shell, live, role, payload):
        raise RateLimited(gettext("Too many wrong codes. Wait a few minutes and try again."))
    if live is None:
        limiter.fail(address, now)
        return {
            "ok": False,
            "error": gettext("There is no session with that code."),
            "code": "not_found",
        }
    if role == "facilitator" and not security.is_host():
        raise Unauthorised(gettext("Sign in as the facilitator first."))
    if role == "projector" and not hmac.compare_digest(
        str(payload.get("key", "")).encode(), live.projector_key.encode()
    ):
        raise Unauthorised(gettext("This projector link is not valid."))
    if role not in ("participant", "facilitator", "projector"):
        raise Unauthorised(gettext("Unknown role."))
    opened_for = request.args.get("code")  # the handshake's code, by which a router sent it here
    if opened_for is not None and normalise_code(opened_for) != live.code:
        raise InvalidInput(N_("This connection was opened for another session; reload the page."))
    shell.forget(request.sid, closed=False)
    shell.viewers[request.sid] = Viewer(live.code, role)
    shell.hub.arrived(live)
    if role == "participant":
        join_room(f"s:{live.code}")
        pid = shell.hub.pid_for(live, payload.get("token"))
        if pid is not None:
            shell.fanout(live, shell.attach(request.sid, live, pid))
        else:
            join_room(f"l:{live.code}")  # not joined yet: it chooses a seat by the tables' sizes
        return {"ok": True, "view": view_for(live.state, Actor.participant(pid), shell.hub.clock())}
    join_room(f"{'h' if role == 'facilitator' else 'w'}:{live.code}")
    viewer = FACILITATOR if role == "facilitator" else Actor("projector")
    return {
        "ok": True,
        "view": view_for(live.state, viewer, shell.hub.clock(), shell.stalled_after),
    }


def _proves_itself(shell, live, role, payload):
    """True when a hello shows something no guesser has: a seat's token, the sign-in, the key."""
    if live is None:
        return False
    if role == "participant":
        return shell.hub.pid_for(live, payload.get("token")) is not None
    if role == "facilitator":
        return security.is_host()
    if role == "projector":
        key = str(payload.get("key", ""))
        return hmac.compare_digest(key.encode(), live.projector_key.encode())
    return False


@handler
def on_sync(shell, payload):
    """The full current view again (phones ask when they wake up)."""
    _ask(shell)
    viewer, live = _viewer(shell, ("participant", "facilitator", "projector"))
    actor = Actor(viewer.role, viewer.pid)
    return {"ok": True, "view": view_for(live.state, actor, shell.hub.clock(), shell.stalled_after)}


class SessionFull(GameError):
    """The session has as many people as the MAX_PARTICIPANTS setting allows."""

    code = "full"


@handler
def on_join(shell, payload):
    """A phone joins the session with the token it made up; answers with its view."""
    viewer, live = _viewer(shell, ("participant",))
    known = shell.hub.pid_for(live, payload.get("token"))
    if viewer.pid is not None and known != viewer.pid:
        raise Forbidden(gettext("This phone has already joined the session."))
    cap = current_app.config["MAX_PARTICIPANTS"]
    if known is None and len(live.state.members) >= cap:  # a phone that joined comes back in
        raise SessionFull(N_("This session is full: it has room for %(count)s people."), count=cap)
    pid, events = shell.hub.join(live, payload.get("token"), payload.get("name", ""))
    if viewer.pid != pid:  # in its rooms before the table hears of it: one update, not two
        events = [*events, *shell.attach(request.sid, live, pid)]
    shell.fanout(live, events)
    view = view_for(live.state, Actor.participant(pid), shell.hub.clock())
    return {"ok": True, "pid": pid, "view": view}


def _participant_command(name, shell, payload):
    """One participant command (see docs/protocol.md): the hub decides, the table hears."""
    viewer, live = _viewer(shell, ("participant",))
    if viewer.pid is None:
        raise Unauthorised(gettext("Join the session first."))
    actor = Actor.participant(viewer.pid)
    cid = payload.pop("cid", None)
    answer, events = shell.hub.command(live, actor, name, payload, cid)
    shell.fanout(live, events)
    # A copy: the hub remembers `answer` for this cid (a retry gets it again); the `me` view
    # kept inside it would stay in memory for the whole session, for every command.
    return {**answer, "me": me_view(live.state, actor.pid)}


def _facilitator_command(name, shell, payload):
    """One facilitator command; the sign-in is checked on every call."""
    _, live = _viewer(shell, ("facilitator",))
    if not security.is_host():
        raise Unauthorised(gettext("Sign in as the facilitator first."))
    cid = payload.pop("cid", None)
    answer, events = shell.hub.command(live, FACILITATOR, name, payload, cid)
    shell.fanout(live, events)
    return answer


@handler
def participant(shell, payload, name):
    """A participant command by name (the namespace's `on_<name>` methods call this)."""
    return _participant_command(name, shell, payload)


@handler
def facilitator(shell, payload, name):
    """A facilitator command by name (the namespace's `on_<name>` methods call this)."""
    return _facilitator_command(name, shell, payload)


UNKNOWN = "Unknown command."


def on_unknown(data=None):
    """Any event we do not know gets a clear answer instead of silence."""
    return {"ok": False, "error": gettext(UNKNOWN), "code": "invalid"}


def on_extra(data=None):
    """An event sent with more than one argument: every event takes one object."""
    return {"ok": False, "error": gettext("Send one object per message."), "code": "invalid"}


class LiveNamespace(Namespace):
    """Every Socket.IO event Tafelronde answers, one ``on_<event>`` method each, so grepping an
    event name of docs/protocol.md lands here. Commands go to `game.core.rules` through the hub;
    a test checks that every command of the rules has its method here and no more."""

    def trigger_event(self, event, *args):
        """Dispatch to ``on_<event>``; an event we do not know, or one sent with more than one
        argument (``emit("sync", {}, 1)``), is answered ``invalid``, never a traceback."""
        if not isinstance(event, str) or not hasattr(self, f"on_{event}"):
            return self.socketio._handle_event(on_unknown, event, self.namespace, *args[:1])
        if event not in ("connect", "disconnect") and len(args) > 2:  # sid, then one payload
            return self.socketio._handle_event(on_extra, event, self.namespace, args[0])
        return super().trigger_event(event, *args)

    def on_disconnect(self, reason=None):
        return on_disconnect(reason)

    # --- any role --------------------------------------------------------------------------
    def on_hello(self, data=None):
        return on_hello(data)

    def on_sync(self, data=None):
        return on_sync(data)

    # --- participants ----------------------------------------------------------------------
    def on_join(self, data=None):
        return on_join(data)

    def on_rename(self, data=None):
        return participant(data, name="rename")

    def on_take_seat(self, data=None):
        return participant(data, name="take_seat")

    def on_draw_card(self, data=None):
        return participant(data, name="draw_card")

    def on_cast_vote(self, data=None):
        return participant(data, name="cast_vote")

    def on_reveal_votes(self, data=None):
        return participant(data, name="reveal_votes")

    def on_revote(self, data=None):
        return participant(data, name="revote")

    def on_add_note(self, data=None):
        return participant(data, name="add_note")

    def on_edit_note(self, data=None):
        return participant(data, name="edit_note")

    def on_delete_note(self, data=None):
        return participant(data, name="delete_note")

    def on_record_choice(self, data=None):
        return participant(data, name="record_choice")

    def on_set_conclusion(self, data=None):
        return participant(data, name="set_conclusion")

    def on_submit_evaluation(self, data=None):
        return participant(data, name="submit_evaluation")

    # care at the table and shared devices (game/core/features/care.py, devices.py)
    def on_skip_card(self, data=None):
        return participant(data, name="skip_card")

    def on_pass_vote(self, data=None):
        return participant(data, name="pass_vote")

    def on_flag_table(self, data=None):
        return participant(data, name="flag_table")

    def on_withdraw_flag(self, data=None):
        return participant(data, name="withdraw_flag")

    def on_record_tally(self, data=None):
        return participant(data, name="record_tally")

    # scripts and dilemmas from the room (game/core/features/steps.py, dilemmas.py)
    def on_next_step(self, data=None):
        return participant(data, name="next_step")

    def on_propose_dilemma(self, data=None):
        return participant(data, name="propose_dilemma")

    # --- the facilitator -------------------------------------------------------------------
    def on_deal_card(self, data=None):
        return facilitator(data, name="deal_card")

    def on_reveal_table(self, data=None):
        return facilitator(data, name="reveal_table")

    def on_reset_table(self, data=None):
        return facilitator(data, name="reset_table")

    def on_pause(self, data=None):
        return facilitator(data, name="pause")

    def on_start_timer(self, data=None):
        return facilitator(data, name="start_timer")

    def on_stop_timer(self, data=None):
        return facilitator(data, name="stop_timer")

    def on_send_message(self, data=None):
        return facilitator(data, name="send_message")

    def on_move_participant(self, data=None):
        return facilitator(data, name="move_participant")

    def on_add_table(self, data=None):
        return facilitator(data, name="add_table")

    def on_hide_note(self, data=None):
        return facilitator(data, name="hide_note")

    def on_spotlight(self, data=None):
        return facilitator(data, name="spotlight")

    def on_end_session(self, data=None):
        return facilitator(data, name="end_session")

    def on_clear_flag(self, data=None):
        return facilitator(data, name="clear_flag")

    def on_set_devices(self, data=None):
        return facilitator(data, name="set_devices")

    def on_set_rounds(self, data=None):
        return facilitator(data, name="set_rounds")

    # scripts, perspectives, dilemmas from the room, the takeaway (game/core/features/)
    def on_advance_tables(self, data=None):
        return facilitator(data, name="advance_tables")

    def on_set_perspectives(self, data=None):
        return facilitator(data, name="set_perspectives")

    def on_file_dilemma(self, data=None):
        return facilitator(data, name="file_dilemma")

    def on_offer_takeaway(self, data=None):
        return facilitator(data, name="offer_takeaway")


def on_disconnect(reason=None):
    """A socket went away: update presence at its table."""
    shell = _shell()
    if shell.socketio.server.manager.is_connected(request.sid, "/"):
        # Still connected: a client *sent* an event named "disconnect". Not the real thing.
        return {"ok": False, "error": gettext(UNKNOWN), "code": "invalid"}
    shell.forget(request.sid)
    return None


def init_app(app, socketio):
    """Create the store, the hub and the transport, and register every Socket.IO handler."""
    threads = STORE_THREADS["postgres" if app.config["STORE_URL"] else "sqlite"]
    run_blocking = _blocking_runner(app.config["ASYNC_MODE"], threads)
    try:
        store = open_store(app.config, run_blocking=run_blocking)
    except StoreUnavailable as error:
        where = "STORE_URL" if app.config["STORE_URL"] else f"DATABASE {app.config['DATABASE']}"
        raise SystemExit(
            f"Cannot open the session store ({where}): {error.detail}. Start it (or free the "
            "disk) and start Tafelronde again."
        ) from None
    ownership = None
    if app.config["CLUSTER"]:
        name = process_name(app.config["NODE_NAME"])
        ownership = Ownership(store, app.config["LEASE_SECONDS"], name)
    hub = Hub(store, ownership=ownership)
    shell = LiveShell(app, socketio, hub)
    app.extensions["tafelronde.hub"] = hub
    app.extensions["tafelronde.live"] = shell
    app.extensions["tafelronde.signins"] = SignIns(store)  # shared by every process of the store

    def close():
        shell.stop()
        store.close()

    app.extensions["tafelronde.close"] = close
    if not getattr(socketio, "_tafelronde_handlers", False):
        # One SocketIO object serves every app made by the factory (tests make many); the
        # handlers find their app through `current_app`, so they are registered once.
        _register_handlers(socketio)
        socketio._tafelronde_handlers = True


def _register_handlers(socketio):
    """Every Socket.IO event Tafelronde answers: the methods of `LiveNamespace`."""
    socketio.on_namespace(LiveNamespace("/"))


def _blocking_runner(async_mode, threads=1):
    """How the store runs a commit without stalling other connections (in one of `threads`
    real threads under eventlet)."""
    # Only where eventlet really runs (it patched threads): a `flask` command needs no tpool.
    if async_mode == "eventlet" and "eventlet" in sys.modules:
        from eventlet import patcher, tpool

        if patcher.is_monkey_patched("thread"):
            if "EVENTLET_THREADPOOL_SIZE" not in os.environ:
                # eventlet's default of 20 threads hands the commits round to all of them, and
                # each keeps a C heap of its own: about 2.5 KB of RSS per phone at 500 phones
                # (bench/load.py), for threads that would wait on the store's lock anyway.
                tpool.set_num_threads(threads)
            return tpool.execute
    if async_mode == "gevent" and "gevent" in sys.modules:
        from gevent import monkey

        if monkey.is_module_patched("threading"):
            return _gevent_threadpool
    return lambda function, *args: function(*args)


def _gevent_threadpool(function, *args):
    """Run `function` in one of gevent's real threads; this greenlet waits, the others go on."""
    import gevent

    return gevent.get_hub().threadpool.apply(function, args)
