"""The password hasher: Argon2id, tuned so a class can log in together."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class ClassroomArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane).

    Django's default (100 MiB, 8 lanes) would take 3 GB for a class of 30 logging in at once.
    Hashes made with other parameters (or by PBKDF2) are rewritten at the next login, because
    Django upgrades a hash whose parameters differ from the first hasher's.
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
