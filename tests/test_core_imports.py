"""The core never imports Flask or Socket.IO: its rules run and are tested without a server."""

import ast
from pathlib import Path

GAME = Path(__file__).resolve().parent.parent / "game"

# The shells around the core: they may talk to Flask and Socket.IO.
SHELLS = {"web", "cli"}
FORBIDDEN = {"flask", "flask_socketio", "socketio", "engineio", "eventlet"}


def core_modules():
    """Every module of `game/` that belongs to the core."""
    return sorted(
        path for path in GAME.rglob("*.py") if path.relative_to(GAME).parts[0] not in SHELLS
    )


def imported_packages(path):
    """The top-level package of every import in the module at `path`, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def test_the_core_does_not_import_flask_or_socketio():
    offences = [
        f"{path.name}:{line} imports {package}"
        for path in core_modules()
        for package, line in imported_packages(path)
        if package in FORBIDDEN
    ]
    assert not offences, "the core must stay free of Flask and Socket.IO:\n" + "\n".join(offences)


def test_the_scan_sees_the_deck_module():
    names = {path.name for path in core_modules()}
    assert {"deck.py", "yamlsafe.py", "library.py", "errors.py"} <= names
    assert "cli.py" not in names


def test_the_scan_catches_an_offence(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import os\nfrom flask import Flask\nimport socketio.client\n")
    assert [p for p, _ in imported_packages(module) if p in FORBIDDEN] == ["flask", "socketio"]
