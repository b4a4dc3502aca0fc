"""Per-learner FSRS parameters fitted on their own reviews with fsrs-rs, as Celery tasks.

A fit learns the parameters on the reviews of three quarters of the learner's cards and measures
them, beside the default parameters, on the reviews of the other quarter (held out of the fit,
chosen by card id): the fitted parameters then
schedule the learner's cards while they predict those reviews better (a lower log loss), and the
defaults do otherwise. Cards keep their memory state; only their next intervals change.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count
from django.utils import timezone
from fsrs import Scheduler
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

from quiz.models import FittedParameters, Review
from quiz.study.scheduling import learner_day, learner_settings, parameters_for

# Below this many reviews the optimizer mostly returns the defaults; fsrs-rs needs a history.
MIN_REVIEWS = 400
# This share of the learner's cards (chosen by id) is held out of the fit to judge it, and
# fitted parameters are only trusted when at least this many of their reviews judged them.
HELD_OUT_SHARE = 0.25
MIN_HELD_OUT = 50
FITTED = "fitted"
TOO_FEW = "too few reviews"


def review_items(user_id: int) -> tuple[list[tuple[int, FSRSItem]], int]:
    """The learner's history as fsrs-rs items, each with its card's id:
    one per review a day or more after the last, and the number of reviews read.

    Each item is a card's reviews up to one answer, with whole days (the learner's days) between
    them; this task is the one place that reads the review log row by row, and it streams it.
    """
    day = learner_day(get_user_model().objects.filter(pk=user_id).first())
    rows = (
        Review.objects.filter(user_id=user_id)
        .order_by("card_id", "reviewed_at", "pk")
        .values_list("card_id", "rating", "reviewed_at")
        .iterator(chunk_size=5000)
    )
    items: list[tuple[int, FSRSItem]] = []
    count = 0
    for card_id, reviews in groupby(rows, key=lambda row: row[0]):
        history: list[FSRSReview] = []
        previous: date | None = None
        for _, rating, reviewed_at in reviews:
            today = day.date_of(reviewed_at)
            gap = (today - previous).days if previous else 0
            history.append(FSRSReview(rating, gap))
            previous = today
            count += 1
            # fsrs-rs predicts reviews a day or more after the last; same-day steps lead up to them.
            if gap > 0:
                items.append((card_id, FSRSItem(list(history))))
    return items, count


def held_out_card(card_id: int) -> bool:
    """Whether a card's reviews judge the fit rather than feed it: a fixed HELD_OUT_SHARE of
    cards, spread over the deck by a multiplicative hash of the id."""
    return (card_id * 2654435761) % 1000 < HELD_OUT_SHARE * 1000


def split(items: list[tuple[int, FSRSItem]]) -> tuple[list[FSRSItem], list[FSRSItem]]:
    """The items to fit on and the items to judge on."""
    train = [item for card, item in items if not held_out_card(card)]
    return train, [item for card, item in items if held_out_card(card)]


def usable(parameters: list[float]) -> bool:
    """Whether the `fsrs` package schedules with these parameters (they are within its bounds)."""
    try:
        Scheduler(parameters=parameters)
    except ValueError:
        return False
    return True


def fit(user_id: int) -> FittedParameters | None:
    """Fit the learner's parameters on their older reviews, judge them and the defaults on the
    latest, store both log losses and whether the fitted ones now schedule; None when there are
    too few reviews."""
    items, count = review_items(user_id)
    if count < MIN_REVIEWS:
        return None
    train, held_out = split(items)
    if not train or not held_out:
        return None
    parameters = list(FSRS(DEFAULT_PARAMETERS).compute_parameters(train))
    default_loss = FSRS(DEFAULT_PARAMETERS).evaluate(held_out).log_loss
    fitted_loss = FSRS(parameters).evaluate(held_out).log_loss
    better = len(held_out) >= MIN_HELD_OUT and fitted_loss < default_loss and usable(parameters)
    now = timezone.now()
    before = FittedParameters.objects.filter(user_id=user_id).first()
    since = None
    if better:
        since = before.in_use_since if before and before.in_use and before.in_use_since else now
    fitted, _ = FittedParameters.objects.update_or_create(
        user_id=user_id,
        defaults={
            "parameters": parameters,
            "reviews": count,
            "held_out": len(held_out),
            "log_loss_default": default_loss,
            "log_loss_fitted": fitted_loss,
            "fitted_at": now,
            "in_use": better,
            "in_use_since": since,
        },
    )
    return fitted


def status(user: AbstractBaseUser) -> dict[str, Any]:
    """What schedules the learner's cards, and why (what `fsrsstatus` prints)."""
    fitted = FittedParameters.objects.filter(user=user).first()
    in_use = parameters_for(user) is not None
    return {
        "parameters": FITTED if in_use else "default",
        "log_loss_default": fitted.log_loss_default if fitted else None,
        "log_loss_fitted": fitted.log_loss_fitted if fitted else None,
        "reviews": fitted.reviews if fitted else Review.objects.filter(user=user).count(),
        "held_out": fitted.held_out if fitted else 0,
        "since": fitted.in_use_since.isoformat() if in_use and fitted.in_use_since else None,
        "opted_out": not learner_settings(user).use_fitted_parameters,
    }


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
