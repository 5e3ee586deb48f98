"""The architecture holds (docs/architecture.md): the layers contract in pyproject.toml is kept, no import cycle
exists even counting imports inside functions, and such imports stay rare (start-up time only).

import-linter reads every import statement of every module, wherever it stands, so a lower layer reaching up
from inside a function breaks the contract as surely as one at the top of a file."""
import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wizard"


def lint_imports(source_root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    command = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run([sys.executable, "-c", command, "--no-cache", "--config", str(ROOT / "pyproject.toml")],
                          cwd=source_root, env=env, capture_output=True, text=True, timeout=300)


def test_the_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "wizard", ignore=shutil.ignore_patterns("__pycache__", "static",
                                                                                 "templates"))
    lock = tmp_path / "wizard/engine/lock.py"
    lock.write_text(lock.read_text() + "\n\ndef _reach_up():\n    from wizard.jobs import queue  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0 and "wizard.engine.lock -> wizard.jobs.queue" in result.stdout


def strongly_connected(adjacency: dict) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the components with more than one module are import cycles."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]

    def visit(root):
        work = [(root, iter(adjacency[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(adjacency[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for module in adjacency:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_counting_imports_inside_functions():
    graph = grimp.build_graph("wizard", include_external_packages=False, cache_dir=None)
    adjacency = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    assert strongly_connected(adjacency) == []


def test_the_cycle_finder_finds_a_cycle():
    assert strongly_connected({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]


def imports_inside_functions() -> tuple[int, int]:
    total = inside = 0
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for statement in tree.body if isinstance(statement, (ast.If, ast.Try, ast.Import,
                                                                             ast.ImportFrom))
               for node in ast.walk(statement)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                total += 1
                inside += id(node) not in top
    return total, inside


def test_imports_inside_functions_are_rare():
    total, inside = imports_inside_functions()
    assert total > 500
    assert inside / total < 0.05, f"{inside} of {total} imports sit inside functions"
