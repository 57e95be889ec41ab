"""Who may do what over HTTP: facilitator sign-in, CSRF tokens for forms, security headers.

The facilitator (and organiser) proves knowledge of the host key once per browser; the signed
Flask session cookie then carries ``host = True`` and a sign-in id that counts only while the
server keeps it on its list (`game.web.pages.signins`): signing out or rotating the key ends it. Participants never sign in: their identity is
a random token their phone keeps (see ``game/live.py``).
"""

import functools
import hmac
import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, session, url_for

from ..language import gettext as _
from .signins import KeptFile, host_key_file

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app):
    """Install the CSRF check, the security headers and the `csrf_token()` template helper.
    (The list of sign-ins in force lives in the store: `game.web.live.namespace.init_app` opens both.)"""
    instance = Path(app.instance_path)
    if app.extensions.get("tafelronde.host_key_kept"):
        # A generated key lives in instance/host_key: `host rotate-key` may replace it while we run.
        app.extensions["tafelronde.host_key"] = KeptFile(
            host_key_file(instance), lambda text: (text or "").strip()
        )
    app.before_request(_check_csrf)
    app.after_request(_security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["is_host"] = is_host


def csrf_token():
    """The CSRF token of this browser session, created on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return token


def _check_csrf():
    """Refuse state-changing requests that do not carry this session's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description=_("This form has expired. Reload the page and try again."))
    return None


def _security_headers(response):
    """Headers every response carries: no framing, no sniffing, no inline script."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def is_host():
    """True when this browser has signed in with the host key and that sign-in has not ended
    (signed out, or the key rotated) — checked against the server's list every time."""
    return bool(session.get("host")) and current_app.extensions["tafelronde.signins"].valid(
        session.get("signin")
    )


def host_key():
    """The facilitator key in force (re-read from instance/host_key when it is kept there)."""
    kept = current_app.extensions.get("tafelronde.host_key")
    return (kept.read() if kept is not None else "") or current_app.config["HOST_KEY"]


def check_host_key(candidate):
    """Compare `candidate` with the host key in force in constant time, ignoring case/spaces."""
    expected = host_key().replace("-", "").upper()
    given = (candidate or "").replace("-", "").replace(" ", "").upper()
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def sign_in():
    """Mark this browser as the facilitator's (call after `check_host_key`)."""
    session.clear()
    session["host"] = True
    session["signin"] = current_app.extensions["tafelronde.signins"].start()
    session.permanent = True


def sign_out():
    """End this browser's sign-in on the server (its copied cookie and open sockets too)."""
    signin = session.get("signin")
    if signin:
        current_app.extensions["tafelronde.signins"].end(signin)
    session.clear()


def require_host(view):
    """Decorator: the view needs a signed-in facilitator; others are sent to sign in."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not is_host():
            if request.accept_mimetypes.best == "application/json" or request.is_json:
                abort(403)
            flash(_("Sign in with the facilitator key first."))
            return redirect(url_for("web.sign_in", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped
