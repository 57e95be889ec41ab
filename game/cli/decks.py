"""`flask` commands for organisers: ``flask --app app decks validate`` and ``decks schema``.

Each group of commands is a `click` group registered on ``app.cli`` by `init_app`. Other modules
may add their own groups the same way, or commands to `decks` with ``@decks.command()``.
"""

import json
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..decks.deck import DeckError, deck_schema, load_deck
from ..decks.messages import Message, N_plural
from ..errors import N_
from ..i18n import locale_from_environment
from ..storage.library import deck_files
from ..web.language import translator

decks = AppGroup("decks", help="Check decks and publish their JSON Schema.")


def init_app(app):
    """Register the ``decks`` command group."""
    app.cli.add_command(decks)


def lang_option(command):
    """The ``--lang`` option: the language of messages, by default the one of LANG/LC_ALL."""
    return click.option(
        "--lang",
        default=None,
        help="Language of the messages (en, nl); default: from LC_ALL, LC_MESSAGES or LANG.",
    )(command)


def cli_translator(lang=None):
    """The translator for a command's messages: `lang`, else the locale of the environment."""
    languages = current_app.config["LANGUAGES"]
    if lang is not None and lang not in languages:
        raise click.BadParameter(f"choose one of {', '.join(languages)}", param_hint="--lang")
    return translator(lang or locale_from_environment(os.environ, languages))


@decks.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@lang_option
def validate_command(paths, lang):
    """Check deck files (default: every deck in DECKS_DIR); exit 1 if any is invalid.

    A PATH that is a folder stands for the decks in it.
    """
    tr = cli_translator(lang)
    if not paths:
        paths = (Path(current_app.config["DECKS_DIR"]),)
    files, ok = [], True
    for path in paths:
        if path.is_dir():
            found = deck_files(path)
            if not found:
                message = Message(N_("%(path)s: no decks (*.yaml, *.yml) here"), path=str(path))
                click.echo(message.render(tr), err=True)
            files.extend(found)
        else:
            files.append(path)  # a missing file is reported by load_deck, like any problem
    for path in files:
        lines = check_file(path, tr)
        ok = ok and lines[0].startswith("OK ")
        for line in lines:
            click.echo(line)
    if not ok:
        raise click.exceptions.Exit(1)


@decks.command("schema")
def schema_command():
    """Print the decks' JSON Schema (the one committed as decks/schema.json)."""
    click.echo(json.dumps(deck_schema(), indent=2, ensure_ascii=False))


def check_file(path, tr=None):
    """The lines `decks validate` prints for one file: an OK line, or one line per problem."""
    try:
        deck = load_deck(path)
    except DeckError as error:
        return error.lines(tr) if tr else error.lines()
    message = Message(
        *N_plural("OK %(path)s (%(num)d card)", "OK %(path)s (%(num)d cards)"),
        path=str(path),
        num=len(deck.cards),
    )
    return [message.render(tr) if tr else str(message)]


@decks.command("print")
@click.argument("deck")
@click.option(
    "--output", "-o", required=True, type=click.Path(path_type=Path), help="The PDF file."
)
@click.option(
    "--reflections",
    type=click.Choice(["sheet", "backs", "none"]),
    default="sheet",
    help="Reflections on a facilitator sheet, on the card backs, or left out.",
)
@click.option("--session", default="", help="Join code of a session to put on every card.")
@click.option(
    "--chromium",
    default=lambda: os.environ.get("TAFELRONDE_CHROMIUM", "/usr/bin/chromium"),
    show_default="$TAFELRONDE_CHROMIUM or /usr/bin/chromium",
    help="The Chromium (or Chrome) that renders the PDF.",
)
def print_command(deck, output, reflections, session, chromium):
    """Render DECK (a deck name in DECKS_DIR, or a YAML file) as printable cards to a PDF.

    The page is the one browsers print (the deck library's "Print"), rendered by headless
    Chromium through Playwright, so paper, PDF and screen show the same layout.
    """
    from ..web.decks.pdf import render_pdf

    try:
        pages = render_pdf(deck, output, reflections=reflections, code=session, chromium=chromium)
    except DeckError as error:
        for line in error.lines(cli_translator()):
            click.echo(line, err=True)
        raise click.exceptions.Exit(1) from None
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{output}: {pages} pages")
