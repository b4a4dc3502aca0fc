"""Make sure the demo accounts exist (development only) and print how to log in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from quiz.roles import TEACHER_GROUP

DEMO_ACCOUNTS = [
    # username, password, teacher, staff
    ("demo", "demo-learner", False, False),
    ("teacher", "demo-teacher", True, False),
    ("admin", "demo-admin", True, True),
]


class Command(BaseCommand):
    help = "Create the demo learner, teacher and staff accounts if missing (DEBUG only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts have known passwords: only with DEBUG=1.")
        teachers = Group.objects.get(name=TEACHER_GROUP)
        for username, password, teacher, staff in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.is_staff = user.is_superuser = staff
                user.save()
                if teacher:
                    user.groups.add(teachers)
            self.stdout.write(f"  {username:8} / {password:13} {'(created)' if created else ''}")
        self.stdout.write("Log in at http://127.0.0.1:8000/ with one of the accounts above.")
