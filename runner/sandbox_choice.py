"""Which launcher isolates learners' code here: bubblewrap if it works, else processes."""

from __future__ import annotations

from runner.bwrap import NO_BUBBLEWRAP, BwrapLauncher, bwrap_available
from runner.launch import Launcher, ProcessLauncher
from runner.sandbox_warm import ZygoteLauncher


def strongest_launcher(warm: bool = True) -> Launcher:
    """Warm bubblewrap zygotes (or a fresh bubblewrap sandbox per run when warm is False);
    where bubblewrap is missing, the weaker process sandbox, named so in every verdict."""
    if bwrap_available():
        return ZygoteLauncher() if warm else BwrapLauncher()
    launcher = ProcessLauncher()
    launcher.name = NO_BUBBLEWRAP
    return launcher
