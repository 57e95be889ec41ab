"""Interface translations (English source strings, Dutch catalogue) for pages, sockets and errors.

Catalogues are plain gettext ``.po`` files under ``translations/<lang>/`` and are read with Babel at
start, so there is no compile step. Several ``.po`` files per language are merged, which lets each
part of the app keep its own file (``core.po``, ``live.po``, ``editor.po``...).

The language follows, in order: ``?lang=xx`` (remembered in a cookie), the cookie, the browser's
``Accept-Language``, then the first configured language.
"""

import gettext as _gettext
from pathlib import Path

from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request

from ..decks.messages import ENGLISH

COOKIE = "lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"


class Table(dict):
    """One language's translations, ``{msgid: msgstr}``, and its catalogue's plural rule."""

    plural = staticmethod(ENGLISH.plural_index)


def load_catalogues(directory=TRANSLATIONS_DIR):
    """Read every ``<lang>/*.po`` under `directory` into ``{lang: Table}``.

    Plural entries are kept as ``{(msgid, index): msgstr}`` next to their singular key; which index
    a count takes is the catalogue's ``Plural-Forms`` (Babel fills it from its CLDR plural data).
    Untranslated and fuzzy entries are left out, so the English source text shows instead.
    """
    catalogues = {}
    for lang_dir in sorted(p for p in Path(directory).iterdir() if p.is_dir()):
        table = catalogues.setdefault(lang_dir.name, Table())
        for po in sorted(lang_dir.glob("*.po")):
            with po.open("rb") as f:
                catalog = read_po(f, locale=lang_dir.name)
            table.plural = _gettext.c2py(catalog.plural_expr)
            for message in catalog:
                if not message.id or message.fuzzy or not message.string:
                    continue
                if isinstance(message.id, tuple):
                    for index, text in enumerate(message.string):
                        if text:
                            table[(message.id[0], index)] = text
                else:
                    table[message.id] = message.string
    return catalogues


def init_app(app):
    """Load the catalogues and make `_`, `gettext`, `ngettext` and `locale` available to templates."""
    app.extensions["tafelronde.i18n"] = load_catalogues()
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)

    @app.context_processor
    def inject_locale():
        return {"locale": get_locale(), "languages": app.config["LANGUAGES"]}

    @app.after_request
    def remember_language(response):
        chosen = request.args.get(COOKIE)
        if chosen in app.config["LANGUAGES"]:
            response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
        return response


def get_locale():
    """The interface language for the current request (or the fallback outside one)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    for candidate in (request.args.get(COOKIE), request.cookies.get(COOKIE)):
        if candidate in languages:
            return candidate
    return request.accept_languages.best_match(languages) or languages[0]


class Translator:
    """Translates templates into one language (what `game.decks.messages` renders with)."""

    def __init__(self, table):
        self.table = table

    def gettext(self, message):
        """The translated template of `message`, or `message` itself."""
        return self.table.get(message, message)

    def ngettext(self, singular, plural, num):
        """The translated template for `num`, by the catalogue's plural rule."""
        if not isinstance(self.table, Table):
            return ENGLISH.ngettext(singular, plural, num)
        text = self.table.get((singular, self.table.plural(num)))
        return text if text is not None else ENGLISH.ngettext(singular, plural, num)


def translator(locale=None):
    """A `Translator` for `locale` (default: the current request's language)."""
    return Translator(current_app.extensions["tafelronde.i18n"].get(locale or get_locale(), {}))


def locale_from_environment(environ, languages):
    """The interface language named by ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (POSIX order).

    ``nl_NL.UTF-8`` gives ``nl``. A language we do not have, or none, gives English, the source.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in languages else "en"
    return "en"


def gettext(message, locale=None, **variables):
    """Translate `message` (English) into the current language and fill ``%(name)s`` variables."""
    text = translator(locale).gettext(message)
    return text % variables if variables else text


def ngettext(singular, plural, num, locale=None, **variables):
    """Translate a message with a count, the form chosen by the language's plural rule."""
    text = translator(locale).ngettext(singular, plural, num)
    variables.setdefault("num", num)
    return text % variables


_ = gettext
