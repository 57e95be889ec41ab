"""The wheel's package list in pyproject.toml against the folders: a new package folder that is
not listed would be left out of the installed app (and fail only when installed). No build."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _listed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def _on_disk():
    found = {"tafelronde"}
    for init in (ROOT / "game").rglob("__init__.py"):
        parts = init.parent.relative_to(ROOT).parts
        found.add(".".join(("tafelronde", *parts)))
    return found


def test_every_package_folder_is_in_the_wheel_and_every_listed_one_exists():
    listed, on_disk = _listed(), _on_disk()
    assert not on_disk - listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
    assert not listed - on_disk, f"listed but not there: {sorted(listed - on_disk)}"
