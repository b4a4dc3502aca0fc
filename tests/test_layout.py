"""The layout tells the architecture: quiz's modules import each other one way only."""

from __future__ import annotations

import ast
from pathlib import Path

QUIZ = Path(__file__).resolve().parent.parent / "quiz"


def module_name(path: Path) -> str:
    parts = path.relative_to(QUIZ.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def quiz_modules() -> dict[str, Path]:
    return {
        module_name(path): path for path in QUIZ.rglob("*.py") if "migrations" not in path.parts
    }


def imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every quiz module `path` imports, at its top or inside a function (type-only imports
    under `if TYPE_CHECKING:` do not run, so they do not count)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text())
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name in modules and name != module_name(path)}


def graph() -> dict[str, set[str]]:
    modules = quiz_modules()
    return {name: imports(path, modules) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def package_inits(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Without the package re-export edges (quiz.models imports its own modules)."""
    return {
        name: {target for target in targets if not target.startswith(name + ".")}
        for name, targets in edges.items()
    }


def test_quiz_has_no_import_cycles() -> None:
    assert cycles(package_inits(graph())) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_views_module_imports_another() -> None:
    edges = graph()
    views = {name for name in edges if name.endswith(".views")}
    assert {(name, target) for name in views for target in edges[name] & views} == set()


def test_no_template_tag_imports_a_views_module() -> None:
    edges = graph()
    tags = [name for name in edges if name.startswith("quiz.templatetags.")]
    assert tags
    assert {(name, t) for name in tags for t in edges[name] if t.endswith(".views")} == set()


def test_quiz_keeps_at_most_a_dozen_top_level_modules() -> None:
    assert len(list(QUIZ.glob("*.py"))) <= 12


def test_the_runner_never_imports_django_or_quiz() -> None:
    runner = QUIZ.parent / "runner"
    for path in runner.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                assert name.split(".")[0] not in {"django", "quiz"}, f"{path}: {name}"
