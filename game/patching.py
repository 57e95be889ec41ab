"""Monkey-patching for the async server, done first by every entry point that serves.

eventlet and gevent replace the standard library's sockets, threads and locks. That only works
if it happens before anything else imports them, so this module imports nothing but `os` and
`warnings`, and `python app.py` and the `tafelronde` command call `patch()` on their first line.
The mode comes from ``TAFELRONDE_ASYNC_MODE`` (the environment, not ``instance/config.py``:
reading that file needs Flask, which must not be imported before patching).
"""

import os
import warnings

MODES = ("eventlet", "gevent", "threading")
DEFAULT_MODE = "eventlet"


def mode_from_environment(environ=os.environ):
    """The async mode asked for in the environment; an unknown name is an error, not a guess."""
    mode = environ.get("TAFELRONDE_ASYNC_MODE", "").strip().strip('"').lower() or DEFAULT_MODE
    if mode not in MODES:
        raise SystemExit(
            f"TAFELRONDE_ASYNC_MODE={mode!r} is not one of {', '.join(MODES)} "
            f"(eventlet is the default)."
        )
    return mode


def patch(mode=None):
    """Patch the standard library for `mode` (default: from the environment); return the mode."""
    mode = mode or mode_from_environment()
    if mode == "eventlet":
        # eventlet announces its own deprecation on import; Flask-SocketIO still serves best on it.
        warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    # Make the choice visible to the app's configuration (TAFELRONDE_* is read by create_app).
    os.environ["TAFELRONDE_ASYNC_MODE"] = mode
    return mode
