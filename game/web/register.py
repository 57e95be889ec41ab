"""Every part of the web shell, registered on one app: languages, sign-in, pages, the live
session (Socket.IO and HTTP), readiness and metrics, results and the deck editor. (The ``flask``
commands are `game.cli`'s; the factory registers them.)"""

from . import language as i18n
from .decks import editor, inbox
from .decks import files as deck_files
from .live import namespace as live
from .live import offline, takeaway
from .live import routes as live_routes
from .pages import compare, results, security
from .pages import home as pages
from .serving import metrics, nodes, probes


def init_app(app, socketio):
    """Register every part; `socketio` is the app's Socket.IO server."""
    i18n.init_app(app)
    security.init_app(app)
    pages.init_app(app)
    live.init_app(app, socketio)
    nodes.init_app(app)
    probes.init_app(app, socketio)
    metrics.init_app(app)
    live_routes.init_app(app)
    offline.init_app(app)
    takeaway.init_app(app)
    results.init_app(app)
    editor.init_app(app)
    deck_files.init_app(app)
    inbox.init_app(app)
    compare.init_app(app)
