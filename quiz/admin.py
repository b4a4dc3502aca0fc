"""Django admin for every model, with lists, filters and search that staff use."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from quiz.models import (
    Card,
    CardMark,
    CardText,
    CheckDay,
    Deck,
    DeckText,
    ExtraNewCards,
    FittedParameters,
    LearnerSettings,
    PersonalRetention,
    Presentation,
    Progress,
    Review,
    ReviewDay,
    Run,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """History as it was written (reviews, runs, daily counts) and what the scheduler derives
    from it (progress, presentations, fitted parameters): staff read it, nobody edits it, since
    a hand-made change would contradict the review log it comes from."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TagsField(forms.CharField):
    """A card's tags as the deck files write them: "tasks, gather"."""

    def prepare_value(self, value: Any) -> str:
        return ", ".join(value) if isinstance(value, list) else (value or "")

    def to_python(self, value: Any) -> list[str]:
        return [tag.strip() for tag in super().to_python(value).split(",") if tag.strip()]


class CardAdminForm(forms.ModelForm):
    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    class Meta:
        model = Card
        fields = ["deck", "key", "kind", "tags", "position", "status", "retired_at"]


class DeckTextInline(admin.TabularInline):
    model = DeckText
    extra = 0


@admin.register(Deck)
class DeckAdmin(admin.ModelAdmin):
    list_display = ["slug", "source_path", "desired_retention", "new_per_day", "reviews_per_day"]
    search_fields = ["slug", "texts__title"]
    inlines = [DeckTextInline]


class CardTextInline(admin.StackedInline):
    model = CardText
    extra = 0


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    form = CardAdminForm
    list_display = ["key", "deck", "kind", "tag_list", "position", "retired_at"]
    list_filter = ["deck", "kind", ("retired_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "texts__content"]
    inlines = [CardTextInline]

    @admin.display(description=_("Tags"))
    def tag_list(self, card: Card) -> str:
        return ", ".join(card.tags)


@admin.register(Progress)
class ProgressAdmin(ReadOnlyAdmin):
    list_display = ["user", "card", "state", "stability", "difficulty", "due", "last_review"]
    list_filter = ["state", "card__deck"]
    search_fields = ["user__username", "card__key"]
    list_select_related = ["user", "card__deck"]
    raw_id_fields = ["user", "card"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["reviewed_at", "user", "card", "rating", "duration_ms", "state_before"]
    list_filter = ["rating", "card__deck", "reviewed_at"]
    search_fields = ["user__username", "card__key"]
    date_hierarchy = "reviewed_at"
    list_select_related = ["user", "card__deck"]
    raw_id_fields = ["user", "card", "presentation"]


@admin.register(Presentation)
class PresentationAdmin(ReadOnlyAdmin):
    list_display = ["shown_at", "user", "card", "correct", "answered_at"]
    list_filter = ["correct", "card__deck"]
    search_fields = ["user__username", "card__key"]
    list_select_related = ["user", "card__deck"]
    raw_id_fields = ["user", "card"]


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "card", "kind", "status", "passed", "error"]
    list_filter = ["kind", "status", "passed", "card__deck"]
    search_fields = ["user__username", "card__key", "code"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "card__deck"]
    raw_id_fields = ["user", "card", "presentation"]


class DailyCountsAdmin(ReadOnlyAdmin):
    """Counted from the log (runs, reviews) as it is written."""

    date_hierarchy = "day"
    list_select_related = ["card__deck"]


@admin.register(CheckDay)
class CheckDayAdmin(DailyCountsAdmin):
    list_display = ["day", "card", "name", "attempts", "failed"]
    list_filter = ["card__deck", "name"]
    search_fields = ["card__key", "name"]


@admin.register(ReviewDay)
class ReviewDayAdmin(DailyCountsAdmin):
    list_display = ["day", "card", "reviews", "in_review", "lapses", "duration_ms_total"]
    list_filter = ["card__deck"]
    search_fields = ["card__key"]


@admin.register(FittedParameters)
class FittedParametersAdmin(ReadOnlyAdmin):
    list_display = ["user", "fitted_at", "reviews", "log_loss_default", "log_loss_fitted", "in_use"]
    list_filter = ["in_use"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(LearnerSettings)
class LearnerSettingsAdmin(admin.ModelAdmin):
    """A learner's own choices: staff may correct one for them (a wrong time zone, say)."""

    list_display = ["user", "time_zone", "day_starts_at", "use_fitted_parameters"]
    list_filter = ["use_fitted_parameters", "load_balancing"]
    search_fields = ["user__username", "time_zone"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(PersonalRetention)
class PersonalRetentionAdmin(admin.ModelAdmin):
    list_display = ["user", "deck", "desired_retention"]
    list_filter = ["deck"]
    search_fields = ["user__username", "deck__slug"]
    list_select_related = ["user", "deck"]
    raw_id_fields = ["user", "deck"]


@admin.register(CardMark)
class CardMarkAdmin(ReadOnlyAdmin):
    list_display = ["user", "card", "flagged", "suspended", "buried_until"]
    list_filter = ["flagged", "suspended", "card__deck"]
    search_fields = ["user__username", "card__key"]
    list_select_related = ["user", "card__deck"]


@admin.register(ExtraNewCards)
class ExtraNewCardsAdmin(ReadOnlyAdmin):
    list_display = ["day", "user", "deck", "cards"]
    list_filter = ["deck"]
    search_fields = ["user__username"]
    date_hierarchy = "day"
    list_select_related = ["user", "deck"]
