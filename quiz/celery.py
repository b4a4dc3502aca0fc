"""The Celery app: runs tasks eagerly unless CELERY_BROKER_URL names a broker."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quiz.settings")

app = Celery("quiz")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
