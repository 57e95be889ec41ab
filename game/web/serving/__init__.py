"""Serving: the start banner, the eventlet and gevent HTTP servers, refusals before the app,
network addresses."""
