"""What people hold and type: join codes, seat tokens and client ids, their shapes, and how a
token is kept (only its hash). Pure; used by the hub and by every shell that reads a code."""

import hashlib

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_LENGTH = 6
# A seat token, made up by the phone: this many URL-safe characters.
TOKEN_MIN, TOKEN_MAX = 22, 128
# A client id, made up by the phone per command (answered once, however often it is sent).
CID_MAX = 64


def normalise_code(text: object) -> str | None:
    """A typed join code as stored: capitals, no spaces or dashes. None if it cannot be a code."""
    if not isinstance(text, str):
        return None
    code = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def token_hash(token: str) -> str:
    """What we keep of a participant's token: its SHA-256, so a stolen database seats nobody."""
    return hashlib.sha256(token.encode()).hexdigest()
