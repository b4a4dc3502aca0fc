"""A pytest plugin loaded before Django starts: the test run's environment."""

from __future__ import annotations

import os

# Development mode: no SECRET_KEY needed, no HTTPS redirect for the live server.
os.environ.setdefault("DEBUG", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the test itself makes
# (fixtures, assertions) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
