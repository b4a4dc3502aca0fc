"""Forms for the learner's input: answers and ratings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from quiz.kinds import KINDS


class IndexesField(forms.Field):
    """Positions the page sent (options chosen, items ranked): numbers from 0 to 99; whether
    they fit the card is for grading to say. A plain field, as a choice field of a hundred
    choices costs more to copy for every form than the whole answer costs to read."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            numbers = [int(number) for number in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("That answer could not be read.")) from None
        if any(not 0 <= number < 100 for number in numbers):
            raise forms.ValidationError(_("That answer could not be read."))
        return numbers


class AnswerForm(forms.Form):
    """An answer to a card: typed text, chosen options, or a position for each shown item."""

    text = forms.CharField(required=False, strip=False, max_length=20_000)
    choice = IndexesField(required=False)
    item = IndexesField(required=False)
    rank = IndexesField(required=False)

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
