"""Interface translations (English source strings, Dutch catalogue): the catalogues and how a
message is translated, for every shell (pages, sockets, the ``flask`` commands) and the exports.

Catalogues are plain gettext ``.po`` files under ``translations/<lang>/`` and are read with Babel at
start, so there is no compile step. Every ``.po`` file of a language's folder is read and merged;
there is one per part of the app (``phone.po``, ``facilitator.po``, ``projector.po``,
``editor.po``, ``decks.po``, ``exports.po``, ``game.po``, ``operating.po``) and ``shared.po`` for
strings several parts use (docs/architecture.md, "Translations"). Which language a request wants
is the web shell's business (`game.web.language`); a command takes it from the environment
(`locale_from_environment`).

No Flask here: the catalogues are loaded once and handed to whoever translates.
"""

import gettext as _gettext
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from babel.messages.pofile import read_po

from .decks.messages import ENGLISH

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"


# A message id, or (msgid, plural index) for the forms of a message with a count.
Key = str | tuple[str, int]


class Table(dict[Key, str]):
    """One language's translations, ``{msgid: msgstr}``, and its catalogue's plural rule."""

    plural: Callable[[int], int] = staticmethod(ENGLISH.plural_index)


def load_catalogues(directory: str | Path = TRANSLATIONS_DIR) -> dict[str, Table]:
    """Read every ``<lang>/*.po`` under `directory` into ``{lang: Table}``.

    Plural entries are kept as ``{(msgid, index): msgstr}`` next to their singular key; which index
    a count takes is the catalogue's ``Plural-Forms`` (Babel fills it from its CLDR plural data).
    Untranslated and fuzzy entries are left out, so the English source text shows instead.
    """
    catalogues: dict[str, Table] = {}
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
                elif isinstance(message.id, str) and isinstance(message.string, str):
                    table[message.id] = message.string
    return catalogues


class Translator:
    """Translates templates into one language (what `game.decks.messages` renders with)."""

    def __init__(self, table: Mapping[Key, str]) -> None:
        self.table = table

    def gettext(self, message: str) -> str:
        """The translated template of `message`, or `message` itself."""
        return self.table.get(message, message)

    def ngettext(self, singular: str, plural: str, num: int) -> str:
        """The translated template for `num`, by the catalogue's plural rule."""
        if not isinstance(self.table, Table):
            return ENGLISH.ngettext(singular, plural, num)
        text = self.table.get((singular, self.table.plural(num)))
        return text if text is not None else ENGLISH.ngettext(singular, plural, num)


def locale_from_environment(environ: Mapping[str, str], languages: Sequence[str]) -> str:
    """The interface language named by ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (POSIX order).

    ``nl_NL.UTF-8`` gives ``nl``. A language we do not have, or none, gives English, the source.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in languages else "en"
    return "en"
