"""Code runs: submitting learners' code, the sandbox door, Celery tasks, views and presenters."""
