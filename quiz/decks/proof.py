"""Prove cards' code, for loaddecks, checkdecks and the Author area alike: predict snippets run
and their output is stored on the card; a code card's reference passes its checks and each
wrong solution fails the check it names."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from quiz.decks.fileformat import CardSource, DeckSource
from quiz.decks.mutants import MutantProof, prove_mutants
from quiz.kinds import KINDS, CodeContent, PredictContent
from quiz.models import CardText
from quiz.runs import sandbox
from quiz.runs.messages import word
from quiz.runs.verdicts import Verdict

# (source, spec or None) → the runner's verdict.
RunSource = Callable[[str, "dict[str, Any] | None"], Verdict]
# A predict snippet → (its output, its status), as the runner reports them.
PredictOutput = Callable[[str], tuple[str, str]]
# Stored beside a predict card's text, never written by a teacher: the snippet's real output.
OUTPUT_FIELDS = ("expected_output", "expected_status")


def sandbox_run(source: str, spec: dict[str, Any] | None = None) -> Verdict:
    """Run in the app's sandbox (looked up on each call, so tests may replace it)."""
    return sandbox.run(source, spec)


# Predict cards


def with_output(content: PredictContent, output: tuple[str, str]) -> PredictContent:
    """The content of a predict card with its snippet's output (and how it ended) stored."""
    return content | dict(zip(OUTPUT_FIELDS, output, strict=True))  # type: ignore[return-value]


def stored_outputs(snippets: set[str]) -> dict[str, tuple[str, str]]:
    """Outputs already stored for these snippets, so unchanged snippets are not run again."""
    stored: dict[str, tuple[str, str]] = {}
    predict = [kind.name for kind in KINDS.values() if kind.runs_snippet]
    for content in CardText.objects.filter(card__kind__in=predict).values_list(
        "content", flat=True
    ):
        snippet = content.get("snippet")
        if snippet in snippets and "expected_status" in content:
            stored[snippet] = (content["expected_output"], content["expected_status"])
    return stored


def predict_outputs(
    snippets: Iterable[str], predict_output: PredictOutput | None = None, reuse: bool = True
) -> dict[str, tuple[str, str]]:
    """Run each distinct snippet once (outside any transaction: runs take time); with `reuse`,
    a snippet whose output is stored already is not run."""
    snippets = set(snippets)
    if not snippets:
        return {}
    known = stored_outputs(snippets) if reuse else {}
    predict_output = predict_output or sandbox.predict_output
    return {snippet: known.get(snippet) or predict_output(snippet) for snippet in snippets}


def store_output(deck: DeckSource, card: CardSource, output: tuple[str, str]) -> None:
    """Keep the output on the loaded card, if the loaded card has this very snippet."""
    for text in CardText.objects.filter(
        card__deck__slug=deck.deck, card__key=card.id, language=deck.language
    ):
        if text.content.get("snippet") != card.snippet:
            continue
        content = with_output(text.content, output)
        if content != text.content:
            text.content = content
            text.save(update_fields=["content"])


# Code cards


@dataclass
class SolutionRun:
    """One solution of a code card run against the card's checks."""

    label: str
    code: str
    verdict: Verdict
    must_fail: str | None = None  # the check a wrong solution is written to fail

    @property
    def failed(self) -> list[str]:
        return [check["name"] for check in self.verdict.get("checks", []) if not check["passed"]]

    @property
    def as_intended(self) -> bool:
        """The reference passes every check; a wrong solution fails the check it names."""
        if self.must_fail is None:
            return bool(self.verdict.get("passed"))
        return self.must_fail in self.failed


@dataclass
class Proof:
    """A code card's solutions run against its checks: it may be published when all behave."""

    runs: list[SolutionRun] = field(default_factory=list)
    # With mutants: the reference's mutants run against the checks (when the reference passes).
    mutants: MutantProof | None = None

    @property
    def ok(self) -> bool:
        solutions = bool(self.runs) and all(run.as_intended for run in self.runs)
        return solutions and (self.mutants is None or self.mutants.ok)

    def problems(self) -> list[str]:
        problems = []
        for run in self.runs:
            if run.as_intended:
                continue
            if run.must_fail is None:
                problems.append(
                    _("The reference solution fails: %(checks)s.")
                    % {"checks": ", ".join(run.failed) or run.verdict.get("status", "")}
                )
            else:
                problems.append(
                    _("%(label)s does not fail the check “%(check)s” it names.")
                    % {"label": run.label, "check": run.must_fail}
                )
        if self.mutants is not None:
            problems += self.mutants.problems()
        return problems


