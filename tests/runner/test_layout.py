"""The host never imports the inside; the inside imports only the stdlib and what is shipped."""

from __future__ import annotations

import ast
import marshal
import subprocess
import sys
from pathlib import Path

from runner.launchers.shipping import source_bundle

RUNNER = Path(__file__).resolve().parents[2] / "runner"
SHIPPED = {"runner", "runner.inside", "runner.protocol", "runner.procfs"}


def test_the_host_side_imports_nothing_of_the_inside():
    probe = (
        "import sys, runner, runner.__main__, runner.launchers.choice; "
        "print(sorted(m for m in sys.modules if m.startswith('runner.inside')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=RUNNER.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[]"


def test_the_inside_imports_only_the_standard_library_and_the_shipped_modules():
    modules = marshal.loads(source_bundle())
    assert set(modules) >= SHIPPED | {"runner.inside.harness", "runner.inside.zygote"}
    assert modules["runner"][2] == ""  # the host's runner/__init__.py stays outside
    for name, (_, _, source) in modules.items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = [node.module]
            elif isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            else:
                continue
            for module in imported:
                top = module.split(".")[0]
                assert top in sys.stdlib_module_names or module in modules, (name, module)
