"""Imports point one way: no cycle among our modules, lazy or not (type-only imports aside)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "listings", "recommendations", "descriptions", "registry", "trustasset")
MODULES = ("csv_stream",)


def _modules(root: Path = PROJECT, packages: tuple[str, ...] = PACKAGES,
             modules: tuple[str, ...] = MODULES) -> dict[str, Path]:
    found = {name: root / f"{name}.py" for name in modules}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def _executed_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth; ``if TYPE_CHECKING:`` blocks never do."""
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        pending.extend(ast.iter_child_nodes(node))


def import_graph(root: Path = PROJECT, packages: tuple[str, ...] = PACKAGES,
                 modules_alone: tuple[str, ...] = MODULES) -> dict[str, set[str]]:
    """Our module → our modules it imports."""
    modules = _modules(root, packages, modules_alone)

    def ours(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        for node in _executed_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                names = [f"{base}.{alias.name}" for alias in node.names]
            for name in names:
                target = ours(name)
                if target:
                    targets.add(target)
                # Importing a.b.c runs packages a and a.b first, unless they hold the importer (already run).
                while target and "." in target:
                    target = target.rpartition(".")[0]
                    if not module.startswith(f"{target}."):
                        targets.add(target)
        graph[module] = targets - {module}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while (member := stack.pop()) != module:
                group.append(member)
            if group:
                cycles.append(sorted([module, *group]))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module that importing ``start`` can import, through any chain."""
    seen: set[str] = set()
    pending = [start]
    while pending:
        for target in graph[pending.pop()] - seen:
            seen.add(target)
            pending.append(target)
    return seen


def test_it_finds_no_import_cycle() -> None:
    assert import_cycles(import_graph()) == []


def test_it_finds_a_cycle_through_a_lazy_import_but_not_through_a_type_only_one(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "__init__.py").write_text("")
    (shop / "tasks.py").write_text("from shop import services\n")
    (shop / "services.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shop import models\n"
        "def queue():\n    from shop.tasks import run\n")
    (shop / "models.py").write_text("from shop.services import queue\n")

    graph = import_graph(tmp_path, ("shop",), ())

    assert graph == {"shop": set(), "shop.tasks": {"shop.services"}, "shop.services": {"shop.tasks"},
                     "shop.models": {"shop.services"}}
    assert import_cycles(graph) == [["shop.services", "shop.tasks"]]


@pytest.mark.parametrize("layer", ["services", "selectors", "models"])
def test_it_keeps_tasks_out_of_services_selectors_and_models(layer: str) -> None:
    graph = import_graph()
    lower = [module for module in graph if f".{layer}" in module]

    assert lower
    assert {module: sorted(t for t in reachable(graph, module) if t.endswith(".tasks")) for module in lower
            if any(t.endswith(".tasks") for t in reachable(graph, module))} == {}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in _executed_imports(ast.parse(path.read_text())):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        roots |= {name.split(".")[0] for name in names if not getattr(node, "level", 0)}
    return roots


def test_it_keeps_ml_free_of_django_and_the_apps() -> None:
    ml = {name: path for name, path in _modules().items() if name.startswith("recommendations.ml")}
    forbidden = {"django", "rest_framework", "celery", *PACKAGES} - {"recommendations"}

    assert ml
    assert {name: sorted(_imported_roots(path) & forbidden) for name, path in ml.items()
            if _imported_roots(path) & forbidden} == {}
    allowed = ("recommendations.ml", *MODULES)  # csv_stream: framework-free, shared with the importers
    assert {name: sorted(t for t in targets if not t.startswith(allowed))
            for name, targets in import_graph().items() if name in ml
            if any(not t.startswith(allowed) for t in targets)} == {}


@pytest.mark.parametrize("serving", ["recommendations.conf", "recommendations.selectors", "recommendations.fragments",
                                     "recommendations.services.feed", "recommendations.services.profiles",
                                     "recommendations.api", "recommendations.views", "listings.views"])
def test_it_keeps_the_offline_evaluation_out_of_serving_code(serving: str) -> None:
    assert sorted(t for t in reachable(import_graph(), serving) if t.startswith("recommendations.ml.evaluation")) == []
