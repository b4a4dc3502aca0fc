"""Fit learners' FSRS parameters now and switch each to them when they beat the defaults."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from quiz.progress import fitting


class Command(BaseCommand):
    help = (
        "Fit the named learners' FSRS parameters (every learner with enough reviews when none is "
        "named); a learner's fitted parameters schedule their cards when they beat the defaults "
        "on the learner's latest reviews."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="*", metavar="USERNAME")

    def handle(self, *args: Any, usernames: list[str], **options: Any) -> None:
        users = get_user_model().objects.order_by("username")
        if usernames:
            found = users.filter(username__in=usernames)
            missing = sorted(set(usernames) - {user.get_username() for user in found})
            if missing:
                raise CommandError(f"No such learner: {', '.join(missing)}")
            chosen = list(found)
        else:
            chosen = list(users.annotate(n=Count("review")).filter(n__gte=fitting.MIN_REVIEWS))
        for user in chosen:
            fitted = fitting.fit(user.pk)
            if fitted is None:
                self.stdout.write(
                    f"{user.get_username()}: too few reviews (fitting needs {fitting.MIN_REVIEWS})"
                )
                continue
            verdict = "fitted parameters in use" if fitted.in_use else "defaults kept"
            self.stdout.write(
                f"{user.get_username()}: {verdict} — log loss {fitted.log_loss_fitted:.4f} "
                f"fitted vs {fitted.log_loss_default:.4f} default on {fitted.held_out} held-out "
                f"of {fitted.reviews} reviews"
            )
