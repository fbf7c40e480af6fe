"""No module of disputes imports inside a function: such an import hides a module cycle."""

import ast
from pathlib import Path

import disputes

PACKAGE = Path(disputes.__file__).parent


def imports_inside_functions(path: Path) -> list[str]:
    """ "file:line import" for each import inside a function of the module at `path`.

    Django loads apps.py before any model exists, so AppConfig.ready() is, by Django's
    design, where an app imports the modules that register it with other apps.
    """
    found = {}
    for function in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if path.name == "apps.py" and function.name == "ready":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                # Keyed by position: a nested function's import is seen from each enclosing one.
                found[node.lineno, node.col_offset] = (
                    f"{path.name}:{node.lineno} {ast.unparse(node)}"
                )
    return [found[position] for position in sorted(found)]


def test_no_module_of_disputes_imports_inside_a_function():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert PACKAGE / "services" / "deadline_plan.py" in modules, "the package was not found"
    assert len(modules) > 30, "the package was not found"
    offenders = [line for path in modules for line in imports_inside_functions(path)]
    assert offenders == []


def test_the_check_sees_an_import_in_a_nested_function_or_a_method(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text(
        "import os\n\n\n"
        "def outer():\n    def inner():\n        import json\n    return inner\n\n\n"
        "class Thing:\n    def method(self):\n        from os import path\n"
    )
    assert imports_inside_functions(module) == [
        "sample.py:6 import json",
        "sample.py:12 from os import path",
    ]
