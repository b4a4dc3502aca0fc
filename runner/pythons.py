"""Which Python interpreters learners' code can run on here, found on the host.

Looked for, in this order: a configured list (the RUNNER_PYTHONS environment variable, paths
separated by ':', or the `configured` argument, which replaces the search), else Debian's and
/usr/local's python3.X, pyenv's versions ($PYENV_ROOT, ~/.pyenv and /root/.pyenv) and uv's
installs ($UV_PYTHON_INSTALL_DIR, ~/.local/share/uv/python). Every path is resolved to the real
executable (never a pyenv shim or a venv's symlink), asked for its exact version, and kept if it
is CPython 3.11 or newer. Two paths to one executable are one interpreter.
"""

from __future__ import annotations

import functools
import glob
import os
import secrets
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

# The oldest Python the harness runs on (TaskGroup and asyncio.timeout are 3.11's).
OLDEST = (3, 11)
ENVIRONMENT = "RUNNER_PYTHONS"
# Its implementation, exact version, and a fresh token reversed: only a Python can answer.
PROBE = (
    "import sys, platform; v = sys.version_info; "
    "print(platform.python_implementation(), "
    "'%d.%d.%d%s' % (v[0], v[1], v[2], '' if v[3] == 'final' else v[3][0] + str(v[4])), "
    "{token!r}[::-1])"
)


class PythonNotFound(LookupError):
    """No interpreter here matches what was asked for; the message lists those that exist."""

    def __init__(self, wanted: str, found: Sequence[Python]) -> None:
        self.wanted = wanted
        self.found = list(found)
        have = ", ".join(f"{python.version} ({python.path})" for python in found) or "none"
        super().__init__(f"no Python {wanted} here; found: {have}")


@dataclass(frozen=True)
class Python:
    """One interpreter: its exact version ("3.13.0") and its real path."""

    version: str
    path: str

    @property
    def series(self) -> str:
        """ "3.13" for "3.13.0"."""
        return ".".join(self.version.split(".")[:2])

    def matches(self, wanted: str) -> bool:
        """True for its series ("3.13"), its exact version ("3.13.0") or its path."""
        return wanted in (self.series, self.version) or os.path.realpath(wanted) == self.path


def _version_key(text: str) -> tuple[int, ...]:
    numbers = []
    for part in text.split(".")[:3]:
        digits = "".join(char for char in part if char.isdigit())
        numbers.append(int(digits or 0))
    return tuple(numbers)


@functools.cache
def probe(path: str) -> Python | None:
    """The interpreter at path (resolved), or None if it is no runnable CPython 3.11+ (cached)."""
    real = os.path.realpath(path)
    if not (os.path.isfile(real) and os.access(real, os.X_OK)):
        return None
    token = secrets.token_hex(8)
    try:
        out = subprocess.run(
            [real, "-I", "-S", "-c", PROBE.format(token=token)],
            env={},
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(out) != 3 or out[0] != "CPython" or out[2] != token[::-1]:
        return None
    if _version_key(out[1])[:2] < OLDEST:
        return None
    return Python(version=out[1], path=real)


def candidates() -> list[str]:
    """Where interpreters are usually installed, in the order they are preferred."""
    found: list[str] = []
    for folder in ("/usr/bin", "/usr/local/bin"):
        found += sorted(glob.glob(f"{folder}/python3.[0-9]*"), key=_path_version, reverse=True)
    pyenv_roots = [os.environ.get("PYENV_ROOT", ""), "~/.pyenv", "/root/.pyenv"]
    uv_roots = [os.environ.get("UV_PYTHON_INSTALL_DIR", ""), "~/.local/share/uv/python"]
    for roots, pattern in ((pyenv_roots, "versions/*"), (uv_roots, "cpython-*")):
        for root in filter(None, roots):
            installs = glob.glob(os.path.join(os.path.expanduser(root), pattern))
            for install in sorted(installs, key=_path_version, reverse=True):
                found += sorted(glob.glob(f"{install}/bin/python3.[0-9]*"), key=_path_version)
    # Older versions by their names are not even started.
    kept = [
        path
        for path in found
        if not path.endswith(("-config", "-gdb.py", "m")) and _path_version(path)[:2] >= OLDEST
    ]
    return list(dict.fromkeys(kept))


def _path_version(path: str) -> tuple[int, ...]:
    name = os.path.basename(path.rstrip("/"))
    return _version_key(name.removeprefix("python").removeprefix("cpython-"))


def configured_paths(configured: Iterable[str] | None = None) -> list[str] | None:
    """The configured list (argument, else RUNNER_PYTHONS), or None when nothing is configured."""
    if configured is not None:
        return list(configured)
    value = os.environ.get(ENVIRONMENT, "").strip()
    return [path for path in value.split(os.pathsep) if path] if value else None


def discover(configured: Iterable[str] | None = None) -> list[Python]:
    """Every usable interpreter, each once, in order of preference.

    A configured list replaces the search; a configured path that is no usable interpreter is
    left out (the `pythons` command and the app's system check show what was found).
    """
    paths = configured_paths(configured)
    found: list[Python] = []
    for path in candidates() if paths is None else paths:
        python = probe(path)
        if python is not None and python not in found:
            found.append(python)
    return found


def choose(
    wanted: str, configured: Iterable[str] | None = None, default: str | None = None
) -> Python:
    """The interpreter for "3.13", "3.13.0" or a path; the default one first if it matches.

    Raises PythonNotFound listing what exists. A path is accepted if it is a usable interpreter
    even when not in the discovered list.
    """
    found = discover(configured)
    if os.sep in wanted:
        python = probe(wanted)
        if python is None:
            raise PythonNotFound(wanted, found)
        return python
    preferred = probe(default) if default else None
    if preferred is not None and preferred.matches(wanted):
        return preferred
    for python in found:
        if python.matches(wanted):
            return python
    raise PythonNotFound(wanted, found)


def describe(pythons: Sequence[Python], default: str | None) -> list[dict[str, object]]:
    """The JSON of `python -m runner pythons`: version, path, and which one runs by default."""
    chosen = probe(default) if default else None
    return [asdict(python) | {"default": python == chosen} for python in pythons]
