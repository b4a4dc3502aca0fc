"""Which launcher isolates learners' code here: bubblewrap if it works, else processes."""

from __future__ import annotations

from runner.launchers import Launcher
from runner.launchers.bwrap import BwrapLauncher
from runner.launchers.process import ProcessLauncher
from runner.launchers.sandbox import NO_BUBBLEWRAP, bwrap_available
from runner.launchers.warm import WarmPool


def strongest_launcher(warm: bool = True) -> Launcher:
    """Warm bubblewrap slots (or a fresh bubblewrap sandbox per run when warm is False);
    where bubblewrap is missing, the weaker process sandbox, named so in every verdict."""
    if bwrap_available():
        return WarmPool() if warm else BwrapLauncher()
    launcher = ProcessLauncher()
    launcher.name = NO_BUBBLEWRAP
    return launcher
