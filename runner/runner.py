"""Runner: the API the app and the CLI use to run a snippet and get its verdict."""

from __future__ import annotations

import dataclasses
import os
import secrets
import threading
from collections.abc import Hashable, Sequence
from types import TracebackType
from typing import Any

from runner import pythons as pythons_
from runner.bounded import fit
from runner.checks import evaluate, validate
from runner.fair import FairGate
from runner.launchers import Launcher
from runner.launchers.choice import default_python, launcher_python, same_kind, strongest_launcher
from runner.launchers.sandbox import slot_count
from runner.limits import Limits
from runner.protocol import encode
from runner.verdict import assemble

VIRTUAL_CAP_SECONDS = 600.0
CPU_HOG_SECONDS = 0.1


def default_launcher() -> Launcher:
    """The strongest isolation this machine offers."""
    return strongest_launcher()


class Runner:
    """Runs snippets, one fresh process each, and returns verdicts.

    python names the interpreter ("3.13", "3.13.0" or a path; see runner/pythons.py), else the
    launcher's default one; pythons, the interpreters to choose from (else discovered). A run
    may name another interpreter: its launcher (of the same kind) starts on first use and is
    kept. Raises pythons.PythonNotFound, listing what exists, for one that is not here.

    Safe to share between threads: every run has its own process, pipes and nonce.
    """

    def __init__(
        self,
        launcher: Launcher | None = None,
        limits: Limits | None = None,
        virtual_cap: float = VIRTUAL_CAP_SECONDS,
        cpu_hog_seconds: float = CPU_HOG_SECONDS,
        python: str | None = None,
        pythons: Sequence[str] | None = None,
        per_owner: int | None = None,
    ) -> None:
        self.pythons = pythons
        self.limits = limits or Limits()
        self.virtual_cap = virtual_cap
        self.cpu_hog_seconds = cpu_hog_seconds
        if launcher is not None and python is not None:
            raise ValueError("give Runner a launcher or a python, not both")
        if python is not None:
            self.python: pythons_.Python | None = self._choose(python)
            assert self.python is not None
            launcher = strongest_launcher(python=self.python.path)
        self.launcher = launcher or default_launcher()
        path = launcher_python(self.launcher)
        if python is None:
            self.python = pythons_.probe(path) if path else None
        self._others: dict[pythons_.Python, Launcher] = {}
        self._lock = threading.Lock()
        # As many runs at once as the launcher has slots (one per core where it has none),
        # whatever interpreter they run on, shared fairly between owners (runner/fair.py).
        self._slots = getattr(self.launcher, "slots", None) or slot_count(None)
        self._per_owner = per_owner
        self._gate_pid = os.getpid()
        self.gate = FairGate(self._slots, per_owner)

    def _choose(self, wanted: str) -> pythons_.Python:
        default = launcher_python(self.launcher) if hasattr(self, "launcher") else None
        return pythons_.choose(wanted, self.pythons, default=default or default_python())

    def launcher_for(self, python: str | None) -> tuple[Launcher, pythons_.Python | None]:
        """The launcher running `python` (this runner's own for None or the same interpreter)
        and that interpreter; PythonNotFound for one that is not here."""
        if python is None:
            return self.launcher, self.python
        chosen = self._choose(python)
        if chosen == self.python:
            return self.launcher, chosen
        with self._lock:
            if chosen not in self._others:
                self._others[chosen] = same_kind(self.launcher, chosen.path)
            return self._others[chosen], chosen

    def run(
        self,
        source: str,
        spec: dict[str, Any] | None = None,
        real_time: bool = False,
        timeout: float | None = None,
        python: str | None = None,
        owner: Hashable | None = None,
    ) -> dict[str, Any]:
        """Run source as a program; with a spec, also judge it (adds `passed` and `checks`).

        python: the interpreter for this run ("3.12"), else the runner's. The verdict's
        `python` field is the exact version that ran ("3.12.1").

        owner (the learner, say) shares the slots fairly with other owners: waiting runs are
        served round-robin across owners, and one owner never holds more than its share of
        the slots.

        Raises checks.SpecError for a spec that cannot be checked, before running anything,
        and pythons.PythonNotFound for an interpreter that is not here.
        """
        if spec is not None:
            validate(spec)
        launcher, interpreter = self.launcher_for(python)
        nonce = secrets.token_hex(16)
        request = {
            "nonce": nonce,
            "source": source,
            "real_time": real_time,
            "virtual_cap": self.virtual_cap,
            "cpu_hog_seconds": self.cpu_hog_seconds,
        }
        limits = self.limits
        if timeout is not None:
            limits = dataclasses.replace(limits, wall_seconds=timeout)
        if os.getpid() != self._gate_pid:
            # A forked copy of the service (a pre-forking server's worker) has none of its
            # parent's runs in flight: its own gate, not a copy of the parent's counts.
            self.gate = FairGate(self._slots, self._per_owner)
            self._gate_pid = os.getpid()
        with self.gate.slot(owner):
            outcome = launcher.launch(encode(request), limits)
        verdict = assemble(outcome, nonce, launcher.name, limits.wall_seconds)
        verdict["python"] = interpreter.version if interpreter else None
        if spec is not None:
            results = evaluate(spec, verdict, source)
            verdict["passed"] = all(result["passed"] for result in results)
            verdict["checks"] = results
        return fit(verdict)

    def close(self) -> None:
        with self._lock:
            others, self._others = list(self._others.values()), {}
        for launcher in others:
            launcher.close()
        self.launcher.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
