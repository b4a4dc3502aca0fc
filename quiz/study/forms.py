"""Forms for the learner's input: answers and ratings."""

from __future__ import annotations

from typing import Any

from django import forms

from quiz.kinds import KINDS


class AnswerForm(forms.Form):
    """An answer to a card: typed text, chosen options, or a position for each shown item."""

    text = forms.CharField(required=False, strip=False, max_length=20_000)
    choice = forms.TypedMultipleChoiceField(required=False, coerce=int)
    item = forms.TypedMultipleChoiceField(required=False, coerce=int)
    rank = forms.TypedMultipleChoiceField(required=False, coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Indexes are checked against the card by grading; here they only need to be numbers.
        numbers = [(i, i) for i in range(100)]
        for name in ("choice", "item", "rank"):
            self.fields[name].choices = numbers

    def answer_for(self, kind: str) -> Any:
        answer = KINDS[kind].answer
        if answer == "choice":
            return self.cleaned_data["choice"]
        if answer == "order":
            # Items sorted by the position the learner gave each; ties keep the shown order.
            ranks, items = self.cleaned_data["rank"], self.cleaned_data["item"]
            if len(ranks) != len(items):
                return []
            ranked = sorted(zip(ranks, range(len(items)), items, strict=True))
            return [item for _, _, item in ranked]
        return self.cleaned_data["text"]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(coerce=int, choices=[(i, i) for i in (1, 2, 3, 4)])
