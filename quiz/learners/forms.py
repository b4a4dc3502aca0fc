"""The learner's settings form, and sign-up with the time zone the browser reports."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from quiz.models import LearnerSettings
from quiz.models.learners import DEFAULT_TIME_ZONE

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


@cache
def zone_names() -> frozenset[str]:
    """Every IANA time zone name zoneinfo knows."""
    return frozenset(zoneinfo.available_timezones())


def valid_zone(name: str) -> bool:
    if name not in zone_names():
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class SettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"))
    day_starts_at = forms.TypedChoiceField(
        label=_("Next day starts at"),
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text=_("Your daily limits reset, and your streak and heatmap turn the day, here."),
    )
    easy_days = forms.TypedMultipleChoiceField(
        label=_("Easy days"),
        coerce=int,
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Days that get fewer reviews: reviews that may move go to other days."),
    )

    class Meta:
        model = LearnerSettings
        fields = ["time_zone", "day_starts_at", "use_fitted_parameters", "load_balancing",
                  "easy_days"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in sorted(zone_names())]

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"]
        if not valid_zone(name):
            raise forms.ValidationError(_("Unknown time zone."))
        return name


class SignupForm(UserCreationForm):
    """Django's sign-up form and a hidden time zone, filled in by the browser (signup.js)."""

    time_zone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def clean_time_zone(self) -> str:
        name = self.cleaned_data.get("time_zone") or ""
        return name if valid_zone(name) else DEFAULT_TIME_ZONE

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            LearnerSettings.objects.create(user=user, time_zone=self.cleaned_data["time_zone"])
        return user
