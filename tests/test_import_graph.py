"""The import graph of ``rlvr/``: no cycles, and no component reaching into another component.

Components (``data``, ``models``, ``training``, ``rewards``, ``evaluation``, ``observers``) talk through
``rlvr/interfaces.py`` and the modes; they may import the shared modules (``answers``, ``prompts``,
``paths``, ``config``, ``interfaces``, ``run_dir``, ``console``) but never each other or ``rlvr.modes``.
Lazy imports inside functions count too: a cycle hidden in a function body is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = {"data", "models", "training", "rewards", "evaluation", "observers"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the rlvr modules it imports (``from a.b import c`` counts as ``a.b`` or ``a.b.c``)."""
    modules = {module_name(p): p for p in (ROOT / "rlvr").rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
                    break
    return graph


def component(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in COMPONENTS else None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles, ignoring a package's ``__init__`` importing its own submodules (a re-export)."""
    found, state = [], dict.fromkeys(graph, 0)  # 0 new, 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + "."):
                continue
            if state[nxt] == 1:
                found.append(path[path.index(nxt) :] + [nxt])
            elif state[nxt] == 0:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if state[start] == 0:
            visit(start, [start])
    return found


def test_the_graph_is_read() -> None:
    graph = import_graph()
    assert "rlvr.interfaces" in graph["rlvr.modes.train"]
    assert "rlvr.answers" in graph["rlvr.rewards.correctness"]


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_component_imports_another_component_or_a_mode() -> None:
    graph = import_graph()
    sideways = [
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if component(module)
        and (target.startswith("rlvr.modes") or component(target) not in (None, component(module)))
    ]
    assert sideways == []


def test_interfaces_import_no_component() -> None:
    assert not [t for t in import_graph()["rlvr.interfaces"] if component(t) or t.startswith("rlvr.modes")]
