"""The Author area: teachers write decks and cards, prove code cards, move decks in and out."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quiz import roles
from quiz.authoring import service as authoring
from quiz.authoring import tasks as proofs
from quiz.authoring.forms import (
    ApplyUploadForm,
    CardForm,
    CopyDeckForm,
    DeckFilesForm,
    DeckForm,
    code_text,
)
from quiz.decks.fileformat import write_deck_text
from quiz.decks.mutants import MutantProof
from quiz.decks.proof import Proof, prove
from quiz.kinds import KINDS
from quiz.models import KIND_CHOICES, Card, Deck, Source
from quiz.roles import teacher_required
from quiz.runs import timeline
from quiz.runs.presenters import describe


def _readable_deck(request: HttpRequest, slug: str) -> Deck:
    deck = get_object_or_404(Deck.objects.prefetch_related("texts"), slug=slug)
    if not roles.can_view(request.user, deck):
        raise PermissionDenied
    return deck


def _editable_deck(request: HttpRequest, slug: str) -> Deck:
    deck = _readable_deck(request, slug)
    if not roles.can_edit(request.user, deck):
        raise PermissionDenied
    return deck


@teacher_required
def home(request: HttpRequest) -> HttpResponse:
    # distinct: the co-authors join repeats each card once per co-author.
    counts = Count("cards", filter=Q(cards__retired_at__isnull=True), distinct=True)
    mine = (
        roles.editable_decks(request.user)
        .select_related("owner")
        .prefetch_related("texts")
        .annotate(n=counts)
    )
    files = Deck.objects.filter(source=Source.FILE).prefetch_related("texts").annotate(n=counts)
    return render(request, "quiz/author/home.html", {"mine": mine, "files": files})


@teacher_required
def deck_new(request: HttpRequest) -> HttpResponse:
    form = DeckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        deck = authoring.create_deck(request.user, form.cleaned_data["slug"], form.texts())
        messages.success(request, _("Deck created. Add its first card."))
        return redirect("author-deck", slug=deck.slug)
    return render(request, "quiz/author/deck_form.html", {"form": form})


@teacher_required
def deck_detail(request: HttpRequest, slug: str) -> HttpResponse:
    deck = _readable_deck(request, slug)
    cards = (
        deck.cards.active()
        .prefetch_related("texts")
        .annotate(learners=Count("progress__user", distinct=True))
    )
    context = {
        "deck": deck,
        "cards": cards,
        "editable": roles.can_edit(request.user, deck),
        "kinds": KIND_CHOICES,
    }
    return render(request, "quiz/author/deck.html", context)


@teacher_required
def deck_edit(request: HttpRequest, slug: str) -> HttpResponse:
    deck = _editable_deck(request, slug)
    form = DeckForm(request.POST or None, deck=deck)
    if request.method == "POST" and form.is_valid():
        authoring.update_deck(
            deck, form.texts(), form.deck_fields(), form.cleaned_data["coauthors"]
        )
        messages.success(request, _("Deck saved."))
        return redirect("author-deck", slug=deck.slug)
    return render(request, "quiz/author/deck_form.html", {"form": form, "deck": deck})


@teacher_required
def deck_delete(request: HttpRequest, slug: str) -> HttpResponse:
    deck = _editable_deck(request, slug)
    if request.method == "POST":
        if authoring.remove_deck(deck):
            messages.success(request, _("The deck is archived: learners no longer see it."))
        else:
            messages.success(request, _("The deck is deleted."))
        return redirect("author-home")
    learners = deck.cards.filter(progress__isnull=False).values("progress__user").distinct().count()
    context = {"deck": deck, "learners": learners, "history": authoring.has_history(deck)}
    return render(request, "quiz/author/deck_delete.html", context)


@teacher_required
def deck_copy(request: HttpRequest, slug: str) -> HttpResponse:
    deck = _readable_deck(request, slug)
    form = CopyDeckForm(request.POST or None, initial={"slug": f"{deck.slug}-copy"})
    if request.method == "POST" and form.is_valid():
        copy = authoring.copy_deck(deck, form.cleaned_data["slug"], request.user)
        messages.success(request, _("Copied. This copy is yours to edit."))
        return redirect("author-deck", slug=copy.slug)
    return render(request, "quiz/author/deck_copy.html", {"deck": deck, "form": form})


@teacher_required
def deck_download(request: HttpRequest, slug: str) -> HttpResponse:
    deck = _readable_deck(request, slug)
    response = HttpResponse(authoring.deck_zip(deck), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{deck.slug}.zip"'
    return response


@teacher_required
def deck_file(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    deck = _readable_deck(request, slug)
    source = next((s for s in authoring.deck_sources(deck) if s.language == language), None)
    if source is None:
        raise Http404
    response = HttpResponse(write_deck_text(source), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{source.path}"'
    return response


@teacher_required
def upload(request: HttpRequest) -> HttpResponse:
    """Upload deck files: first a preview of what changes, then (on a second post) apply it."""
    if request.method == "POST" and "apply" in request.POST:
        applying = ApplyUploadForm(request.POST)
        if applying.is_valid():
            plan = authoring.plan_upload(request.user, applying.files_to_apply())
            if not plan.problems:
                deck = authoring.apply_upload(request.user, plan)
                messages.success(request, _("The deck files are applied."))
                return redirect("author-deck", slug=deck.slug)
            return _upload_page(request, DeckFilesForm(), plan, {})
        messages.error(request, applying.errors.get("__all__", [""])[0])
    form = DeckFilesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        plan = authoring.plan_upload(request.user, files)
        return _upload_page(request, DeckFilesForm(), plan, files)
    return _upload_page(request, form, None, {})


def _upload_page(
    request: HttpRequest, form: DeckFilesForm, plan: Any, files: dict[str, str]
) -> HttpResponse:
    applying = ApplyUploadForm(initial={"names": list(files), "texts": list(files.values())})
    context = {"form": form, "plan": plan, "applying": applying}
    return render(request, "quiz/author/upload.html", context)


def _card_or_404(deck: Deck, key: str) -> Card:
    return get_object_or_404(deck.cards.active().prefetch_related("texts"), key=key)


@teacher_required
def card_new(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    deck = _editable_deck(request, slug)
    if kind not in KINDS:
        raise Http404
    form = CardForm(request.POST or None, deck=deck, kind=kind)
    return _card_page(request, deck, form, None)


@teacher_required
def card_edit(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    deck = _readable_deck(request, slug)
    card = _card_or_404(deck, key)
    if not roles.can_edit(request.user, deck):
        if request.method == "POST" or deck.source != Source.FILE:
            raise PermissionDenied
    form = CardForm(request.POST or None, deck=deck, kind=card.kind, card=card)
    return _card_page(request, deck, form, card)


@teacher_required
def card_delete(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    deck = _editable_deck(request, slug)
    card = _card_or_404(deck, key)
    if request.method == "POST":
        if authoring.remove_card(card):
            messages.success(request, _("The card is retired: learners no longer see it."))
        else:
            messages.success(request, _("The card is deleted."))
        return redirect("author-deck", slug=deck.slug)
    context = {"deck": deck, "card": card, "learners": authoring.learners_of(card)}
    return render(request, "quiz/author/card_delete.html", context)


def _card_page(request: HttpRequest, deck: Deck, form: CardForm, card: Card | None) -> HttpResponse:
    """Show the editor; on a valid post save, asking first before a schedule reset."""
    context: dict[str, Any] = {
        "deck": deck,
        "card": card,
        "form": form,
        "kind": form.kind,
        "kind_spec": KINDS[form.kind],
        "kind_label": KINDS[form.kind].label,
        "editable": roles.can_edit(request.user, deck),
        "learners": authoring.learners_of(card) if card else 0,
    }
    if request.method == "POST" and "run_checks" in request.POST:
        # Without JavaScript, "Run checks" posts the whole editor here: show it with the runs.
        context.update(_run_checks(request, deck, form), preview=form.preview())
        return render(request, "quiz/author/card.html", context)
    if request.method == "POST" and form.is_valid():
        keep = "keep_schedule" in request.POST
        reset = bool(form.cleaned_data.get("changes_meaning")) and not keep
        if reset and context["learners"] and not form.cleaned_data.get("confirm_reset"):
            context["confirm_reset"] = True
            form.data = form.data.copy()
            form.data["confirm_reset"] = "on"
        else:
            saved = authoring.save_card(
                deck, card, form.draft(), form.cleaned_data["publish"], reset_schedule=reset
            )
            _saved_messages(request, saved, form.cleaned_data["publish"])
            return redirect("author-card-edit", slug=deck.slug, key=saved.card.key)
    context["preview"] = form.preview()
    if card is not None and card.kind_spec.runs_snippet:
        context["expected"] = card.text().content
    return render(request, "quiz/author/card.html", context)


def _saved_messages(request: HttpRequest, saved: authoring.Saved, wanted: bool) -> None:
    if wanted and not saved.published:
        messages.warning(
            request,
            _("Saved as a draft: it cannot be published yet. %(problems)s")
            % {"problems": " ".join(saved.problems)},
        )
    elif saved.published:
        messages.success(request, _("Saved and published."))
    else:
        messages.success(request, _("Saved as a draft."))
    if saved.learners_reset:
        messages.info(
            request,
            _("The card starts over for %(n)s learners.") % {"n": saved.learners_reset},
        )


@teacher_required
@require_POST
def card_preview(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The live preview of the editor's current text, as learners will see the card."""
    deck = _editable_deck(request, slug)
    if kind not in KINDS:
        raise Http404
    form = CardForm(request.POST, deck=deck, kind=kind)
    spec = KINDS[kind]
    context = {"preview": form.preview(), "kind": kind, "kind_spec": spec, "kind_label": spec.label}
    return render(request, "quiz/author/card.html#preview", context)


