"""Where Tafelronde keeps its data: the instance folder (database, keys) and the decks folder.

In a clone (``app.py`` beside ``pyproject.toml``) everything stays in the clone, as before:
``instance/`` and ``decks/``. Installed from a wheel (``pip install .``, ``pipx install``) the
package folder is read-only territory, so the instance folder is the per-user data folder
(``platformdirs``: ``~/.local/share/tafelronde`` on Linux, ``~/Library/Application Support/
tafelronde`` on macOS, ``%LOCALAPPDATA%\\tafelronde`` on Windows) and the decks live in its
``decks/`` folder, filled with the starter decks on first start. ``TAFELRONDE_INSTANCE_PATH``
and ``DECKS_DIR`` override both. No Flask here.
"""

import shutil
from pathlib import Path

from platformdirs import user_data_dir


def is_clone(app_dir):
    """True when `app_dir` (the folder holding app.py) is a source tree, not an installed one."""
    app_dir = Path(app_dir)
    return (app_dir / "pyproject.toml").is_file() and (app_dir / "game").is_dir()


def default_instance_path(app_dir):
    """The instance folder: ``instance/`` of a clone, else the per-user data folder."""
    if is_clone(app_dir):
        return Path(app_dir) / "instance"
    return Path(user_data_dir("tafelronde", appauthor=False))


def default_decks_dir(app_dir, instance_path):
    """The decks folder: ``decks/`` of a clone, else ``decks/`` in the instance folder, which is
    created with the starter decks shipped in the package the first time."""
    starter = Path(app_dir) / "decks"
    if is_clone(app_dir):
        return starter
    decks = Path(instance_path) / "decks"
    if not decks.exists():
        decks.mkdir(parents=True)
        for path in sorted(starter.glob("*")):
            if path.is_file() and path.suffix in (".yaml", ".yml", ".json"):
                shutil.copy2(path, decks / path.name)
    return decks
