"""The documentation names what the code has: every HTTP route in docs/protocol.md, every module
of game/ in docs/architecture.md. A new route or module without its line fails here."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHODS = r"(?:GET|POST|PUT|DELETE|PATCH)"


def _shape(path):
    """A route with its variable parts blanked: /host/s/<code> and /host/s/<CODE> are one."""
    return re.sub(r"<[^>]*>", "<>", path)


def documented_routes():
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    found = set()
    for methods, path in re.findall(rf"`({METHODS}(?:, ?{METHODS})*) (/[^` ?]*)", text):
        for method in re.split(r", ?", methods):
            found.add((method, _shape(path)))
    return found


def test_every_route_is_in_the_protocol(app):
    documented = documented_routes()
    missing = sorted(
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if (method, _shape(rule.rule)) not in documented
    )
    assert not missing, "docs/protocol.md does not list:\n" + "\n".join(missing)


def test_every_module_is_in_the_architecture():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "game").rglob("*.py")
        if path.name != "__init__.py"
    )
    missing = [m for m in modules if f"`{m}`" not in text]
    assert not missing, "docs/architecture.md does not describe:\n" + "\n".join(missing)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("Run the tests:", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    assert block.strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
