"""Static files as they are sent: minified and compressed once, in the encoding the browser asks.

The phone page and everything it loads must stay light (docs/benchmarks.md: under 25 KB
compressed), on venue Wi-Fi and hour-long data cards. Each file under static/ is read once per
process (and again when it changes on disk), its comments and spaces taken out (JavaScript by
`rjsmin`, CSS by `rcssmin`; files named ``*.min.*`` are left as they are), and compressed at the
best levels, brotli (quality 11) and gzip (level 9): too slow to do per response, free once.
A browser that accepts brotli gets brotli, else gzip, else the minified file, each with
``Vary: Accept-Encoding``; the files in the repository stay as they were written (no build step).

Only whole answers (200) are replaced; a 304 for an unchanged file and range requests pass as
Flask sends them. Two pages are the same for every phone of a session (in one language): the
phone page and its service worker. They are compressed (the worker minified) once per distinct
body, however many phones ask (`Bodies`). Other pages are compressed by Flask-Compress.
"""

import gzip
import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import brotli
import rcssmin
import rjsmin
from flask import request
from werkzeug.security import safe_join

MINIFIERS = {".js": rjsmin.jsmin, ".mjs": rjsmin.jsmin, ".css": rcssmin.cssmin}
COMPRESSED = {".js", ".mjs", ".css", ".svg", ".json", ".txt", ".html", ".map"}
# Endpoints whose body is the same for every phone of a session: how to minify each (or not).
STABLE_PAGES = {"play.phone": None, "offline.worker": rjsmin.jsmin}


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
        minify = MINIFIERS.get(suffix) if ".min." not in path.name else None
        return _encoded(path.read_bytes(), minify)


def _encoded(data, minify=None):
    """``{"identity", "br", "gzip": body}``: `data` minified if asked, and compressed."""
    if minify is not None:
        data = minify(data.decode("utf-8")).encode("utf-8")
    return {
        "identity": data,
        "br": brotli.compress(data, quality=11),
        "gzip": gzip.compress(data, compresslevel=9, mtime=0),
    }


class Bodies:
    """The latest `limit` distinct bodies of the stable pages, minified and compressed: a
    thousand phones of one session cost one compression at the best level, not a thousand."""

    def __init__(self, limit=256):
        self.limit = limit
        self._made = OrderedDict()  # digest of the body as rendered -> its encodings
        self._lock = threading.Lock()

    def get(self, body, minify):
        """The encodings of `body` (minified with `minify` when given)."""
        key = hashlib.sha256(body).digest()
        with self._lock:
            made = self._made.get(key)
            if made is None:
                made = self._made[key] = _encoded(body, minify)
                if len(self._made) > self.limit:
                    self._made.popitem(last=False)
            else:
                self._made.move_to_end(key)
            return made


def init_app(app):
    """Send static files minified and compressed once (register after Flask-Compress, so this
    runs first: `after_request` functions run in reverse order)."""
    variants, pages = Variants(app.static_folder), Bodies()

    @app.after_request
    def send_compressed(response):
        if response.status_code != 200:
            return response
        if request.endpoint == "static":
            bodies = variants.get(request.view_args.get("filename", ""))
        elif request.endpoint in STABLE_PAGES and not response.is_streamed:
            bodies = pages.get(response.get_data(), STABLE_PAGES[request.endpoint])
        else:
            return response
        if bodies is None:
            return response
        accepted = request.headers.get("Accept-Encoding", "")
        encoding = next((c for c in ("br", "gzip") if _accepts(accepted, c)), "identity")
        previous = response.response
        response.direct_passthrough = False
        response.set_data(bodies[encoding])
        if hasattr(previous, "close"):
            previous.close()  # the file Flask opened for a static one
        response.vary.add("Accept-Encoding")
        if encoding != "identity":
            response.headers["Content-Encoding"] = encoding
            # Each encoding its own validator (as Flask-Compress does): "etag:br", "etag:gzip".
            etag, weak = response.get_etag()
            if etag and not weak:
                response.set_etag(f"{etag}:{encoding}")
        return response.make_conditional(request)
