"""Print, as JSON, which FSRS parameters schedule a learner's cards and why."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quiz.progress import fitting


class Command(BaseCommand):
    help = (
        'Print {"parameters": "fitted"|"default", "log_loss_default", "log_loss_fitted", '
        '"reviews", "since", ...} for a learner.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", metavar="USERNAME")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No such learner: {username}")
        self.stdout.write(json.dumps(fitting.status(user), indent=2))
