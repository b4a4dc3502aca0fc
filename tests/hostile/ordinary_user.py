"""Run the whole hostile catalogue as whoever starts this (an ordinary user) and print problems.

`python3 -m tests.hostile.ordinary_user` from the checkout prints one JSON object: the uid it
ran as, and "problems" mapping "path-case" to what went wrong ({} when every attack was
contained). Stdlib only, so it runs
under /usr/bin/python3 as an unprivileged uid that cannot reach the project's virtualenv.
"""

from __future__ import annotations

import json
import os

from runner import Runner, bwrap_available
from runner.launchers import Launcher
from runner.launchers.bwrap import BwrapLauncher
from runner.launchers.warm import WarmPool
from tests.hostile.caps import CAP_LIMITS, CPU_SPREAD, MEMFD_HOARD, REFUSED_CALLS
from tests.hostile.catalogue import CATALOGUE
from tests.hostile.host import HOSTILE_LIMITS, host_problems, open_listeners, run_case
from tests.hostile.snippets import SECRET, problems


def report(uid: int, problems: dict[str, list[str]]) -> None:
    print(json.dumps({"uid": uid, "problems": problems}))


def main() -> None:
    uid = os.getuid()
    os.environ["SECRET_KEY"] = SECRET
    if not bwrap_available():
        report(uid, {"bwrap": ["bubblewrap does not work for this user"]})
        return
    found: dict[str, list[str]] = {}
    launchers: list[tuple[str, Launcher]] = [("warm", WarmPool()), ("cold", BwrapLauncher())]
    with open_listeners() as listeners:
        for path, launcher in launchers:
            with Runner(launcher=launcher, limits=HOSTILE_LIMITS) as runner:
                for case in CATALOGUE:
                    verdict, then = run_case(runner, case, listeners)
                    wrong = problems(case, verdict, then) + host_problems(runner, listeners)
                    if wrong:
                        found[f"{path}-{case.name}"] = wrong
                runner.limits = CAP_LIMITS
                for name, wrong in cap_problems(runner).items():
                    found[f"{path}-{name}"] = wrong
    report(uid, found)


def cap_problems(runner: Runner) -> dict[str, list[str]]:
    """The caps without a cgroup (an ordinary user has none): memfds refused, CPU time summed
    over the run's processes, the allow-list as for root."""
    found = {}
    hoard = runner.run(MEMFD_HOARD)
    if hoard["status"] != "error" or "memfd_create" not in hoard["stderr"]:
        found["memfd_hoard"] = [f"{hoard['status']} {hoard['stderr'][-200:]!r}"]
    spread = runner.run(CPU_SPREAD)
    if (spread["status"], (spread["error"] or {}).get("code")) != ("killed", "killed_cpu_total"):
        found["cpu_spread"] = [f"{spread['status']} {spread['error']}"]
    if not runner.launcher.name.endswith("(memory sampled)"):
        found["accounting"] = [runner.launcher.name]
    refused = runner.run(REFUSED_CALLS)
    if refused["stdout"] != "refused\n":
        found["refused_calls"] = [f"{refused['stdout']!r} {refused['stderr'][-200:]!r}"]
    return found


if __name__ == "__main__":
    main()
