"""Command line: `python -m runner run FILE`, `python -m runner check FILE --spec SPEC` and
`python -m runner pythons` (the interpreters found here, as JSON).

`run` and `check` always print one JSON verdict: exit code 0 when the program ran (whatever it
did), 2 when it could not be run (an unreadable file, a bad spec, an interpreter not here; the
verdict's error says why). Every sandbox process the run started has ended and been reaped
before the command exits.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from types import FrameType
from typing import Any, NoReturn

from runner.checks import SpecError
from runner.launchers.choice import default_python
from runner.launchers.sandbox import become_subreaper, reap_all
from runner.messages import with_text
from runner.pythons import PythonNotFound, describe, discover
from runner.runner import Runner
from runner.verdict import refusal


def _stop(number: int, frame: FrameType | None) -> None:
    # Unwind through Runner.close(), which ends and reaps the sandboxes.
    raise SystemExit(128 + number)


class _Parser(argparse.ArgumentParser):
    """Usage errors become a verdict too (exit code 2), not only a message on stderr."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        write(refusal(message))
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m runner", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, text in (("run", "run a program"), ("check", "run a program and check it")):
        command = commands.add_parser(name, help=text)
        command.add_argument("file", help="the Python file to run")
        command.add_argument("--real-time", action="store_true", help="use the ordinary clock")
        command.add_argument("--timeout", type=float, help="wall-clock limit in seconds")
        command.add_argument(
            "--python", help='the interpreter: "3.13", "3.13.0" or a path (see `pythons`)'
        )
        if name == "check":
            command.add_argument("--spec", required=True, help="a JSON file with the checks")
    commands.add_parser("pythons", help="list the interpreters found here (JSON)")
    args = parser.parse_args(argv)
    if args.command == "pythons":
        json.dump(describe(discover(), default_python()), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    signal.signal(signal.SIGTERM, _stop)
    # Orphans of every sandbox (even the availability probe's) come to us, to be reaped below.
    become_subreaper()
    code = 0
    try:
        with open(args.file, encoding="utf-8") as file:
            source = file.read()
        spec = None
        if args.command == "check":
            with open(args.spec, encoding="utf-8") as file:
                spec = json.load(file)
        with Runner(python=args.python) as runner:
            verdict = runner.run(source, spec=spec, real_time=args.real_time, timeout=args.timeout)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, SpecError, PythonNotFound) as error:
        print(f"python -m runner: {error}", file=sys.stderr)
        verdict, code = refusal(str(error)), 2
    except Exception as error:  # noqa: BLE001 - a verdict, not a traceback, whatever failed
        print(f"python -m runner: {type(error).__name__}: {error}", file=sys.stderr)
        verdict, code = refusal(f"{type(error).__name__}: {error}"), 2
    reap_all()
    write(verdict)
    return code


def write(verdict: dict[str, Any]) -> None:
    """The verdict as UTF-8 JSON, with the English text of every message beside its code (the
    API gives codes and params only); whatever stdout's encoding, nothing is left unprintable."""
    data = json.dumps(with_text(verdict), ensure_ascii=False, indent=2) + "\n"
    sys.stdout.flush()
    sys.stdout.buffer.write(data.encode("utf-8", "backslashreplace"))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    sys.exit(main())
