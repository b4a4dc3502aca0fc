"""Progress pages: a learner's own, a teacher's per deck, staff's cohort, and CSV exports."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from celery.result import EagerResult
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from fsrs_rs_python import DEFAULT_PARAMETERS

from quiz import roles
from quiz.models import (
    Deck,
    FittedParameters,
    PersonalRetention,
    Progress,
    Review,
    Run,
    Status,
)
from quiz.progress import charts, fitting, workload
from quiz.progress import figures as progress
from quiz.roles import staff_required, teacher_required
from quiz.study import scheduling

LEARNERS_PER_PAGE = 50


def tag_label(tag: str) -> str:
    """A card tag as a topic name: "topic-5" is "Topic 5", "to-thread" is "To thread"."""
    match = re.fullmatch(r"topic-(\d+)", tag)
    if match:
        return _("Topic %(n)s") % {"n": match.group(1)}
    words = tag.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


# --- Learner ---------------------------------------------------------------------------------


@login_required
def my_progress(request: HttpRequest) -> HttpResponse:
    return render_learner(request, request.user)


@staff_required
def learner_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """Staff's drill-down: the page the learner sees, plus their FSRS health."""
    learner = get_object_or_404(get_user_model(), pk=user_id)
    return render_learner(request, learner, staff_view=True)


def render_learner(
    request: HttpRequest, learner: AbstractBaseUser, staff_view: bool = False
) -> HttpResponse:
    fit = FittedParameters.objects.filter(user=learner).first()
    opted_out = not scheduling.learner_settings(learner).use_fitted_parameters
    own_parameters = bool(fit and fit.in_use and not opted_out)
    weights = list(fit.parameters) if fit and own_parameters else None
    figures = progress.learner_progress(learner, parameters=weights)
    states = figures.states
    total = sum(states.values())
    context: dict[str, Any] = {
        "learner": learner,
        "figures": figures,
        "staff_view": staff_view,
        "seen": total - states["new"],
        "total_cards": total,
        "mature_days": progress.MATURE_DAYS,
        "heatmap": charts.heatmap(figures.review_days, figures.today),
        "months": month_totals(figures.review_days, figures.today),
        "forecast": day_bars(figures.forecast),
        "states": charts.percent_bars(
            [
                (label, states[key] / total if total else None, str(states[key]))
                for key, label in STATE_LABELS
            ]
        ),
        "state_rows": [(label, states[key]) for key, label in STATE_LABELS],
        "topics": charts.percent_bars(
            [
                (
                    tag_label(topic.tag),
                    topic.recall,
                    _("%(seen)d of %(cards)d seen") % {"seen": topic.seen, "cards": topic.cards},
                )
                for topic in figures.topics
            ]
        ),
        "retention": [
            (row, retention_chart(row.retention, row.deck.desired_retention))
            for row in figures.retention
        ],
        "runs": [(run, progress.failed_checks(run.verdict)) for run in figures.runs],
    }
    context["fit"] = fit
    context["own_parameters"] = own_parameters
    context["opted_out"] = opted_out
    context["min_reviews"] = fitting.MIN_REVIEWS
    if staff_view:
        context["reviews"] = Review.objects.filter(user=learner).count()
    else:
        context.update(workload_context(request, learner, weights))
    return render(request, "quiz/progress/learner.html", context)


def workload_context(
    request: HttpRequest, learner: AbstractBaseUser, weights: list[float] | None
) -> dict[str, Any]:
    """The workload simulator for one of the learner's decks (?deck=slug, else the first)."""
    decks = list(
        Deck.objects.studyable()
        .annotate(
            studyable=Count(
                "cards",
                filter=Q(cards__retired_at__isnull=True, cards__status=Status.PUBLISHED),
            )
        )
        .prefetch_related("texts")
    )
    if not decks:
        return {}
    deck = next((d for d in decks if d.slug == request.GET.get("deck")), decks[0])
    points = workload.workload(deck, learner, weights or list(DEFAULT_PARAMETERS), deck.studyable)
    own = PersonalRetention.objects.filter(user=learner, deck=deck).first()
    current = own.desired_retention if own else deck.desired_retention
    nearest = min(range(len(points)), key=lambda i: abs(points[i].retention - current))
    chart = charts.line_chart(
        [f"{round(point.retention * 100)} %" for point in points],
        [
            (
                _("next %(days)d days") % {"days": span},
                f"line{n}",
                [round(point.reviews_per_day[span], 1) for point in points],
            )
            for n, span in enumerate(workload.SPANS)
        ],
        marker=nearest,
    )
    return {
        "workload_decks": decks,
        "workload_deck": deck,
        "workload": points,
        "workload_chart": chart,
        "workload_spans": workload.SPANS,
        "retention_now": current,
        "retention_own": own is not None,
        "retention_form": RetentionForm(initial={"retention": f"{points[nearest].retention:.2f}"}),
    }


