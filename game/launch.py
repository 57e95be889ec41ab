"""The ``tafelronde`` command: patch for the async server first, then build the app and serve.

The console script points here rather than at ``app.main`` because importing ``app`` imports
Flask, and the standard library must be patched before that (see `game.patching`).
"""

import sys


def main(argv=None):
    """Serve Tafelronde, exactly as ``python app.py`` does in a clone."""
    from .patching import patch

    patch()
    from importlib import import_module

    # Installed, this module is tafelronde.game.launch and the factory is tafelronde.app.
    package = __package__.rpartition(".")[0]
    app_module = import_module(f"{package}.app" if package else "app")
    return app_module.main(argv)


if __name__ == "__main__":  # pragma: no cover - serving only
    sys.exit(main())
