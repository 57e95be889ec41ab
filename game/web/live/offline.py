"""The phone page's service worker, served at ``/j/sw.js`` so that its scope is ``/j/`` (the
phone pages, never the facilitator's or the projector's).

It keeps the phone page's own files for a reload without network. Its cache is named after a
hash of those files' bytes, so a release that changes any of them ships a different worker,
which replaces the old cache instead of serving stale JavaScript forever.
"""

import hashlib
from pathlib import Path

from flask import Blueprint, current_app, render_template, url_for

from ...errors import N_
from ..language import gettext

bp = Blueprint("offline", __name__)

# Everything the phone page loads from /static (tests.test_pages checks the page against it).
PHONE_ASSETS = (
    "css/app.css",
    "css/live.css",
    "favicon.svg",
    "vendor/socket.io-client-4.8.4/socket.io.slim.min.js",
    "js/io.js",
    "js/live.js",
    "js/play.js",
)


# What a table's takeaway page loads besides the phone page's files (kept by the worker as pages
# are: network first, so a release reaches it; the copy when offline).
TAKEAWAY_ASSETS = ("css/takeaway.css", "js/print.js")

# The words of /j/more.js (templates/play_more.js), translated for the phone that asks.
MORE_STRINGS = {
    "ended_p": N_("You can close this page."),
    "eval_h": N_("One last thing: how was it?"),
    "eval_useful": N_("How useful was this session for you?"),
    "eval_scale": N_("1 = not at all, 5 = very useful"),
    "eval_keep": N_("What should we keep?"),
    "eval_add": N_("What should we add or change?"),
    "eval_send": N_("Send"),
    "eval_pick": N_("Choose a number from 1 to 5 first."),
    "eval_thanks": N_("Thank you! Your answers are saved. You can close this page."),
    "takeaway": N_("Our table's page, to keep"),
    "p_hint": N_("Only the facilitator sees it, and may put it on the tables."),
    "p_title": N_("Title"),
    "p_text": N_("The situation, and the question"),
    "p_opts": N_("Options, one per line (none: we only talk)"),
    "p_send": N_("Send to the facilitator"),
    "p_sent": N_("sent to the facilitator"),
    "p_dealt": N_("on the tables"),
    "tally": N_("Hands per option"),
    "tally_save": N_("Save the count"),
    "chose": N_("Table's choice: {x}"),
}


def init_app(app):
    """Register the blueprint."""
    app.register_blueprint(bp)


def assets_version(folder, names=PHONE_ASSETS):
    """A short hash of the bytes of the files `names` under `folder`: it changes with any of them."""
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + (Path(folder) / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@bp.get("/j/sw.js")
def worker():
    """The service worker, with the list of files it keeps and their version."""
    assets = [url_for("static", filename=name) for name in PHONE_ASSETS]
    extras = [url_for("static", filename=name) for name in TAKEAWAY_ASSETS]
    extras.append(url_for("offline.more"))
    body = render_template(
        "sw.js", assets=assets, extras=extras, version=assets_version(current_app.static_folder)
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    # Always asked again: a new release must reach phones on their next load.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/j/more.js")
def more():
    """What the phone page loads only when it needs it (the closing evaluation and the takeaway,
    writing the table's own dilemma), with its words in the phone's language."""
    strings = {key: gettext(message) for key, message in MORE_STRINGS.items()}
    body = render_template("play_more.js", strings=strings)
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # asked again: a release or a language change
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
