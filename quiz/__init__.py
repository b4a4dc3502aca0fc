"""loopdeck: learn asyncio with spaced repetition and code that really runs."""

from __future__ import annotations

from quiz.celery import app as celery_app

__all__ = ["celery_app"]
