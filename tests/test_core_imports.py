"""The pure parts never import Flask, Socket.IO or an async server: their rules run and are
tested without a server. The rule is by folder and automatic: every module of `game/` outside the
shells (`web/`, `cli/`) and the start-up patching is pure, so a new module is covered the day it
appears."""

import ast
from pathlib import Path

GAME = Path(__file__).resolve().parent.parent / "game"

# The shells may use Flask and the servers; everything else under game/ may not.
SHELLS = ("web", "cli")
# Serving starts by patching the standard library with eventlet or gevent, first of all.
STARTUP = ("patching.py", "launch.py")
FORBIDDEN = {"flask", "flask_socketio", "socketio", "engineio", "eventlet", "gevent"}


def pure_modules():
    """Every module of `game/` that belongs to the pure parts: all but the shells and start-up."""
    found = []
    for path in GAME.rglob("*.py"):
        parts = path.relative_to(GAME).parts
        if parts[0] in SHELLS or (len(parts) == 1 and parts[0] in STARTUP):
            continue
        found.append(path)
    return sorted(found)


def imported_packages(path):
    """The top-level package of every absolute import in the module at `path`, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def relative_targets(path):
    """The folder of `game/` each relative import in `path` reaches, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = path.parent.relative_to(GAME).parts
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
            parts = list(base) + (node.module.split(".") if node.module else [])
            yield (parts[0] if parts else ""), node.lineno


def test_the_pure_parts_do_not_import_the_web_or_a_server():
    offences = [
        f"{path.relative_to(GAME)}:{line} imports {package}"
        for path in pure_modules()
        for package, line in imported_packages(path)
        if package in FORBIDDEN
    ]
    assert not offences, "the pure parts must stay free of Flask and Socket.IO:\n" + "\n".join(
        offences
    )


def test_the_pure_parts_do_not_reach_into_the_shells():
    offences = [
        f"{path.relative_to(GAME)}:{line} imports game/{target}"
        for path in pure_modules()
        for target, line in relative_targets(path)
        if target in ("web", "cli")
    ]
    assert not offences, "pure modules may not import web/ or cli/:\n" + "\n".join(offences)


def test_the_scan_covers_every_pure_folder():
    names = {str(path.relative_to(GAME)) for path in pure_modules()}
    assert {"decks/deck.py", "decks/yamlsafe.py", "storage/library.py", "errors.py"} <= names
    assert {"core/rules.py", "core/views.py", "storage/events.py", "hub.py"} <= names
    assert {"live_session.py", "ownership.py", "i18n.py", "core/features/votes.py"} <= names
    assert not any(name.startswith(("web/", "cli/")) for name in names)
    assert not {"patching.py", "launch.py"} & names


def test_the_scan_catches_an_offence(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import os\nfrom flask import Flask\nimport socketio.client\nimport gevent\n")
    found = [p for p, _ in imported_packages(module) if p in FORBIDDEN]
    assert found == ["flask", "socketio", "gevent"]
