"""The card kinds, each declared once: its content, deck file sections, editor fields, grading
and templates (see content/README.md for the deck file format).

Adding a kind is one more `Kind` in `KINDS` plus its templates under quiz/templates/quiz/kinds/.
Everything else (the model's choices, the deck file parser and writer, the author's editor,
grading and the study page) reads this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from quiz.study import grading

# What a CardText keeps for one language of a card, per kind (deck files and the editor fill it).


class BasicContent(TypedDict):
    front: str
    back: str


class ChoiceOption(TypedDict):
    text: str
    correct: bool


class ChoiceContent(BasicContent):
    options: list[ChoiceOption]


class TypeInContent(BasicContent):
    answers: list[str]


class OrderContent(BasicContent):
    items: list[str]


class PredictContent(BasicContent):
    snippet: str
    # Never written by a teacher: what the snippet really prints and how it ends (see proof).
    expected_output: NotRequired[str]
    expected_status: NotRequired[str]
    # On a card naming two interpreters: each one's output and status, by version.
    outputs: NotRequired[dict[str, dict[str, str]]]
    # The interpreters its code runs on ("python:" in the deck file); none: the default one.
    python: NotRequired[list[str]]


class WrongContent(TypedDict):
    check: str  # the check this wrong solution must fail
    code: str


class CodeContent(BasicContent):
    starter: str
    solution: str
    wrong: list[WrongContent]
    checks: dict[str, Any]
    hints: list[str]
    python: NotRequired[list[str]]
    # Mutants of the solution that behave as it does: {"<operator>@<line>": "why"}.
    equivalent_mutants: NotRequired[dict[str, str]]


CardContent = (
    BasicContent | ChoiceContent | TypeInContent | OrderContent | PredictContent | CodeContent
)

# (the content, the learner's answer) → the grade.
Grader = Callable[[Any, Any], grading.Grade]


@dataclass(frozen=True)
class Kind:
    """One kind of card.

    `sections` are the deck file's `### ...` sections in the order they are written, `required`
    those a file must have; `fields` the content keys beside front and back, named as
    `CardSource` names them. The editor shows `editor` fields once per language and `code`
    fields once for all languages. A kind is graded by `grader` (auto-graded), by the runner's
    checks (`checked`), or else by the learner (self-graded). `answer` names the form fields
    that carry a learner's answer: "text", "choice" or "order". `templates` lists the parts
    it has under quiz/kinds/<name>/: "front" (the study page, under the question), "answer"
    (the answer form), "result" (after an answer is checked), "preview" (the author's preview)
    and "editor" (the author's editor, below the shared code).
    """

    name: str
    label: str | Promise
    content: type
    sections: tuple[str, ...]
    required: tuple[str, ...]
    fields: tuple[str, ...] = ()
    editor: tuple[str, ...] = ("front", "back")
    code: tuple[str, ...] = ()
    grader: Grader | None = None
    checked: bool = False
    runs_snippet: bool = False
    answer: str = "text"
    # The dotted path of (presentation, content) → what the study page needs beyond front and
    # back; a path, as the study and runs presenters it names read this registry themselves.
    study_context: str = ""
    templates: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name

    def grade(self, content: Any, answer: Any) -> grading.Grade:
        """Grade a learner's answer to a card of this kind (auto-graded kinds only)."""
        if self.grader is None:
            raise ValueError(f"{self.name} cards are not graded automatically")
        return self.grader(content, answer)

    def study_page(self, presentation: Any, content: Any) -> dict[str, Any]:
        """What the study page shows of a card of this kind beyond its front and back."""
        if not self.study_context:
            return {}
        return import_string(self.study_context)(presentation, content)

    @property
    def auto_graded(self) -> bool:
        return self.grader is not None

    @property
    def self_graded(self) -> bool:
        """The learner rates it without a verdict (basic cards)."""
        return not self.auto_graded and not self.checked

    @property
    def proven(self) -> bool:
        """Its code is run to prove it: a predict snippet, a code card's solutions."""
        return self.runs_snippet or self.checked

    @property
    def back_required(self) -> bool:
        return "Back" in self.required

    @property
    def template(self) -> dict[str, str]:
        """Its templates by part, for `{% include kind_spec.template.answer %}`."""
        return {part: f"quiz/kinds/{self.name}/{part}.html" for part in self.templates}


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            name="basic",
            label=_("Basic"),
            content=BasicContent,
            sections=("Front", "Back"),
            required=("Front", "Back"),
            templates=("answer",),
        ),
        Kind(
            name="choice",
            label=_("Choice"),
            content=ChoiceContent,
            sections=("Front", "Options", "Back"),
            required=("Front", "Options"),
            fields=("options",),
            editor=("front", "options", "back"),
            grader=grading.grade_choice,
            answer="choice",
            study_context="quiz.study.presenters.choice_context",
            templates=("answer", "result", "preview"),
        ),
        Kind(
            name="type-in",
            label=_("Type-in"),
            content=TypeInContent,
            sections=("Front", "Answers", "Back"),
            required=("Front", "Answers"),
            fields=("answers",),
            editor=("front", "answers", "back"),
            grader=grading.grade_type_in,
            templates=("answer", "result", "preview"),
        ),
        Kind(
            name="order",
            label=_("Order"),
            content=OrderContent,
            sections=("Front", "Items", "Back"),
            required=("Front", "Items"),
            fields=("items",),
            editor=("front", "items", "back"),
            grader=grading.grade_order,
            answer="order",
            study_context="quiz.study.presenters.order_context",
            templates=("answer", "result", "preview"),
        ),
        Kind(
            name="predict",
            label=_("Predict the output"),
            content=PredictContent,
            sections=("Front", "Snippet", "Back"),
            required=("Front", "Snippet"),
            fields=("snippet",),
            code=("snippet",),
            grader=grading.grade_predict,
            runs_snippet=True,
            templates=("front", "answer", "result", "preview", "editor"),
        ),
        Kind(
            name="code",
            label=_("Code"),
            content=CodeContent,
            sections=(
                "Front",
                "Starter",
                "Solution",
                "Wrong",
                "Checks",
                "Equivalent mutants",
                "Hints",
                "Back",
            ),
            required=("Front", "Starter", "Solution", "Checks"),
            fields=("starter", "solution", "wrong", "checks", "equivalent_mutants", "hints"),
            editor=("front", "hints", "back"),
            code=("starter", "solution"),
            checked=True,
            study_context="quiz.runs.presenters.code_context",
            templates=("preview",),
        ),
    )
}
