"""Runner: the API the app and the CLI use to run a snippet and get its verdict."""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Hashable
from types import TracebackType
from typing import Any

from runner.bounded import fit
from runner.checks import evaluate, validate
from runner.fair import FairGate
from runner.launchers import Launcher
from runner.launchers.choice import strongest_launcher
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

    Safe to share between threads: every run has its own process, pipes and nonce.
    """

    def __init__(
        self,
        launcher: Launcher | None = None,
        limits: Limits | None = None,
        virtual_cap: float = VIRTUAL_CAP_SECONDS,
        cpu_hog_seconds: float = CPU_HOG_SECONDS,
        per_owner: int | None = None,
    ) -> None:
        self.launcher = launcher or default_launcher()
        self.limits = limits or Limits()
        self.virtual_cap = virtual_cap
        self.cpu_hog_seconds = cpu_hog_seconds
        # As many runs at once as the launcher has slots (one per core where it has none),
        # shared fairly between owners (runner/fair.py).
        self._slots = getattr(self.launcher, "slots", None) or slot_count(None)
        self._per_owner = per_owner
        self._gate_pid = os.getpid()
        self.gate = FairGate(self._slots, per_owner)

    def run(
        self,
        source: str,
        spec: dict[str, Any] | None = None,
        real_time: bool = False,
        timeout: float | None = None,
        owner: Hashable | None = None,
    ) -> dict[str, Any]:
        """Run source as a program; with a spec, also judge it (adds `passed` and `checks`).

        owner (the learner, say) shares the slots fairly with other owners: waiting runs are
        served round-robin across owners, and one owner never holds more than its share of
        the slots. Raises checks.SpecError for a spec that cannot be checked, before running
        anything.
        """
        if spec is not None:
            validate(spec)
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
            outcome = self.launcher.launch(encode(request), limits)
        verdict = assemble(outcome, nonce, self.launcher.name, limits.wall_seconds)
        if spec is not None:
            results = evaluate(spec, verdict, source)
            verdict["passed"] = all(result["passed"] for result in results)
            verdict["checks"] = results
        return fit(verdict)

    def close(self) -> None:
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
