"""Checks of command payloads shared by the core's command handlers (rules, evaluation).

Each returns the cleaned value or raises `InvalidInput` with a message people can act on.
"""

import re

from ..errors import N_, InvalidInput

# Bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): typed
# into a name or note they reorder the text around them ("Bea \u202egnp.exe" reads "Bea exe.png").
# Nobody needs them to write Dutch, English, Arabic or Hebrew; the browser orders those itself.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def field(payload, key, kind, required=True):
    """`payload[key]` if it is a `kind` (None when missing and not `required`)."""
    value = payload.get(key)
    if value is None and not required:
        return None
    # bool is an int in Python; a vote of `true` is not a vote for option 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field=key)
    return value


def text(payload, key, limit, required=True):
    """`payload[key]` as stripped text of at most `limit` characters ("" when optional).

    Bidirectional control characters are removed first, so no typed text can reorder the page
    or an export around it.
    """
    value = field(payload, key, str, required)
    if value is None:
        return ""
    value = BIDI_CONTROLS.sub("", value).strip()
    if required and not value:
        raise InvalidInput(N_("`%(field)s` is empty."), field=key)
    if len(value) > limit:
        raise InvalidInput(N_("That text is too long: at most %(limit)d characters."), limit=limit)
    return value
