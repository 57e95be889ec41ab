"""Every part of the web shell, registered on one app: languages, sign-in, pages, the live
session (Socket.IO and HTTP), readiness and metrics, results, the deck editor and the ``flask``
commands."""

from ..cli import decks as cli
from ..cli import host as host_cli
from . import (
    compare,
    editor,
    i18n,
    live,
    live_routes,
    metrics,
    nodes,
    offline,
    pages,
    probes,
    results,
    security,
)


def init_app(app, socketio):
    """Register every part; `socketio` is the app's Socket.IO server."""
    i18n.init_app(app)
    security.init_app(app)
    pages.init_app(app)
    cli.init_app(app)
    host_cli.init_app(app)
    live.init_app(app, socketio)
    nodes.init_app(app)
    probes.init_app(app, socketio)
    metrics.init_app(app)
    live_routes.init_app(app)
    offline.init_app(app)
    results.init_app(app)
    editor.init_app(app)
    compare.init_app(app)