@teacher_required
@require_POST
def card_run(request: HttpRequest, slug: str) -> HttpResponse:
    """Run the reference and each wrong solution as typed, side by side (nothing is saved)."""
    deck = _editable_deck(request, slug)
    form = CardForm(request.POST, deck=deck, kind="code")
    context = _run_checks(request, deck, form)
    status = 429 if context.get("refused") else 200
    return render(request, "quiz/author/card.html#runs", context, status=status)


@teacher_required
def card_run_status(request: HttpRequest, slug: str, proof_id: str) -> HttpResponse:
    """The runs of a proof started by "Run checks" (polled while it is running)."""
    deck = _editable_deck(request, slug)
    entry = proofs.result(str(proof_id), request.user.pk)
    if entry is None:
        raise Http404
    return render(request, "quiz/author/card.html#runs", _proof_view(deck, str(proof_id), entry))


REFUSALS = {
    "in_flight": _("Your previous “Run checks” has not finished yet. Wait for it, then try again."),
    "per_minute": _("That is a lot of runs in one minute. Take a breath and try again."),
}


def _run_checks(request: HttpRequest, deck: Deck, form: CardForm) -> dict[str, Any]:
    """The proof of the code as typed (or its progress), or what keeps it from running."""
    form.is_valid()
    relevant = ("solution", "checks", "equivalent_mutants", "__all__")
    errors = [message for name in relevant for message in form.errors.get(name, [])]
    if errors:
        return {"run_errors": errors}
    content = {
        "solution": code_text(form.cleaned_data["solution"]),
        "checks": form.cleaned_data["checks"],
        "wrong": form.wrong_solutions(),
        "equivalent_mutants": form.cleaned_data.get("equivalent_mutants") or {},
    }
    try:
        proof_id = proofs.start(request.user.pk, content)
    except proofs.ProofRefused as refused:
        return {"run_errors": [str(REFUSALS[str(refused)])], "refused": True}
    entry = proofs.result(proof_id, request.user.pk) or {"content": content}
    return _proof_view(deck, proof_id, entry)


