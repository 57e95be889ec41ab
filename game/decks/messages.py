"""Deck problems that can be shown in any language: an English template, its arguments, later.

The validator knows no language and no Flask. It builds each message as a `Message`: the English
template (marked with `N_` or `N_plural`, so the translation test extracts it) and its arguments,
kept apart. A shell (the editor API, the command line) renders it with a translator for its
reader; arguments that are `Message`s themselves (a reason, "a mapping") are translated too.

A `Message` *is* the English text (a `str` subclass), so code and tests that read a problem as
English text keep working unchanged.

A translator is any object with ``gettext(msgid)`` and ``ngettext(singular, plural, n)`` that
return the translated *template* (not yet filled in). `ENGLISH` is the source language; its plural
rule comes from Babel's data for English, like every catalogue's plural forms.
"""

import gettext as _gettext
from collections.abc import Callable, Mapping
from typing import Any, Protocol, Self, cast

from babel.messages.plurals import get_plural

from ..errors import N_


class Translator(Protocol):
    """What renders a message: Python's and Flask-Babel's translations fit, and `English`."""

    def gettext(self, message: str, /) -> str:
        """The translated template of `message`."""
        ...

    def ngettext(self, singular: str, plural: str, num: int, /) -> str:
        """The translated template of the form `num` needs."""
        ...


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for translation without translating it here."""
    return singular, plural


def plural_rule(locale: str) -> Callable[[int], int]:
    """The gettext plural function (``n -> index``) of `locale`, from Babel's plural data."""
    return _gettext.c2py(get_plural(locale).plural_expr)


class English:
    """The source-language translator: templates are already English."""

    def __init__(self) -> None:
        self.plural_index = plural_rule("en")

    def gettext(self, message: str, /) -> str:
        """`message` as it is."""
        return message

    def ngettext(self, singular: str, plural: str, num: int, /) -> str:
        """The singular or plural template as Babel's English plural rule picks."""
        return singular if self.plural_index(num) == 0 else plural


ENGLISH = English()


class Message(str):
    """A translatable message: ``str(m)`` is English; `render(translator)` any other language.

    `template` uses ``%(name)s`` placeholders; with `plural`, the argument `num` picks the form.
    """

    template: str
    plural: str | None
    params: dict[str, object]

    def __new__(cls, template: str, plural: str | None = None, /, **params: object) -> Self:
        self = super().__new__(cls, _render(template, plural, params, ENGLISH))
        self.template, self.plural, self.params = template, plural, params
        return self

    def __reduce__(self) -> tuple[Callable[..., "Message"], tuple[Any, ...]]:
        return _rebuild, (self.template, self.plural, self.params)

    def render(self, translator: Translator = ENGLISH) -> str:
        """This message in the language of `translator`."""
        return _render(self.template, self.plural, self.params, translator)


def _rebuild(template: str, plural: str | None, params: dict[str, object]) -> Message:
    return Message(template, plural, **params)


def render(message: str, translator: Translator = ENGLISH) -> str:
    """`message` in the language of `translator`; plain text (an OS error, say) stays as it is."""
    if isinstance(message, Message):
        return message.render(translator)
    return str(message)


def _render(
    template: str, plural: str | None, params: Mapping[str, object], translator: Translator
) -> str:
    """Translate the template first, then fill in the (themselves translated) arguments."""
    if plural is None:
        text = translator.gettext(template)
    else:
        # A plural message is built with its count as `num` (N_plural's templates use %(num)d).
        text = translator.ngettext(template, plural, cast(int, params["num"]))

    if not params:
        return text
    values = {k: render(v, translator) if isinstance(v, str) else v for k, v in params.items()}
    return text % values


# Words used inside several messages ("must be text, not a list").
KINDS = {
    "mapping": N_("a mapping"),
    "list": N_("a list"),
    "bool": N_("true/false"),
    "number": N_("a number"),
    "text": N_("text"),
    "empty": N_("empty"),
}