def prove(
    content: CodeContent | dict[str, Any], run: RunSource = sandbox_run, mutants: bool = False
) -> Proof:
    """Run the reference and every wrong solution against the checks, in this order; with
    `mutants`, then every mutant of the reference (when it passes): each must fail a check
    unless the card declares it equivalent."""
    checks = content.get("checks") or {}
    solutions: list[tuple[str, str, str | None]] = [
        (_("Reference solution"), content["solution"], None)
    ]
    for n, wrong in enumerate(content.get("wrong", []), 1):
        solutions.append((_("Wrong solution %(n)s") % {"n": n}, wrong["code"], wrong["check"]))
    proof = Proof(
        [
            SolutionRun(label, code, run(code, checks), must_fail)
            for label, code, must_fail in solutions
        ]
    )
    reference = proof.runs[0]
    if mutants and reference.as_intended:
        proof.mutants = prove_mutants(
            reference.code, checks, reference.verdict, run, content.get("equivalent_mutants")
        )
    return proof


# Deck files (checkdecks)


@dataclass
class CardReport:
    deck: str
    card: str
    kind: str
    path: str
    line: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # With mutants: the proof, and the diff of each survivor by its problem's text.
    mutants: MutantProof | None = None
    diffs: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_card(
    card: CardSource, deck: DeckSource, run: RunSource, mutants: bool = False
) -> CardReport:
    report = CardReport(deck.deck, card.id, card.kind, deck.path, card.line)
    kind = KINDS[card.kind]
    if kind.runs_snippet:
        verdict = run(card.snippet, None)
        lines = len(verdict["stdout"].splitlines())
        report.notes.append(f"prints {lines} line(s), ends {verdict['status']}")
        if verdict["status"] in {"timeout", "killed", "output_limit"}:
            report.problems.append(f"the snippet ends as {verdict['status']}: no stable output")
        store_output(deck, card, (verdict["stdout"], verdict["status"]))
    elif kind.checked:
        proof = prove(card.content(), run, mutants=mutants)
        reference, *wrong = proof.runs
        if reference.as_intended:
            seconds = reference.verdict["virtual_seconds"]
            report.notes.append(f"solution passes ({seconds:.1f} s virtual)")
        else:
            report.problems.append(f"the solution fails: {failed_summary(reference.verdict)}")
        for n, solution in enumerate(wrong, 1):
            if solution.verdict["passed"]:
                report.problems.append(f"wrong solution {n} passes every check")
            elif not solution.as_intended:
                report.problems.append(
                    f"wrong solution {n} should fail '{solution.must_fail}' but fails "
                    f"{solution.failed}"
                )
            else:
                report.notes.append(f"wrong solution {n} fails {solution.must_fail}")
        if proof.mutants is not None:
            _report_mutants(report, proof.mutants)
    return report


def _report_mutants(report: CardReport, proof: MutantProof) -> None:
    report.mutants = proof
    equivalent = sum(run.passed and run.reason is not None for run in proof.runs)
    report.notes.append(
        f"{len(proof.runs)} mutants: {proof.killed} killed, {equivalent} declared equivalent"
    )
    for run in proof.survivors:
        same = " (it behaves as the solution does)" if run.behaves_like(proof.reference) else ""
        problem = (
            f"mutant {run.mutant.id} survives: {run.mutant.what}{same}; tighten the checks or "
            "declare it under '### Equivalent mutants'"
        )
        report.problems.append(problem)
        report.diffs[problem] = run.mutant.diff(proof.solution)
    for ident in proof.unknown:
        report.problems.append(f"'{ident}' is declared equivalent, but no mutant has this id")


def failed_summary(verdict: Verdict) -> str:
    failed = [c for c in verdict.get("checks", []) if not c["passed"]]
    summary = "; ".join(f"{c['name']}: {word(c['message'], 'en')}" for c in failed)
    return summary or verdict["status"]
