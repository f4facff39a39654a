"""No module of the package binds the same top-level name twice: the second binding silently
replaces the first for every function above it that reads the name (a pattern named like
another, written a thousand lines further down, changed what the first one's readers match)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

import metis_distill

PACKAGE = Path(metis_distill.__file__).parent


def _top_level_names(tree: ast.Module) -> Counter[str]:
    names: Counter[str] = Counter()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.update([node.target.id] if node.value is not None else [])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] += 1
    return names


@pytest.mark.parametrize("module", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_top_level_name_is_bound_twice(module: Path) -> None:
    names = _top_level_names(ast.parse(module.read_text(encoding="utf-8")))
    assert [name for name, count in names.items() if count > 1] == []


def test_a_name_bound_twice_is_found() -> None:
    tree = ast.parse("import re\nA = re.compile('x')\ndef f(): return A\nA = re.compile('y')\n")
    assert _top_level_names(tree)["A"] == 2
