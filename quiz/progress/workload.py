"""The workload simulator: what a desired retention costs a learner in reviews per day.

fsrs-rs-python's own simulator runs a deck's worth of cards forward day by day with the
learner's parameters (fitted ones when they schedule the learner, else the defaults), the deck's
daily limits, and each desired retention. Its Python binding starts every card new: it cannot
take the learner's current card states, so the figures are those of starting the deck afresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from fsrs_rs_python import DEFAULT_PARAMETERS, SimulatorConfig, default_simulator_config, simulate

from quiz.models import Card, Deck
from quiz.study.scheduling import parameters_for

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97)
SPANS = (30, 90, 365)
SEED = 42
# No time budget per day: the deck's review limit is what caps a day, as on the study page.
SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class WorkloadPoint:
    """One desired retention: reviews per day (reviews of seen cards plus new cards learnt)
    averaged over each span, and the cards known (the sum of their recall probabilities) at the
    end of it."""

    retention: float
    reviews_per_day: dict[int, float]
    known: dict[int, float]


def config_for(deck: Deck, span: int = max(SPANS), cards: int | None = None) -> SimulatorConfig:
    """The simulation of `deck` (its studyable cards, or `cards` when counted already)."""
    config = default_simulator_config()
    config.deck_size = (
        Card.objects.studyable().filter(deck=deck).count() if cards is None else cards
    )
    config.learn_span = span
    config.learn_limit = deck.new_per_day
    config.review_limit = deck.reviews_per_day
    config.max_cost_perday = SECONDS_PER_DAY
    return config


def parameters(user: AbstractBaseUser | None) -> list[float]:
    own = parameters_for(user)
    return list(own) if own is not None else list(DEFAULT_PARAMETERS)


def workload(
    deck: Deck,
    user: AbstractBaseUser | None,
    weights: list[float] | None = None,
    cards: int | None = None,
) -> list[WorkloadPoint]:
    """For each of RETENTIONS, the simulated reviews per day and cards known over SPANS, with
    the learner's parameters (or `weights` when the caller has them)."""
    config = config_for(deck, cards=cards)
    weights = parameters(user) if weights is None else weights
    points = []
    for retention in RETENTIONS:
        result = simulate(weights, retention, config, SEED)
        reviews = result.review_cnt_per_day
        learning = result.learn_cnt_per_day
        points.append(
            WorkloadPoint(
                retention=retention,
                reviews_per_day={
                    span: (sum(reviews[:span]) + sum(learning[:span])) / span for span in SPANS
                },
                known={span: result.memorized_cnt_per_day[span - 1] for span in SPANS},
            )
        )
    return points
