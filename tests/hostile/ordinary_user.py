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
    report(uid, found)


if __name__ == "__main__":
    main()
