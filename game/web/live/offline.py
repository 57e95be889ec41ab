"""The phone page's service worker, served at ``/j/sw.js`` so that its scope is ``/j/`` (the
phone pages, never the facilitator's or the projector's).

It keeps the phone page's own files for a reload without network. Its cache is named after a
hash of those files' bytes, so a release that changes any of them ships a different worker,
which replaces the old cache instead of serving stale JavaScript forever.
"""

import hashlib
from pathlib import Path

from flask import Blueprint, current_app, render_template, url_for

bp = Blueprint("offline", __name__)

# Everything the phone page loads from /static (tests.test_pages checks the page against it).
PHONE_ASSETS = (
    "css/app.css",
    "css/live.css",
    "favicon.svg",
    "vendor/socket.io-client-4.8.4/socket.io.esm.min.js",
    "js/io.js",
    "js/live.js",
    "js/play.js",
)


# What a table's takeaway page loads besides the phone page's files (kept by the worker as pages
# are: network first, so a release reaches it; the copy when offline).
TAKEAWAY_ASSETS = ("css/takeaway.css", "js/print.js")


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
    body = render_template(
        "sw.js", assets=assets, extras=extras, version=assets_version(current_app.static_folder)
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    # Always asked again: a new release must reach phones on their next load.
    response.headers["Cache-Control"] = "no-cache"
    return response