def _proof_view(deck: Deck, proof_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    if entry.get("error"):
        return {"run_errors": [_("Running the checks took too long and was stopped.")]}
    if "verdicts" not in entry:
        return {"pending": reverse("author-card-run-status", args=[deck.slug, proof_id])}
    # The proof again, from the verdicts the task recorded: nothing runs twice.
    ran = {(source, python): verdict for source, python, verdict in entry["verdicts"]}
    proof = prove(
        entry["content"],
        run=lambda source, spec, python="": ran[(source, python)],
        mutants=True,
    )
    return {"runs": _runs_view(proof)}


def _runs_view(proof: Proof) -> dict[str, Any]:
    scale = timeline.scale_for(*(run.verdict for run in proof.runs))
    return {
        "ok": proof.ok,
        "problems": proof.problems(),
        "each": [
            {
                "label": run.label,
                "must_fail": run.must_fail,
                "as_intended": run.as_intended,
                "failed": run.failed,
                **describe(run.verdict, seconds=scale),
            }
            for run in proof.runs
        ],
        "mutants": _mutants_view(proof.mutants) if proof.mutants is not None else None,
    }


def _mutants_view(proof: MutantProof) -> dict[str, Any]:
    """The reference's mutants: survivors with their diff, the rest with what killed them."""
    return {
        "total": len(proof.runs),
        "killed": proof.killed,
        "equivalent": [
            {"id": run.mutant.id, "what": run.mutant.what, "reason": run.reason}
            for run in proof.runs
            if run.passed and run.reason is not None
        ],
        "survivors": [
            {
                "id": run.mutant.id,
                "what": run.mutant.what,
                "diff": run.mutant.diff(proof.solution),
                "same": run.behaves_like(proof.reference),
            }
            for run in proof.survivors
        ],
        "dead": [
            {"id": run.mutant.id, "what": run.mutant.what, "failed": run.failed}
            for run in proof.runs
            if not run.passed
        ],
        "unknown": proof.unknown,
        "seconds": f"{proof.seconds:.1f}",
    }
