"""Throttled log-in (django-axes, per user and per address) and sign-up (per address)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format


class LoginBackend(AxesStandaloneBackend):
    """Axes' check before Django's own backend, for log-ins through a request (the site's and
    the admin's forms). Without a request (the test client's login(), a shell) there is nothing to
    throttle, where axes itself would raise."""

    def authenticate(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


class LoginLockout(AxesDatabaseHandler):
    """Axes' database handler with a limit per user and a larger one per address.

    Axes counts failures per lockout parameter (AXES_LOCKOUT_PARAMETERS: username, then
    ip_address) and compares the largest count with one limit; here the address's count is scaled
    so that it reaches that limit after LOGIN_FAILURES_PER_ADDRESS failures, since a whole class
    may share one address.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        per_user, per_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        user_limit = settings.AXES_FAILURE_LIMIT
        scaled = math.floor(per_address * user_limit / settings.LOGIN_FAILURES_PER_ADDRESS)
        return max(per_user, scaled)


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The log-in page again, saying the account or address is locked and when it lifts."""
    cool_off = get_cool_off(request) or timedelta(0)
    lifts = timezone.localtime(timezone.now() + cool_off)
    context = {
        "lifts": date_format(lifts, "ZONED_TIME_FORMAT"),
        "minutes": math.ceil(cool_off.total_seconds() / 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def client_address(request: HttpRequest) -> str:
    """The visitor's address as axes reads it (honouring AXES_IPWARE_PROXY_COUNT)."""
    return get_client_ip_address(request) or "unknown"


def _signup_key(request: HttpRequest) -> str:
    # The count lives an hour from the address's first sign-up (an increment keeps its expiry),
    # not until the clock's next hour, which let two sign-ups a second apart both through.
    return f"signups:{client_address(request)}"


def signup_allowed(request: HttpRequest) -> bool:
    """Whether this address has made fewer than SIGNUPS_PER_HOUR accounts within the hour since
    the first one it is counted from."""
    return cache.get(_signup_key(request), 0) < settings.SIGNUPS_PER_HOUR


def count_signup(request: HttpRequest) -> None:
    key = _signup_key(request)
    if not cache.add(key, 1, 3600):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, 3600)
