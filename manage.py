#!/usr/bin/env python
"""Django's command-line utility for loopdeck."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# `make run` writes this git-ignored file (development mode and a generated key) so that the
# commands the READMEs show work as written. The environment always wins, and only manage.py
# reads it: gunicorn and Celery never do, so production still refuses to start without a key.
LOCAL_SETTINGS = Path(__file__).resolve().parent / "local.env"


def read_local_settings(path: Path = LOCAL_SETTINGS) -> None:
    """Set each `NAME=value` line of `path` that the environment does not already set."""
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


def main() -> None:
    read_local_settings()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quiz.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
