"""`flask` commands for organisers: ``flask --app app decks validate`` and ``decks schema``.

Each group of commands is a `click` group registered on ``app.cli`` by `init_app`. Other modules
may add their own groups the same way, or commands to `decks` with ``@decks.command()``.
"""

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..decks.deck import DeckError, deck_schema, load_deck
from ..storage.library import deck_files
from . import sessions as sessions_cli

decks = AppGroup("decks", help="Check decks and publish their JSON Schema.")


def init_app(app):
    """Register the command groups on the app's ``flask`` command."""
    app.cli.add_command(decks)
    sessions_cli.init_app(app)


@decks.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate_command(paths):
    """Check deck files (default: every deck in DECKS_DIR); exit 1 if any is invalid.

    A PATH that is a folder stands for the decks in it.
    """
    if not paths:
        paths = (Path(current_app.config["DECKS_DIR"]),)
    files, ok = [], True
    for path in paths:
        if path.is_dir():
            found = deck_files(path)
            if not found:
                click.echo(f"{path}: no decks (*.yaml, *.yml) here", err=True)
            files.extend(found)
        else:
            files.append(path)  # a missing file is reported by load_deck, like any problem
    for path in files:
        lines = check_file(path)
        ok = ok and lines[0].startswith("OK ")
        for line in lines:
            click.echo(line)
    if not ok:
        raise click.exceptions.Exit(1)


@decks.command("schema")
def schema_command():
    """Print the decks' JSON Schema (the one committed as decks/schema.json)."""
    click.echo(json.dumps(deck_schema(), indent=2, ensure_ascii=False))


def check_file(path):
    """The lines `decks validate` prints for one file: an OK line, or one line per problem."""
    try:
        deck = load_deck(path)
    except DeckError as error:
        return error.lines()
    count = len(deck.cards)
    return [f"OK {path} ({count} card{'' if count == 1 else 's'})"]
