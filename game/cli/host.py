"""``flask --app app host ...``: the facilitator's key from the command line.

``host rotate-key`` writes a new key to ``instance/host_key`` and ends every facilitator sign-in,
also in a server that is running (it re-reads both files when they change, `game.web.pages.signins`).
A key set in ``instance/config.py`` or ``TAFELRONDE_HOST_KEY`` is changed there instead: the
command says so and changes nothing.
"""

import click
from flask import current_app
from flask.cli import AppGroup

from ..web.language import gettext as _
from ..web.pages.signins import new_host_key, write_host_key

host = AppGroup("host", help="The facilitator's key and sign-ins.")


@host.command("rotate-key")
def rotate_key():
    """Write a new facilitator key and end every sign-in (open facilitator pages too)."""
    app = current_app
    if not app.extensions.get("tafelronde.host_key_kept"):
        raise click.ClickException(
            _(
                "The facilitator key is set in the configuration (HOST_KEY); "
                "change it there and restart."
            )
        )
    key = new_host_key()
    write_host_key(app.instance_path, key)
    app.extensions["tafelronde.signins"].end_all()
    click.echo(_("New facilitator key: %(key)s") % {"key": key})
    click.echo(_("Every facilitator sign-in has ended; sign in again with the new key."))


def init_app(app):
    """Register the ``host`` command group."""
    app.cli.add_command(host)
