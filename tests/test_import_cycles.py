"""No import circles anywhere in `game/`: each module's imports (relative ones, at the top or
inside functions) form a graph without cycles, so every layer can be read, tested and moved on
its own. Found from the code, like the purity test, so a new module is covered at once."""

import ast
from pathlib import Path

GAME = Path(__file__).resolve().parent.parent / "game"


def module_name(path):
    """`game/core/rules.py` -> ``core.rules``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(GAME).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules():
    """Every module of `game/` by name."""
    return {module_name(path): path for path in GAME.rglob("*.py")}


def imports_of(path, known):
    """The modules of `game/` that the module at `path` imports (relative imports only: the
    package imports itself that way)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = (
        module_name(path).split(".")
        if path.name == "__init__.py"
        else (module_name(path).split(".")[:-1])
    )
    package = [p for p in package if p]
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        target = base + (node.module.split(".") if node.module else [])
        dotted = ".".join(target)
        for alias in node.names:
            sub = f"{dotted}.{alias.name}" if dotted else alias.name
            if sub in known:
                found.add(sub)  # `from . import x` / `from .pkg import module`
            elif dotted in known or dotted == "":
                found.add(dotted)
    found.discard("")
    found.discard(module_name(path))
    return found


def import_graph():
    """``{module: set of modules it imports}`` for all of `game/`."""
    known = modules()
    return {name: imports_of(path, known) for name, path in known.items()}


def cycles(graph):
    """Every strongly connected group of more than one module (Tarjan), as sorted lists."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_are_no_import_circles_in_game():
    assert cycles(import_graph()) == []


def test_the_shells_are_layered_cli_uses_web_never_the_reverse():
    graph = import_graph()
    offences = [
        f"{name} imports {target}"
        for name, targets in graph.items()
        if name.startswith("web")
        for target in targets
        if target.startswith("cli")
    ]
    assert not offences


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_relative_imports_at_any_depth():
    graph = import_graph()
    assert "core.registry" in graph["core.rules"]
    assert "core.features.votes" in graph["core.features.care"]
    assert "web.pages.security" in graph["web.decks.editor"]
