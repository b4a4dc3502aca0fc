"""The app's models, one module per feature; every model is importable from `quiz.models`."""

from quiz.models.daily import CheckDay, ReviewDay, outcome_sql, replace_all, review_day_sql, utc_day
from quiz.models.decks import (
    AUTO_GRADED,
    KIND_CHOICES,
    Card,
    CardText,
    Deck,
    DeckText,
    Source,
    Status,
)
from quiz.models.fitting import FittedParameters
from quiz.models.learners import LearnerSettings, PersonalRetention
from quiz.models.runs import Run
from quiz.models.study import CardMark, ExtraNewCards, Presentation, Progress, Review

__all__ = [
    "AUTO_GRADED",
    "KIND_CHOICES",
    "Card",
    "CardMark",
    "CardText",
    "CheckDay",
    "Deck",
    "DeckText",
    "ExtraNewCards",
    "FittedParameters",
    "LearnerSettings",
    "PersonalRetention",
    "Presentation",
    "Progress",
    "Review",
    "ReviewDay",
    "Run",
    "Source",
    "Status",
    "outcome_sql",
    "replace_all",
    "review_day_sql",
    "utc_day",
]
