"""Every interface string has a Dutch translation, and the language can be chosen."""

import ast
from pathlib import Path

from babel.messages.extract import extract_from_file

from game.i18n import load_catalogues

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "N_plural": (1, 2)}


def interface_strings():
    """(message id, where) for every marked string in templates and Python modules."""
    found = []
    sources = [(p, "python") for p in sorted((ROOT / "game").rglob("*.py"))]
    sources += [
        (p, "jinja2.ext:babel_extract") for p in sorted((ROOT / "templates").glob("*.html"))
    ]
    for path, method in sources:
        options = {"extensions": "jinja2.ext.i18n"} if method.startswith("jinja2") else {}
        for line, message, _comments, _context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            singular = message[0] if isinstance(message, tuple) else message
            if singular:
                found.append((singular, f"{path.relative_to(ROOT)}:{line}"))
    for path, method in sources:
        if method == "python":
            found += marked_in_expressions(path)
    return found


def marked_in_expressions(path):
    """Marked strings that Babel's Python extractor does not see: those inside f-strings
    (``f"## {t(N_('Tables'))}"``), found from the syntax tree."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id in KEYWORDS
                and call.args
                and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[0].value, str)
            ):
                found.append((call.args[0].value, f"{path.relative_to(ROOT)}:{call.lineno}"))
    return found


def test_every_interface_string_has_a_dutch_translation():
    dutch = load_catalogues()["nl"]
    missing = sorted(
        {
            f"{where}: {message!r}"
            for message, where in interface_strings()
            if message not in dutch and (message, 0) not in dutch
        }
    )
    assert not missing, (
        "Untranslated (add to the part's file in translations/nl/, docs/architecture.md):\n"
        + "\n".join(missing)
    )


def test_dutch_translations_keep_their_placeholders():
    dutch = load_catalogues()["nl"]
    import re

    wrong = []
    for key, text in dutch.items():
        source = key[0] if isinstance(key, tuple) else key
        want = sorted(re.findall(r"%\(\w+\)[sd]", source))
        if sorted(re.findall(r"%\(\w+\)[sd]", text)) != want and not isinstance(key, tuple):
            wrong.append(source)
    assert not wrong, wrong


def test_language_follows_the_browser_and_can_be_switched(client):
    dutch = client.get("/", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert 'lang="nl"' in dutch.get_data(as_text=True)
    assert "Aan tafel" in dutch.get_data(as_text=True) or "Deelnemen" in dutch.get_data(
        as_text=True
    )
    english = client.get("/?lang=en", headers={"Accept-Language": "nl"})
    assert 'lang="en"' in english.get_data(as_text=True)
    # The choice is remembered in a cookie.
    again = client.get("/", headers={"Accept-Language": "nl"})
    assert 'lang="en"' in again.get_data(as_text=True)
