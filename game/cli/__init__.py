"""The ``flask`` commands: decks, sessions and the facilitator key. They use the web shell's
parts (translations, sign-ins, the print page, retention); the web shell never imports them."""

from . import decks, host, sessions


def init_app(app):
    """Register every command group on the app's ``flask`` command."""
    decks.init_app(app)
    host.init_app(app)
    sessions.init_app(app)
