"""The app's Flask class: a Socket.IO event's request context matched once per socket.

Flask-SocketIO runs every event inside a request context made from its socket's handshake
environ, the same dict for every event of that socket. For each one Flask bound a URL adapter to
that environ (checking its host) and matched its path, ``/socket.io/``, which no route serves,
against every route of the app: about 45 µs of CPU per event with this app's routes, more than
deciding a vote. Both depend on nothing but the environ and the routes, which are fixed once the
app serves, so they are kept in the environ: a socket's first event pays, the others reuse them.
An HTTP request comes with an environ of its own and is matched as before.
"""

from flask import Flask
from flask.ctx import RequestContext

ADAPTER = "tafelronde.url_adapter"  # environ keys
MATCHED = "tafelronde.url_match"
SOCKET_SESSION = "saved_session"  # where Flask-SocketIO keeps a socket's session


class OnceMatchedContext(RequestContext):
    """A request context that reuses the match its environ already had."""

    def match_request(self):
        """Flask's matching, kept in the environ for the next context made from it."""
        request, environ = self.request, self.request.environ
        found = environ.get(MATCHED)
        if found is None:
            super().match_request()
            environ[MATCHED] = (request.url_rule, request.view_args, request.routing_exception)
        else:
            request.url_rule, request.view_args, request.routing_exception = found


class App(Flask):
    """Flask, with request contexts that bind and match a reused environ only once."""

    def request_context(self, environ):
        """A request context for `environ` (Flask's, matched once per environ). A Socket.IO
        event's starts with its socket's session (Flask-SocketIO keeps a copy per socket in
        the environ and puts it in the context as soon as it is pushed): the cookie is not
        read and verified again for every event only to be replaced."""
        return OnceMatchedContext(self, environ, session=environ.get(SOCKET_SESSION))

    def create_url_adapter(self, request):
        """Flask's URL adapter, bound once per environ."""
        if request is None:
            return super().create_url_adapter(request)
        adapter = request.environ.get(ADAPTER)
        if adapter is None:
            adapter = request.environ[ADAPTER] = super().create_url_adapter(request)
        elif (trusted := self.config["TRUSTED_HOSTS"]) is not None:
            request.trusted_hosts = trusted  # as Flask sets it, for `request.host`
        return adapter
