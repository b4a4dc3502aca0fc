"""How the inside reaches a sandboxed interpreter: one bundle of sources, one tiny loader.

The host never imports runner/inside/: it reads those files (and the side-neutral
runner/protocol.py and runner/procfs.py) as bytes into a bundle, which a launcher hands to the
sandbox over a memfd (bubblewrap) or a private temporary file (the process launcher). The
interpreter runs runner/inside/loader.py as its -c program; the loader installs the bundle's
modules under their own names (runner.inside.harness, runner.protocol...) and calls an entry's
main(). Nothing in the sandbox ever reads the checkout, which may be readable by root alone.
"""

from __future__ import annotations

import functools
import marshal
import subprocess
from pathlib import Path

PACKAGE = Path(__file__).absolute().parents[1]
INSIDE = PACKAGE / "inside"
# Host modules the inside uses too: stdlib only, no I/O at import.
NEUTRAL = ("protocol.py", "procfs.py")
# The entries the launchers start: the harness serves one run, the zygote serves many.
HARNESS_ENTRY = "runner.inside.harness"
ZYGOTE_ENTRY = "runner.inside.zygote"
# Isolated from the environment's paths, no site (stdlib only), no bytecode written; without
# -E, so the fixed hash seed in CHILD_ENV applies.
PYTHON_FLAGS = ("-P", "-s", "-S", "-B")
# The child's whole environment: a fixed hash seed and locale make runs repeat exactly; few
# malloc arenas keep a threaded snippet inside the address-space limit.
CHILD_ENV = {
    "PYTHONHASHSEED": "0",
    "LANG": "C.UTF-8",
    "TZ": "UTC",
    "MALLOC_ARENA_MAX": "2",
}


@functools.cache
def loader_source() -> str:
    return (INSIDE / "loader.py").read_text(encoding="utf-8")


@functools.cache
def source_bundle() -> bytes:
    """The inside's modules as sources: {name: (is package, file name, source)}, marshalled.

    The `runner` package itself is empty inside: its host __init__ is not shipped.
    """
    modules: dict[str, tuple[bool, str, str]] = {"runner": (True, "runner/__init__.py", "")}
    for name in NEUTRAL:
        modules[f"runner.{name.removesuffix('.py')}"] = _module(PACKAGE / name, False)
    for path in sorted(INSIDE.glob("*.py")):
        if path.name == "loader.py":
            continue
        if path.name == "__init__.py":
            modules["runner.inside"] = _module(path, True)
        else:
            modules[f"runner.inside.{path.stem}"] = _module(path, False)
    # Format 4 (3.11 to 3.13's own): any interpreter the sandbox runs reads these plain values,
    # whichever Python the host is.
    return marshal.dumps(modules, 4)


def _module(path: Path, is_package: bool) -> tuple[bool, str, str]:
    return is_package, str(path.relative_to(PACKAGE.parent)), path.read_text(encoding="utf-8")


@functools.cache
def compiled_bundle(python: str) -> bytes:
    """The bundle compiled by `python` itself, so its bytecode is the one it reads (cached).

    Only our own sources are compiled: no learner's code runs here.
    """
    return subprocess.run(
        [python, *PYTHON_FLAGS, "-c", loader_source(), "--compile", "/dev/stdout"],
        input=source_bundle(),
        check=True,
        capture_output=True,
        env=CHILD_ENV,
    ).stdout


def python_argv(python: str, bundle: str, entry: str, *args: str) -> list[str]:
    """The command that runs entry's main(args) from the bundle at the path `bundle`."""
    return [python, *PYTHON_FLAGS, "-c", loader_source(), bundle, entry, *args]
