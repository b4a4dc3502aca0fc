"""Per-learner FSRS parameters fitted on their own reviews with fsrs-rs, as Celery tasks."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

from quiz.models import FittedParameters, Review

# Below this many reviews the optimizer mostly returns the defaults; fsrs-rs needs a history.
MIN_REVIEWS = 400
FITTED = "fitted"
TOO_FEW = "too few reviews"


def review_items(user_id: int) -> tuple[list[FSRSItem], int]:
    """The learner's history as fsrs-rs items: one per review a day or more after the last.

    Each item is a card's reviews up to one answer, with whole days between them; this task
    is the one place that reads the review log row by row, and it streams it.
    """
    rows = (
        Review.objects.filter(user_id=user_id)
        .order_by("card_id", "reviewed_at", "pk")
        .values_list("card_id", "rating", "reviewed_at")
        .iterator(chunk_size=5000)
    )
    items: list[FSRSItem] = []
    count = 0
    for _card, reviews in groupby(rows, key=lambda row: row[0]):
        history: list[FSRSReview] = []
        previous: date | None = None
        for _, rating, reviewed_at in reviews:
            day = timezone.localdate(reviewed_at)
            gap = (day - previous).days if previous else 0
            history.append(FSRSReview(rating, gap))
            previous = day
            count += 1
            # fsrs-rs predicts reviews a day or more after the last; same-day steps lead up to them.
            if gap > 0:
                items.append(FSRSItem(list(history)))
    return items, count


def fit(user_id: int) -> FittedParameters | None:
    """Fit and store the learner's parameters with both log losses; None when too few reviews."""
    items, count = review_items(user_id)
    if count < MIN_REVIEWS:
        return None
    parameters = list(FSRS(DEFAULT_PARAMETERS).compute_parameters(items))
    default_loss = FSRS(DEFAULT_PARAMETERS).evaluate(items).log_loss
    fitted_loss = FSRS(parameters).evaluate(items).log_loss
    fitted, _ = FittedParameters.objects.update_or_create(
        user_id=user_id,
        defaults={
            "parameters": parameters,
            "reviews": count,
            "log_loss_default": default_loss,
            "log_loss_fitted": fitted_loss,
            "fitted_at": timezone.now(),
        },
    )
    return fitted


@shared_task(ignore_result=False)
def fit_learner(user_id: int) -> str:
    """On demand (the staff button) and from `fit_all_learners`."""
    return FITTED if fit(user_id) else TOO_FEW


@shared_task
def fit_all_learners() -> int:
    """Weekly (celery beat): queue a fit for every learner with enough reviews."""
    users = (
        get_user_model()
        .objects.annotate(n=Count("review"))
        .filter(n__gte=MIN_REVIEWS)
        .values_list("pk", flat=True)
    )
    queued = 0
    for user_id in users:
        fit_learner.delay(user_id)
        queued += 1
    return queued
