"""The import graph of app/: modules import downward only, and core knows no domain."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
# Packages every domain may use, which themselves use no domain.
SHARED = {"app.core", "app.extensions"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(APP.rglob("*.py"))}


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """Return the app modules ``path`` imports (module level only, or anywhere in it)."""
    tree = ast.parse(path.read_text(), str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found |= {n for n in names if n in MODULES}
    return found


def _graph(*, top_level_only: bool) -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        edges = _imports(path, top_level_only=top_level_only)
        # Importing a.b.c runs a/__init__ and a/b/__init__ first: those are edges too.
        for target in list(edges):
            parts = target.split(".")
            edges |= {".".join(parts[:i]) for i in range(2, len(parts))} & MODULES.keys()
        graph[name] = edges - {name} - {p for p in MODULES if name.startswith(p + ".")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of the graph as a path, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_among_app_modules():
    # Counting the imports inside functions too: a cycle hidden in a function is a
    # cycle all the same, and only waits for its first call to bite.
    assert _cycle(_graph(top_level_only=False)) is None


def test_core_imports_no_domain():
    offenders = {
        name: sorted(t for t in edges if not any(t.startswith(s) for s in SHARED))
        for name, edges in _graph(top_level_only=False).items()
        if name.startswith("app.core")
    }
    assert {n: e for n, e in offenders.items() if e} == {}


def test_the_graph_is_read():
    graph = _graph(top_level_only=False)
    assert "app.core.workflow" in graph["app.cases.workflow"]
    # A lazy import inside a function counts.
    assert "app.auth.services" in graph["app.cases.workflow"]


def test_the_check_sees_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
