"""Which launcher isolates learners' code here: bubblewrap if it works, else processes."""

from __future__ import annotations

import dataclasses
import sys

from runner.launchers import Launcher
from runner.launchers.bwrap import BwrapLauncher
from runner.launchers.process import ProcessLauncher
from runner.launchers.sandbox import NO_BUBBLEWRAP, SandboxConfig, bwrap_available
from runner.launchers.warm import WarmPool


def strongest_launcher(warm: bool = True, python: str | None = None) -> Launcher:
    """Warm bubblewrap slots (or a fresh bubblewrap sandbox per run when warm is False);
    where bubblewrap is missing, the weaker process sandbox, named so in every verdict.

    python: the interpreter's path (the default one when None).
    """
    if bwrap_available():
        config = SandboxConfig(python=python) if python else None
        return WarmPool(config) if warm else BwrapLauncher(config)
    launcher = ProcessLauncher(python=python)
    launcher.name = NO_BUBBLEWRAP
    return launcher


def default_python() -> str:
    """The interpreter strongest_launcher() runs when none is named: the sandbox's
    /usr/bin/python3, or where bubblewrap is missing, the host's own."""
    return SandboxConfig.python if bwrap_available() else sys.executable


def launcher_python(launcher: Launcher) -> str | None:
    """The path of the interpreter a launcher runs, if it says."""
    config = getattr(launcher, "config", None)
    python = getattr(config, "python", None) or getattr(launcher, "python", None)
    return python if isinstance(python, str) else None


def same_kind(launcher: Launcher, python: str) -> Launcher:
    """A launcher like `launcher` (same kind, sandbox settings and slots) running `python`."""
    if isinstance(launcher, WarmPool | BwrapLauncher):
        config = dataclasses.replace(launcher.config, python=python)
        return type(launcher)(config, slots=launcher.slots)
    if isinstance(launcher, ProcessLauncher):
        other = ProcessLauncher(python=python, spares=launcher.spares)
        other.name = launcher.name
        return other
    raise ValueError(f"{type(launcher).__name__} cannot run another interpreter")