class RetentionForm(forms.Form):
    retention = forms.ChoiceField(
        label=gettext_lazy("Desired retention"),
        choices=[("", gettext_lazy("The deck's own"))]
        + [(f"{r:.2f}", f"{round(r * 100)} %") for r in workload.RETENTIONS],
        required=False,
    )


@login_required
@require_POST
def set_retention(request: HttpRequest, slug: str) -> HttpResponse:
    """The learner's own desired retention for a deck, chosen from the simulator."""
    deck = get_object_or_404(Deck.objects.studyable(), slug=slug)
    form = RetentionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose a retention from the list."), status=400)
    chosen = form.cleaned_data["retention"]
    if chosen:
        PersonalRetention.objects.update_or_create(
            user=request.user, deck=deck, defaults={"desired_retention": float(chosen)}
        )
        messages.success(
            request,
            _("Your cards of %(deck)s are now scheduled for %(percent)d %% retention.")
            % {"deck": deck.title, "percent": round(float(chosen) * 100)},
        )
    else:
        PersonalRetention.objects.filter(user=request.user, deck=deck).delete()
        messages.success(request, _("Your cards of %(deck)s use the deck's retention again.")
                         % {"deck": deck.title})  # fmt: skip
    return redirect(f"{reverse('progress')}?deck={deck.slug}#workload")


def day_bars(points: list[tuple[date, int]]) -> charts.BarChart:
    return charts.bar_chart([(date_format(day, "MONTH_DAY_FORMAT"), n) for day, n in points])


def retention_chart(retention: progress.Retention, target: float | None) -> charts.HBarChart:
    rows = [
        (_("Young cards"), retention.young),
        (_("Mature cards"), retention.mature),
        (_("All cards"), retention.overall),
    ]
    return charts.percent_bars(
        [
            (
                label,
                ratio.share,
                _("%(part)d of %(whole)d reviews") % {"part": ratio.part, "whole": ratio.whole},
            )
            for label, ratio in rows
        ],
        target=target,
    )


STATE_LABELS = [
    ("new", gettext_lazy("New")),
    ("learning", gettext_lazy("Learning")),
    ("review", gettext_lazy("Review")),
    ("relearning", gettext_lazy("Relearning")),
]


def month_totals(days: dict[Any, int], today: Any) -> list[tuple[Any, int]]:
    """Reviews per month over the heatmap's year: the heatmap's table for screen readers."""
    first = today - timedelta(days=progress.HEATMAP_DAYS - 1)
    totals: dict[Any, int] = {}
    month = first.replace(day=1)
    while month <= today:
        totals[month] = 0
        month = (month + timedelta(days=32)).replace(day=1)
    for day, n in days.items():
        if first <= day <= today:
            totals[day.replace(day=1)] += n
    return list(totals.items())


@staff_required
@require_POST
def fit_parameters(request: HttpRequest, user_id: int) -> HttpResponse:
    learner = get_object_or_404(get_user_model(), pk=user_id)
    outcome = fitting.fit_learner.delay(learner.pk)
    if not isinstance(outcome, EagerResult):
        messages.info(request, _("Fitting has started; reload this page in a minute."))
    elif outcome.result == fitting.FITTED:
        messages.success(request, _("Parameters fitted."))
    else:
        messages.warning(
            request,
            _("Not enough reviews to fit yet: %(min)d are needed.") % {"min": fitting.MIN_REVIEWS},
        )
    return redirect("learner_progress", user_id=learner.pk)


# --- Teacher ---------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        coerce=int,
        required=False,
        empty_value=30,
        initial=30,
        choices=[
            (7, gettext_lazy("Last 7 days")),
            (30, gettext_lazy("Last 30 days")),
            (90, gettext_lazy("Last 90 days")),
            (365, gettext_lazy("Last 12 months")),
            (0, gettext_lazy("All time")),
        ],
    )


@teacher_required
def deck_index(request: HttpRequest) -> HttpResponse:
    decks = list(roles.readable_decks(request.user).prefetch_related("texts"))
    learners = {
        row["card__deck"]: row["n"]
        for row in Progress.objects.filter(card__deck__in=decks)
        .values("card__deck")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    }
    rows = [(deck, learners.get(deck.pk, 0)) for deck in decks]
    return render(request, "quiz/progress/decks.html", {"rows": rows})


@teacher_required
def deck_detail(request: HttpRequest, slug: str) -> HttpResponse:
    deck = get_object_or_404(
        roles.readable_decks(request.user).prefetch_related("texts"), slug=slug
    )
    form = PeriodForm(request.GET or None)
    days = form.cleaned_data["days"] if form.is_valid() else 30
    since = timezone.now() - timedelta(days=days) if days else None
    insights = progress.deck_insights(deck, since)
    return render(
        request,
        "quiz/progress/deck.html",
        {"deck": deck, "form": form, "insights": insights, "days": days},
    )


# --- Staff -----------------------------------------------------------------------------------


class ExportForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    deck = forms.ModelChoiceField(
        label=gettext_lazy("Deck"),
        queryset=Deck.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("All decks"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filter(self, queryset: QuerySet[Any], moment: str) -> QuerySet[Any]:
        """Rows whose `moment` falls within the chosen days (both inclusive) and deck."""
        data = self.cleaned_data
        if data.get("start"):
            queryset = queryset.filter(**{f"{moment}__gte": progress.day_start(data["start"])})
        if data.get("end"):
            end = progress.day_start(data["end"] + timedelta(days=1))
            queryset = queryset.filter(**{f"{moment}__lt": end})
        if data.get("deck"):
            queryset = queryset.filter(card__deck=data["deck"])
        return queryset


@staff_required
def cohort(request: HttpRequest) -> HttpResponse:
    figures = progress.cohort()
    sort = request.GET.get("sort", "last_active")
    if sort not in progress.LEARNER_SORTS:
        sort = "last_active"
    descending = request.GET.get("order", "desc") != "asc"
    table = progress.learner_table(sort=sort, descending=descending)
    page = Paginator(table, LEARNERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "quiz/progress/cohort.html",
        {
            "figures": figures,
            "reviews_chart": day_bars([(d.day, d.reviews) for d in figures.days]),
            "learners_chart": day_bars([(d.day, d.learners) for d in figures.days]),
            "retention_chart": retention_chart(figures.retention, None),
            "page": page,
            "sort": sort,
            "descending": descending,
            "columns": SORTABLE_COLUMNS,
            "export_form": ExportForm(),
        },
    )


SORTABLE_COLUMNS = [
    ("name", gettext_lazy("Learner")),
    ("last_active", gettext_lazy("Last active")),
    ("reviews", gettext_lazy("Reviews, 30 days")),
    ("retention", gettext_lazy("True retention, 30 days")),
    ("overdue", gettext_lazy("Overdue cards")),
]


class Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def csv_response(name: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (a name like "=cmd()") is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export_form(request: HttpRequest) -> ExportForm | HttpResponse:
    form = ExportForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(
            _("The export could not be made: %(problems)s") % {"problems": problems},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return form


@staff_required
def export_reviews(request: HttpRequest) -> HttpResponse:
    form = _export_form(request)
    if isinstance(form, HttpResponse):
        return form
    rows = (
        form.filter(Review.objects.all(), "reviewed_at")
        .order_by("reviewed_at", "pk")
        .values_list(
            "pk",
            "user__username",
            "card__deck__slug",
            "card__key",
            "rating",
            "reviewed_at",
            "duration_ms",
            "state_before",
            "answer",
        )
        .iterator(chunk_size=2000)
    )
    header = ["review", "learner", "deck", "card", "rating", "reviewed_at", "duration_ms",
              "state_before", "answer"]  # fmt: skip
    return csv_response(
        f"reviews-{timezone.localdate():%Y%m%d}.csv",
        header,
        ([*row[:5], row[5].isoformat(), row[6], row[7] or "", _json_cell(row[8])] for row in rows),
    )


@login_required
def export_my_reviews(request: HttpRequest) -> HttpResponse:
    """A learner's own review log, times in their time zone."""
    # The rows stream after the request's time zone is deactivated: keep it.
    zone = timezone.get_current_timezone()
    rows = (
        Review.objects.filter(user=request.user)
        .order_by("reviewed_at", "pk")
        .values_list(
            "card__deck__slug",
            "card__key",
            "rating",
            "reviewed_at",
            "duration_ms",
            "state_before",
            "answer",
        )  # fmt: skip
        .iterator(chunk_size=2000)
    )
    header = ["deck", "card", "rating", "reviewed_at", "duration_ms", "state_before", "answer"]
    return csv_response(
        f"my-reviews-{timezone.localdate():%Y%m%d}.csv",
        header,
        (
            [
                *row[:3],
                row[3].astimezone(zone).isoformat(),
                row[4],
                row[5] or "",
                _json_cell(row[6]),
            ]  # fmt: skip
            for row in rows
        ),
    )


@staff_required
def export_runs(request: HttpRequest) -> HttpResponse:
    form = _export_form(request)
    if isinstance(form, HttpResponse):
        return form
    rows = (
        form.filter(Run.objects.all(), "created_at")
        .order_by("created_at", "pk")
        .values_list(
            "pk",
            "user__username",
            "card__deck__slug",
            "card__key",
            "kind",
            "status",
            "passed",
            "verdict",
            "error",
            "created_at",
            "finished_at",
        )
        .iterator(chunk_size=500)
    )
    header = ["run", "learner", "deck", "card", "kind", "status", "passed", "failed_checks",
              "error", "created_at", "finished_at"]  # fmt: skip
    return csv_response(
        f"runs-{timezone.localdate():%Y%m%d}.csv",
        header,
        (
            [
                *row[:6],
                "" if row[6] is None else str(row[6]).lower(),
                ";".join(progress.failed_checks(row[7])),
                row[8],
                row[9].isoformat(),
                row[10].isoformat() if row[10] else "",
            ]
            for row in rows
        ),
    )


def _json_cell(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)
