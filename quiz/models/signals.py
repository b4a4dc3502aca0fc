"""Signal receivers: the daily counts follow every review and graded run saved or deleted;
a SQLite database file is readable by its owner only."""

from __future__ import annotations

import os
import stat
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from quiz.models import CheckDay, Review, ReviewDay, Run


@receiver(post_delete, sender=Run)
def uncount_deleted_run(sender: type[Run], instance: Run, **kwargs: Any) -> None:
    """A deleted graded run no longer counts, as it no longer did when figures read the runs."""
    graded = instance.kind == Run.Kind.CHECK and not instance.practice
    if graded and instance.status == Run.Status.DONE:
        CheckDay.add(instance, instance.verdict, sign=-1)


@receiver(pre_save, sender=Review)
def uncount_changed_review(sender: type[Review], instance: Review, **kwargs: Any) -> None:
    """An edited review (the admin) is taken out as it was, and counted again as saved."""
    if instance.pk and not kwargs.get("raw"):
        old = Review.objects.filter(pk=instance.pk).first()
        if old is not None:
            ReviewDay.add(old, sign=-1)


@receiver(post_save, sender=Review)
def count_saved_review(
    sender: type[Review], instance: Review, created: bool, **kwargs: Any
) -> None:
    """Every review saved counts, as every review stored counted when figures read them all.

    Fixtures being loaded (raw) bring their ReviewDay rows with them."""
    if kwargs.get("raw"):
        return
    # An edited review is counted as stored: a save of some fields leaves the others as they were.
    saved = instance if created else Review.objects.filter(pk=instance.pk).first()
    if saved is not None:
        ReviewDay.add(saved)


@receiver(post_delete, sender=Review)
def uncount_deleted_review(sender: type[Review], instance: Review, **kwargs: Any) -> None:
    """A deleted review (undo, or a learner or card deleted) no longer counts."""
    ReviewDay.add(instance, sign=-1)


@receiver(connection_created)
def owner_only_sqlite_file(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Make the SQLite file (created by the first connection) owner-only: 0600.

    SQLite gives its journal and WAL files the database file's permissions.
    """
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    name = str(connection.settings_dict["NAME"])
    if os.path.isfile(name) and stat.S_IMODE(os.stat(name).st_mode) & 0o077:
        os.chmod(name, 0o600)
