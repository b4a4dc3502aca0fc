"""Throttled log-in (site and admin, per user and per address), sign-up per address, Argon2."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

PASSWORD = "correct-horse-9"


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    cache.clear()


def log_in(client: Any, path: str, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Any) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_after_five_wrong_passwords_the_right_one_is_refused_until_the_lockout_lifts(
    client, django_user_model, path
):
    django_user_model.objects.create_user("admin", password=PASSWORD, is_staff=True)
    for _ in range(4):
        response = log_in(client, path, "admin", "wrong")
        assert response.status_code == 200  # the form again, with its error
    assert log_in(client, path, "admin", "wrong").status_code == 429
    # From another address too: the lockout is the account's.
    before = timezone.now() + timedelta(minutes=15)
    response = log_in(client, path, "admin", PASSWORD, address="10.0.0.2")
    after = timezone.now() + timedelta(minutes=15)
    assert response.status_code == 429
    assert not logged_in(client)
    text = response.content.decode()
    assert any(
        f"Logging in is blocked for 15 minutes, until {date_format(lifts, 'P')} UTC." in text
        for lifts in (before, after)
    )
    assert "Even the right password is refused" in text

    # Fifteen minutes later the lockout has lifted and the right password logs in.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    response = log_in(client, path, "admin", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_one_address_is_locked_out_after_thirty_failures_across_accounts(client, django_user_model):
    django_user_model.objects.create_user("lena", password=PASSWORD)
    for n in range(29):
        assert log_in(client, "/accounts/login/", f"guess{n}", "wrong").status_code == 200
    assert log_in(client, "/accounts/login/", "guess29", "wrong").status_code == 429
    assert log_in(client, "/accounts/login/", "lena", PASSWORD).status_code == 429
    assert not logged_in(client)
    # Another address (another classroom) is not affected.
    assert log_in(client, "/accounts/login/", "lena", PASSWORD, "10.9.9.9").status_code == 302


@pytest.mark.django_db
def test_a_few_typos_do_not_lock_anyone_out(client, django_user_model):
    django_user_model.objects.create_user("lena", password=PASSWORD)
    for _ in range(4):
        log_in(client, "/accounts/login/", "lena", "wrong")
    assert log_in(client, "/accounts/login/", "lena", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_logging_in_to_ones_own_account_does_not_reset_the_count_against_another(
    client, django_user_model
):
    django_user_model.objects.create_user("victim", password=PASSWORD)
    django_user_model.objects.create_user("mallory", password=PASSWORD)
    for _ in range(4):
        log_in(client, "/accounts/login/", "victim", "guess")
    assert log_in(client, "/accounts/login/", "mallory", PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "/accounts/login/", "victim", "guess").status_code == 429
    assert log_in(client, "/accounts/login/", "victim", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_test_clients_login_still_works(client, django_user_model):
    django_user_model.objects.create_user("lena", password=PASSWORD)
    assert client.login(username="lena", password=PASSWORD)
    assert not client.login(username="lena", password="wrong")


def sign_up(client: Any, name: str, address: str = "10.0.0.1"):
    data = {"username": name, "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    return client.post("/accounts/signup/", data, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_sign_up_is_throttled_per_address(client, django_user_model, settings):
    settings.SIGNUPS_PER_HOUR = 2
    assert sign_up(client, "one").status_code == 302
    client.logout()
    assert sign_up(client, "two").status_code == 302
    client.logout()
    response = sign_up(client, "three")
    assert response.status_code == 429
    assert "Too many accounts were created from your network" in response.content.decode()
    assert not django_user_model.objects.filter(username="three").exists()
    assert sign_up(client, "three", address="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_a_failed_sign_up_does_not_count(client, settings):
    settings.SIGNUPS_PER_HOUR = 1
    data = {"username": "x", "password1": "a-long-pass-phrase", "password2": "other"}
    assert client.post("/accounts/signup/", data).status_code == 200
    assert sign_up(client, "one", address="127.0.0.1").status_code == 302


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2id_and_older_hashes_upgraded_at_login(
    client, django_user_model
):
    new = django_user_model.objects.create_user("new", password=PASSWORD)
    assert new.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    old = django_user_model.objects.create(
        username="old", password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    assert old.password.startswith("pbkdf2_sha256$")
    assert log_in(client, "/accounts/login/", "old", PASSWORD).status_code == 302
    old.refresh_from_db()
    assert old.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
def test_sign_ups_are_counted_for_an_hour_from_the_first_not_until_the_clocks_next_hour(
    client, settings, time_machine
):
    # A process-local cache, whose expiry follows the travelling clock (Redis keeps its own).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SIGNUPS_PER_HOUR = 1
    time_machine.move_to("2026-12-04 01:59:59+00:00", tick=False)
    assert sign_up(client, "one").status_code == 302
    client.logout()
    time_machine.move_to("2026-12-04 02:00:01+00:00", tick=False)
    assert sign_up(client, "two").status_code == 429
    time_machine.move_to("2026-12-04 03:00:00+00:00", tick=False)
    assert sign_up(client, "two").status_code == 302
