"""Code card views: submit the editor's code as a run or a check, and poll the run's status."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from quiz.models import Presentation, Run
from quiz.runs import notify, service
from quiz.runs.presenters import ReferenceRun, code_context, graded_context
from quiz.study import reads


class CodeForm(forms.Form):
    code = forms.CharField(strip=False, max_length=50_000)
    action = forms.ChoiceField(choices=Run.Kind.choices)


@login_required
@require_POST
def submit(request: HttpRequest, token: str) -> HttpResponse:
    """Run (output only) or Check (the card's checks) the code in the editor."""
    presentation = reads.presentation(token, request.user, shown=True)
    if presentation is None or presentation.card.kind != "code":
        raise Http404
    if presentation.answered_at:
        return _refuse(request, presentation, _("This card was already answered."), status=409)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _refuse(request, presentation, _("There is no code to run."), status=400)
    try:
        run = service.submit(
            request.user,
            presentation.card,
            form.cleaned_data["code"],
            form.cleaned_data["action"],
            presentation,
        )
    except service.RunRefused as refused:
        return _refuse(request, presentation, str(refused), status=refused.status)

    # Run eagerly, it has finished; through a worker, the verdict is usually saved within a tenth
    # of a second: answer with it.
    def finished() -> bool:
        run.refresh_from_db(fields=service.OUTCOME_FIELDS)
        return run.finished

    notify.wait_for(run.run_id, finished, settings.CODE_RUN_WAIT)
    if not request.htmx:
        return redirect("study", slug=presentation.card.deck.slug)
    return show_run(request, run)


@login_required
@require_GET
def run_status(request: HttpRequest, run_id: str) -> HttpResponse:
    """The run's fragment: "running…" (polled again) until its verdict or error is in."""
    run = get_object_or_404(
        Run.objects.select_related("presentation__card__deck"), run_id=run_id, user=request.user
    )
    if run.presentation is None:
        raise Http404
    if not run.finished:
        service.sweep_stale(run_id=run.run_id)
        run.refresh_from_db(fields=service.OUTCOME_FIELDS)
    if not request.htmx:
        return redirect("study", slug=run.presentation.card.deck.slug)
    return show_run(request, run, poll=_poll_number(request))


@login_required
@require_GET
def reference_status(request: HttpRequest, token: str) -> HttpResponse:
    """The reference solution's run, after the card's graded check: "running…" (polled again)
    until its verdict is in."""
    presentation = get_object_or_404(
        Presentation.objects.select_related("card__deck"),
        token=token,
        user=request.user,
        card__kind="code",
        correct__isnull=False,
    )
    if not request.htmx:
        return redirect("study", slug=presentation.card.deck.slug)
    content = presentation.card.text().content
    reference = ReferenceRun(presentation, content, poll=_poll_number(request))
    context = {"presentation": presentation, "card": presentation.card, "reference": reference}
    return render(request, "quiz/study.html#reference", context)


def _poll_number(request: HttpRequest) -> int:
    try:
        return max(0, min(int(request.GET.get("poll", 0)), 20))
    except ValueError:
        return 0


def show_run(request: HttpRequest, run: Run, poll: int = 0) -> HttpResponse:
    """The run's verdict; the graded check's also turns the card over: its result, the
    reference solution, the editor for practice and the rating buttons come out of band, and
    the rest of the card (the editor and what the learner typed) stays as it is."""
    presentation = run.presentation
    assert presentation is not None
    # What the worker's graded check writes (the card and its text, as read, stay).
    presentation.refresh_from_db(fields=["answer", "correct", "checked_at", "outcomes"])
    if run.kind == Run.Kind.CHECK and run.finished and presentation.correct is not None:
        context = graded_context(presentation, run, poll)
        return render(request, "quiz/study.html#checked", context)
    context = {"presentation": presentation, "card": presentation.card}
    context.update(code_context(presentation, run=run, poll=poll))
    return render(request, "quiz/study.html#run", context)


def _refuse(
    request: HttpRequest, presentation: Presentation, message: str, status: int
) -> HttpResponse:
    if not request.htmx:
        messages.warning(request, message)
        return redirect("study", slug=presentation.card.deck.slug)
    context = {"presentation": presentation, "card": presentation.card, "refused": message}
    context.update(code_context(presentation))
    return render(request, "quiz/study.html#run", context, status=status)
