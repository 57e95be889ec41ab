"""The language of a request, and translation through it: what pages, Socket.IO answers and
the ``flask`` commands call (`gettext`, `ngettext`, `translator`).

The language follows, in order: ``?lang=xx`` (remembered in a cookie), the cookie, the browser's
``Accept-Language``, then the first configured language. The catalogues themselves are
`game.i18n`'s, loaded once per app.
"""

from typing import Any

from flask import current_app, has_request_context, request

from ..core.vocabulary import labels
from ..i18n import Translator, load_catalogues

COOKIE = "lang"


def init_app(app):
    """Load the catalogues and make `_`, `gettext`, `ngettext` and `locale` available to templates."""
    app.extensions["tafelronde.i18n"] = load_catalogues()
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.jinja_env.filters["vocabulary_label"] = vocabulary_label

    @app.context_processor
    def inject_locale():
        return {
            "locale": get_locale(),
            "languages": app.config["LANGUAGES"],
            "vocabulary": vocabulary,
        }

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


def translator(locale=None):
    """A `Translator` for `locale` (default: the current request's language)."""
    return Translator(current_app.extensions["tafelronde.i18n"].get(locale or get_locale(), {}))


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


def vocabulary(*names: str) -> dict[str, Any]:
    """The user-visible enumerations `names` (all without names) with their labels in the
    request's language (`game.core.vocabulary`): for the pages' JSON block, which their
    JavaScript reads (`Live.keys`, `t("f_" + reason)`)."""
    every = labels(gettext)
    chosen = {name: every[name] for name in names} if names else every
    # The block's objects are written with sorted keys: the vocabulary's order goes apart.
    return {**chosen, "_order": {name: list(terms) for name, terms in chosen.items()}}


def vocabulary_label(key: str, name: str) -> str:
    """A template filter: the translated label of `key` in vocabulary `name`
    (``flag.reason|vocabulary_label('flag_reasons')``)."""
    return labels(gettext).get(name, {}).get(key, key)
