"""The product package never imports the developers' tools.

`deep_medicare` is what the dbt Python model, the dbt-duckdb plugin and the Spark scoring import;
`deep_medicare_dev` (benchmarks, evaluation on injected anomalies, mutation check) imports the product, never
the other way round. Every module of the product is parsed (not imported, so nothing runs and an import
inside a function counts too) and any import of the tools fails the test, naming the module and the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

PRODUCT = Path(__file__).resolve().parents[2] / "python" / "deep_medicare"
TOOLS = "deep_medicare_dev"
# Calls that import a module named by a string: importlib.import_module("..."), __import__("...").
IMPORTING_CALLS = {"import_module", "__import__"}


def is_tools(module: str | None) -> bool:
    return module is not None and (module == TOOLS or module.startswith(f"{TOOLS}."))


def imports_tools(node: ast.AST) -> bool:
    """Whether this node of a module's syntax tree imports the tools."""
    if isinstance(node, ast.Import):
        return any(is_tools(alias.name) for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and is_tools(node.module)
    if isinstance(node, ast.Call) and node.args:
        function, first = node.func, node.args[0]
        called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
        named = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        return called in IMPORTING_CALLS and is_tools(named)
    return False


def tools_imports(source: str, filename: str = "<text>") -> list[str]:
    """Each import of the tools in `source`, as "line N: the statement", in line order."""
    nodes = [node for node in ast.walk(ast.parse(source, filename)) if imports_tools(node)]
    nodes.sort(key=lambda node: node.lineno)
    return [f"line {node.lineno}: {ast.unparse(node)}" for node in nodes]


def test_the_detector_finds_every_form_of_import():
    source = "\n".join(
        [
            "import deep_medicare_dev",
            "import os, deep_medicare_dev.evaluate as evaluate",
            "from deep_medicare_dev import benchmark",
            "from deep_medicare_dev.national_benchmark import generate_years",
            "def later():",
            "    import deep_medicare_dev.mutation_check",
            "importlib.import_module('deep_medicare_dev.benchmark')",
            "__import__('deep_medicare_dev')",
            # not the tools: the product, a name that merely starts alike, a string that is not imported
            "import deep_medicare.scoring",
            "from deep_medicare import evidence",
            "import deep_medicare_development",
            "print('deep_medicare_dev')",
        ]
    )
    found = [line.split(":")[0] for line in tools_imports(source)]
    assert found == [f"line {number}" for number in (1, 2, 3, 4, 6, 7, 8)]


def test_the_product_never_imports_the_tools():
    modules = sorted(PRODUCT.rglob("*.py"))
    # the package's modules, its superset subpackage included (a wrong path would find nothing and pass)
    assert PRODUCT / "scoring.py" in modules and PRODUCT / "superset" / "bootstrap.py" in modules
    offences = [
        f"{module.relative_to(PRODUCT.parent)} {found}"
        for module in modules
        for found in tools_imports(module.read_text(), str(module))
    ]
    assert not offences, f"the product imports the developers' tools ({TOOLS}):\n" + "\n".join(offences)
