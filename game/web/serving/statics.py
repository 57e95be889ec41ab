"""Static files as they are sent: minified and compressed once, in the encoding the browser asks.

The phone page and everything it loads must stay light (docs/benchmarks.md: under 25 KB
compressed), on venue Wi-Fi and hour-long data cards. Each file under static/ is read once per
process (and again when it changes on disk), its comments and spaces taken out (JavaScript by
`rjsmin`, CSS by `rcssmin`; files named ``*.min.*`` are left as they are), and compressed at the
best levels, brotli (quality 11) and gzip (level 9): too slow to do per response, free once.
A browser that accepts brotli gets brotli, else gzip, else the minified file, each with
``Vary: Accept-Encoding``; the files in the repository stay as they were written (no build step).

Only whole answers (200) are replaced; a 304 for an unchanged file and range requests pass as
Flask sends them. Pages and other dynamic answers are compressed by Flask-Compress as before.
"""

import gzip
import os
import threading
from pathlib import Path

import brotli
import rcssmin
import rjsmin
from flask import request
from werkzeug.security import safe_join

MINIFIERS = {".js": rjsmin.jsmin, ".mjs": rjsmin.jsmin, ".css": rcssmin.cssmin}
COMPRESSED = {".js", ".mjs", ".css", ".svg", ".json", ".txt", ".html", ".map"}


def _accepts(header, coding):
    """Whether an Accept-Encoding header accepts `coding` (not with ``q=0``)."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == coding:
            quality = params.strip().lower()
            if not quality.startswith("q="):
                return True
            try:
                return float(quality[2:]) > 0
            except ValueError:
                return False
    return False


class Variants:
    """Each static file's minified body and its brotli and gzip copies, made once per version
    of the file (its modification time and size) and kept in memory."""

    def __init__(self, folder):
        self.folder = folder
        self._made = {}  # path -> ((mtime_ns, size), {"identity" | "br" | "gzip": bytes})
        self._lock = threading.Lock()

    def get(self, filename):
        """``{encoding: body}`` for static file `filename`, or None if it is not one to change."""
        path = safe_join(self.folder, filename)
        suffix = Path(filename).suffix.lower()
        if path is None or suffix not in COMPRESSED:
            return None
        try:
            info = os.stat(path)
        except OSError:
            return None
        stamp = (info.st_mtime_ns, info.st_size)
        made = self._made.get(path)
        if made is not None and made[0] == stamp:
            return made[1]
        with self._lock:  # a rush of phones makes each file once, not once each
            made = self._made.get(path)
            if made is None or made[0] != stamp:
                made = (stamp, self._make(Path(path), suffix))
                self._made[path] = made
        return made[1]

    @staticmethod
    def _make(path, suffix):
        data = path.read_bytes()
        minify = MINIFIERS.get(suffix)
        if minify is not None and ".min." not in path.name:
            data = minify(data.decode("utf-8")).encode("utf-8")
        return {
            "identity": data,
            "br": brotli.compress(data, quality=11),
            "gzip": gzip.compress(data, compresslevel=9, mtime=0),
        }


def init_app(app):
    """Send static files minified and compressed once (register after Flask-Compress, so this
    runs first: `after_request` functions run in reverse order)."""
    variants = Variants(app.static_folder)

    @app.after_request
    def send_compressed(response):
        if request.endpoint != "static" or response.status_code != 200:
            return response
        bodies = variants.get(request.view_args.get("filename", ""))
        if bodies is None:
            return response
        accepted = request.headers.get("Accept-Encoding", "")
        encoding = next((c for c in ("br", "gzip") if _accepts(accepted, c)), "identity")
        previous = response.response
        response.direct_passthrough = False
        response.set_data(bodies[encoding])
        if hasattr(previous, "close"):
            previous.close()  # the file Flask opened for it
        response.vary.add("Accept-Encoding")
        if encoding != "identity":
            response.headers["Content-Encoding"] = encoding
            # Each encoding its own validator (as Flask-Compress does): "etag:br", "etag:gzip".
            etag, weak = response.get_etag()
            if etag and not weak:
                response.set_etag(f"{etag}:{encoding}")
        return response.make_conditional(request)
