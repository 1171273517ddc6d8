"""The import graph of ``rlvr/``: no cycles between modules or packages, and each layer importing only below.

Layers, top down: ``rlvr.modes`` (what a run does) builds the six components (``data``, ``models``,
``training``, ``rewards``, ``evaluation``, ``observers``), which talk through ``rlvr/interfaces.py`` and
the modes, never each other or a mode; below them ``rlvr.rollout``, the generation layer the components
share (which generator, the engine, the attention code), reaches no component and no mode; under all of
them the shared modules (``answers``, ``prompts``, ``paths``, ``config``, ``interfaces``, ``run_dir``,
``console``, ...). Lazy imports inside functions count too: a cycle hidden in a function body is still a
cycle, and a package cycle made of two lazy imports in different files is one as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = {"data", "models", "training", "rewards", "evaluation", "observers"}
#: Packages with a rule of their own: the generation layer under the components, and the modes above them.
LAYERS = COMPONENTS | {"rollout", "modes"}
#: Package → packages it must never import.
FORBIDDEN = {
    **{name: (COMPONENTS - {name}) | {"modes"} for name in COMPONENTS},
    "rollout": COMPONENTS | {"modes"},
}
#: Package edges that close a cycle today, each with where it is and why it is still there. An entry here
#: must name an edge that exists (a test says so), so fixing one means deleting its line.
KNOWN_BACK_EDGES: dict[tuple[str, str], str] = {}


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
    """The layer package ``module`` belongs to (a component, ``rollout`` or ``modes``), else None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def package(module: str) -> str:
    """``rlvr.<package>`` for a module in a sub-package, the module itself for a top-level one."""
    return ".".join(module.split(".")[:2])


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Package → the other packages (or top-level modules) its modules import."""
    packages: dict[str, set[str]] = {package(m): set() for m in graph}
    for module, targets in graph.items():
        packages[package(module)] |= {package(t) for t in targets} - {package(module)}
    return packages


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


def test_no_package_cycle() -> None:
    packages = package_graph(import_graph())
    for source, target in KNOWN_BACK_EDGES:
        packages[source].discard(target)
    assert cycles(packages) == []


def test_known_back_edges_still_exist() -> None:
    packages = package_graph(import_graph())
    assert [edge for edge in KNOWN_BACK_EDGES if edge[1] not in packages[edge[0]]] == []


def test_package_cycles_are_found() -> None:
    """Two modules that do not import each other still tie their packages: ``a.x → b.y → a.z``."""
    graph = {"rlvr.a.x": {"rlvr.b.y"}, "rlvr.b.y": {"rlvr.a.z"}, "rlvr.a.z": set()}
    assert cycles(graph) == []
    assert cycles(package_graph(graph)) == [["rlvr.a", "rlvr.b", "rlvr.a"]]


def layer_violations(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports a layer must not make (see :data:`FORBIDDEN`)."""
    return [
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if component(module) in FORBIDDEN and component(target) in FORBIDDEN[component(module)]
    ]


def test_no_layer_imports_what_it_must_not() -> None:
    """Components import neither each other nor a mode; the generation layer imports no component."""
    assert layer_violations(import_graph()) == []


def test_the_rules_see_rollout_and_modes() -> None:
    """The models ↔ rollout tie the old six-component rule could not see, and a component using a mode."""
    graph = {
        "rlvr.rollout.attention": {"rlvr.models.attention_mask"},
        "rlvr.models.saving": {"rlvr.rollout.engine"},  # allowed: a component uses the generation layer
        "rlvr.training.grpo": {"rlvr.modes.eval", "rlvr.rollout.choice"},
    }
    assert layer_violations(graph) == [
        ("rlvr.rollout.attention", "rlvr.models.attention_mask"),
        ("rlvr.training.grpo", "rlvr.modes.eval"),
    ]


def test_no_mode_imports_another_mode() -> None:
    """What two modes share lives below them (``rlvr.evaluation.session``, ``rlvr.models.loading``,
    ``rlvr.sweep_job``), so each mode module can be read, changed or removed on its own."""
    from rlvr.modes import MODES

    modes = {run.__module__ for run in MODES.values()}
    graph = import_graph()
    assert [(mode, target) for mode in sorted(modes) for target in graph[mode] if target in modes] == []
