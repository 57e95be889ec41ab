"""Tafelronde's package, grouped by role (see docs/architecture.md).

- ``core/``: the rules of the game, pure (commands in, events out; what each viewer sees).
- ``decks/``: the deck format, pure (parse and check, schema, safe YAML reading, round trip).
- ``storage/``: durability, no Flask (the event store, deck files and their history).
- ``hub.py``: ties rules, store and people together; knows no Flask.
- ``web/``: the shells (HTTP routes, the Socket.IO handlers, security, languages, serving).
- ``cli/``: ``flask`` commands.

In a clone this package is ``game``; installed from a wheel it is ``tafelronde.game``, which is
why every import inside it is relative.
"""
