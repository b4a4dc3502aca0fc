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


class WrongContent(TypedDict):
    check: str  # the check this wrong solution must fail
    code: str


class CodeContent(BasicContent):
    starter: str
    solution: str
    wrong: list[WrongContent]
    checks: dict[str, Any]
    hints: list[str]


CardContent = (
    BasicContent | ChoiceContent | TypeInContent | OrderContent | PredictContent | CodeContent
)

# (the content, the learner's answer) → the grade.
Grader = Callable[[Any, Any], grading.Grade]
# (the presentation, the content) → what the study page needs beyond front and back.
StudyContext = Callable[[Any, Any], dict[str, Any]]


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
    study_context: StudyContext | None = None
    templates: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name

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


def _choice_context(presentation: Any, content: ChoiceContent) -> dict[str, Any]:
    return {"multiple": sum(o["correct"] for o in content["options"]) > 1}


def _order_context(presentation: Any, content: OrderContent) -> dict[str, Any]:
    permutation = grading.order_permutation(str(presentation.token), len(content["items"]))
    return {"shuffled": [(i, content["items"][i]) for i in permutation]}


def _code_context(presentation: Any, content: CodeContent) -> dict[str, Any]:
    from quiz.runs.presenters import code_context

    return code_context(presentation)


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
            study_context=_choice_context,
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
            study_context=_order_context,
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
            sections=("Front", "Starter", "Solution", "Wrong", "Checks", "Hints", "Back"),
            required=("Front", "Starter", "Solution", "Checks"),
            fields=("starter", "solution", "wrong", "checks", "hints"),
            editor=("front", "hints", "back"),
            code=("starter", "solution"),
            checked=True,
            study_context=_code_context,
            templates=("preview",),
        ),
    )
}
