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

# (source, spec or None[, python=version]) → the runner's verdict.
RunSource = Callable[..., Verdict]
# A predict snippet[, python=version] → (its output, its status), as the runner reports them.
PredictOutput = Callable[..., tuple[str, str]]
# A snippet and the interpreters it runs on (none: the default one).
Job = tuple[str, tuple[str, ...]]
# Its output and status on each interpreter ("" names the default one).
Outputs = dict[str, tuple[str, str]]
# Stored beside a predict card's text, never written by a teacher: the snippet's real output
# (on a card naming two interpreters, the first's, and both under "outputs").
OUTPUT_FIELDS = ("expected_output", "expected_status", "outputs")


def sandbox_run(source: str, spec: dict[str, Any] | None = None, python: str = "") -> Verdict:
    """Run in the app's sandbox (looked up on each call, so tests may replace it)."""
    return sandbox.run(source, spec, python=python or None)


def pythons_of(content: Any) -> tuple[str, ...]:
    """The interpreters a card's code runs on, as its content names them ("": the default)."""
    return tuple(content.get("python") or ("",))


def run_on(run: RunSource, source: str, spec: dict[str, Any] | None, python: str) -> Verdict:
    """run(source, spec) on the default interpreter, run(..., python=...) on a named one (so a
    test's two-argument stand-in serves cards that name none)."""
    return run(source, spec, python=python) if python else run(source, spec)


# Predict cards


def with_output(content: PredictContent, outputs: Outputs | tuple[str, str]) -> PredictContent:
    """The content of a predict card with its snippet's output (and how it ended) stored: the
    first interpreter's as the expected answer, and each one's when it names two."""
    if isinstance(outputs, tuple):
        outputs = {"": outputs}
    pythons = pythons_of(content)
    stored = {key: value for key, value in content.items() if key != "outputs"}
    stored |= dict(zip(OUTPUT_FIELDS[:2], outputs[pythons[0]], strict=True))
    if len(pythons) > 1:
        stored["outputs"] = {
            python: {"output": outputs[python][0], "status": outputs[python][1]}
            for python in pythons
        }
    return stored  # type: ignore[return-value]


def stored_outputs(snippets: set[str]) -> dict[tuple[str, str], tuple[str, str]]:
    """Outputs already stored for these snippets, by (snippet, interpreter), so unchanged
    snippets are not run again."""
    stored: dict[tuple[str, str], tuple[str, str]] = {}
    predict = [kind.name for kind in KINDS.values() if kind.runs_snippet]
    for content in CardText.objects.filter(card__kind__in=predict).values_list(
        "content", flat=True
    ):
        snippet = content.get("snippet")
        if snippet not in snippets or "expected_status" not in content:
            continue
        pythons = pythons_of(content)
        stored[(snippet, pythons[0])] = (content["expected_output"], content["expected_status"])
        for python, output in (content.get("outputs") or {}).items():
            stored[(snippet, python)] = (output["output"], output["status"])
    return stored


def predict_outputs(
    jobs: Iterable[Job], predict_output: PredictOutput | None = None, reuse: bool = True
) -> dict[Job, Outputs]:
    """Run each distinct snippet once per interpreter (outside any transaction: runs take
    time); with `reuse`, an output already stored is not run again."""
    jobs = set(jobs)
    if not jobs:
        return {}
    known = stored_outputs({snippet for snippet, _ in jobs}) if reuse else {}
    predict_output = predict_output or sandbox.predict_output
    done: dict[tuple[str, str], tuple[str, str]] = {}
    for snippet, pythons in jobs:
        for python in pythons or ("",):
            key = (snippet, python)
            if key not in done:
                done[key] = known.get(key) or (
                    predict_output(snippet, python=python) if python else predict_output(snippet)
                )
    return {
        (snippet, pythons): {python: done[(snippet, python)] for python in pythons or ("",)}
        for snippet, pythons in jobs
    }


def store_output(deck: DeckSource, card: CardSource, output: Outputs) -> None:
    """Keep the output on the loaded card, if the loaded card has this very snippet."""
    for text in CardText.objects.filter(
        card__deck__slug=deck.deck, card__key=card.id, language=deck.language
    ):
        if text.content.get("snippet") != card.snippet or pythons_of(text.content) != tuple(output):
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
    """Run the reference and every wrong solution against the checks, in this order, on each
    interpreter the card names; with `mutants`, then every mutant of the reference (when it
    passes on the first interpreter), on that interpreter: each must fail a check unless the
    card declares it equivalent."""
    checks = content.get("checks") or {}
    solutions: list[tuple[str, str, str | None]] = [
        (_("Reference solution"), content["solution"], None)
    ]
    for n, wrong in enumerate(content.get("wrong", []), 1):
        solutions.append((_("Wrong solution %(n)s") % {"n": n}, wrong["code"], wrong["check"]))
    pythons = pythons_of(content)
    proof = Proof(
        [
            SolutionRun(
                f"{label} (Python {python})" if len(pythons) > 1 else label,
                code,
                run_on(run, code, checks, python),
                must_fail,
            )
            for python in pythons
            for label, code, must_fail in solutions
        ]
    )
    reference = proof.runs[0]
    if mutants and reference.as_intended:
        first = pythons[0]
        proof.mutants = prove_mutants(
            reference.code,
            checks,
            reference.verdict,
            lambda source, spec: run_on(run, source, spec, first),
            content.get("equivalent_mutants"),
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
    pythons = pythons_of(card.content(deck.python))
    if kind.runs_snippet:
        outputs: Outputs = {}
        for python in pythons:
            verdict = run_on(run, card.snippet, None, python)
            lines = len(verdict["stdout"].splitlines())
            on = f" on Python {verdict.get('python')}" if python else ""
            report.notes.append(f"prints {lines} line(s), ends {verdict['status']}{on}")
            if verdict["status"] in {"timeout", "killed", "output_limit"}:
                report.problems.append(
                    f"the snippet ends as {verdict['status']}{on}: no stable output"
                )
            outputs[python] = (verdict["stdout"], verdict["status"])
        store_output(deck, card, outputs)
        return report
    for python in pythons:
        on = f" on Python {python}" if python else ""
        prove_one(card, deck, run, python, on, report, mutants and python == pythons[0])
    return report


def prove_one(
    card: CardSource,
    deck: DeckSource,
    run: RunSource,
    python: str,
    on: str,
    report: CardReport,
    mutants: bool = False,
) -> None:
    """check_card's part for a code card on one interpreter (with `mutants`, its mutants too)."""
    content = card.content() | {"python": [python] if python else []}
    if KINDS[card.kind].checked:
        proof = prove(content, run, mutants=mutants)
        reference, *wrong = proof.runs
        if reference.as_intended:
            seconds = reference.verdict["virtual_seconds"]
            report.notes.append(f"solution passes ({seconds:.1f} s virtual){on}")
        else:
            report.problems.append(f"the solution fails{on}: {failed_summary(reference.verdict)}")
        for n, solution in enumerate(wrong, 1):
            if solution.verdict["passed"]:
                report.problems.append(f"wrong solution {n} passes every check{on}")
            elif not solution.as_intended:
                report.problems.append(
                    f"wrong solution {n} should fail '{solution.must_fail}' but fails "
                    f"{solution.failed}{on}"
                )
            else:
                report.notes.append(f"wrong solution {n} fails {solution.must_fail}{on}")
        if proof.mutants is not None:
            _report_mutants(report, proof.mutants)


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
