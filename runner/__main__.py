"""Command line: `python -m runner run FILE`, `python -m runner check FILE --spec SPEC` and
`python -m runner pythons` (the interpreters found here, as JSON)."""

from __future__ import annotations

import argparse
import json
import sys

from runner.checks import SpecError
from runner.launchers.choice import default_python
from runner.messages import with_text
from runner.pythons import PythonNotFound, describe, discover
from runner.runner import Runner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runner", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
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
        return 2
    # The English text of every message beside its code (the API gives codes and params only).
    json.dump(with_text(verdict), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
