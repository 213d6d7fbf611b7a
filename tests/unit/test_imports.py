"""How the code imports itself: no import cycle among app's modules, and tests use public names.

A cycle is looked for in the graph of imports read from the source, so that every order of
first imports is covered at once. An import inside a function counts (deferring an import hides
a cycle, it does not remove it); one under `if TYPE_CHECKING:` never runs and does not. The
modules are also imported in a fresh interpreter in a random order. A test that imports a
private name (`_name`) from `app` ties the code to a detail: give what a test needs a public
name instead.
"""

from __future__ import annotations

import ast
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(APP.rglob("*.py"))}


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in `node`, in functions too, but those under `if TYPE_CHECKING:`."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    elif isinstance(node, ast.If) and is_type_checking(node.test):
        for stmt in node.orelse:
            yield from imports(stmt)
    else:
        for child in ast.iter_child_nodes(node):
            yield from imports(child)


def imported_modules(name: str, path: Path) -> set[str]:
    """The app modules importing `name` runs: each named, and the packages above them that are
    not its own (a package of its own is being imported already)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for stmt in imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(stmt, ast.Import):
            targets = [alias.name for alias in stmt.names]
        else:
            base = stmt.module or ""
            if stmt.level:
                up = package.split(".")[: len(package.split(".")) - stmt.level + 1]
                base = ".".join([*up, base] if base else up)
            targets = [base, *(f"{base}.{alias.name}" for alias in stmt.names)]
        for target in targets:
            if target in MODULES and target != name:
                found.add(target)
            parts = target.split(".")
            for i in range(1, len(parts)):
                above = ".".join(parts[:i])
                if above in MODULES and not name.startswith(above + "."):
                    found.add(above)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_of_app_imports_itself_through_others() -> None:
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    assert graph["app.forms.validate.checks"] >= {"app.forms.rules", "app.forms.validate.plan"}
    assert "app.forms.xlsform" in graph["app.forms.routes"]  # (imported in a function)
    assert "app.forms.validate.plan" not in graph["app.forms.validate.readers"]  # (types only)
    assert cycles(graph) == []


def test_a_cycle_would_be_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_every_module_imports_in_a_fresh_interpreter_in_a_random_order() -> None:
    order = [name for name in MODULES if name != "app.__main__"]  # (that one runs the CLI)
    seed = random.randrange(2**32)
    random.Random(seed).shuffle(order)
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run(
        [sys.executable, "-c", script, *order], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, f"seed {seed}: {done.stderr[-2000:]}"


# --- tests use public names only --------------------------------------------------------------


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(source: str) -> list[str]:
    """`from app.x import _y`, `app_module._y` (a module of app imported under any name) and
    "app.x._y" written as a string (for `monkeypatch.setattr`)."""
    tree = ast.parse(source)
    modules: dict[str, str] = {}  # local name -> the app module it is
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "app":
            for alias in node.names:
                if private(alias.name):
                    found.append((node.lineno, f"from {node.module} import {alias.name}"))
                elif f"{node.module}.{alias.name}" in MODULES:
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "app":
                    if any(private(part) for part in alias.name.split(".")):
                        found.append((node.lineno, f"import {alias.name}"))
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            parts = node.value.split(".")
            dotted = len(parts) > 1 and all(part.isidentifier() for part in parts)
            if dotted and parts[0] == "app" and any(private(part) for part in parts[1:]):
                found.append((node.lineno, repr(node.value)))
    return [f"line {line}: {text}" for line, text in sorted(found)]


def test_the_private_name_finder_finds_each_way_of_reaching_one() -> None:
    source = (
        "from app.forms.expressions import _eval, parse\n"
        "from app.forms import validate\n"
        "import app.db.writer_lock as lock\n"
        "validate._Run.incremental = False\n"
        "lock._KEY\n"
        "monkeypatch.setattr('app.forms.validate._PLANS', {})\n"
        "parse.__doc__, validate.validate_submission, self._x\n"
    )
    assert private_uses(source) == [
        "line 1: from app.forms.expressions import _eval",
        "line 4: validate._Run",
        "line 5: lock._KEY",
        "line 6: 'app.forms.validate._PLANS'",
    ]


def test_tests_use_only_public_names_of_app() -> None:
    tests = Path(__file__).resolve().parents[1]
    found = [
        f"{path.relative_to(REPO)} {use}"
        for path in sorted(tests.rglob("*.py"))
        for use in private_uses(path.read_text(encoding="utf-8"))
    ]
    assert found == []
