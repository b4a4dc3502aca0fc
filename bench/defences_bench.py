"""Benchmark: how fast hostile authoring input is refused, and what one login costs.

In a scratch SQLite database (on /dev/shm when it exists), through Django's test client: a
billion-laughs deck file, a 60 MB upload (its body never read), Checks 2,000 and 20,000 levels
deep; each is refused with a form error and nothing stored (target: under a second each). Then
Argon2 (the password hasher) per login, alone and 30 at once on two threads, beside PBKDF2.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_S = 1.0
PASSWORD = "correct-horse-9"


def setup() -> None:
    folder = tempfile.mkdtemp(dir="/dev/shm" if Path("/dev/shm").is_dir() else None)
    os.environ.update(DEBUG="1", DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quiz.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name is allowed

    call_command("migrate", verbosity=0)


def hostile_inputs() -> list[tuple[str, float, int, bool]]:
    from django.contrib.auth.models import Group, User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from quiz.authoring import service as authoring
    from quiz.models import Card, Deck
    from tests.authoring.test_bounds import DEEP, DEEP_CHECKS, LAUGHS
    from tests.authoring.test_cards import code_post
    from tests.conftest import basic_deck

    teacher = User.objects.create_user("tanya")
    teacher.groups.add(Group.objects.get_or_create(name="teacher")[0])
    authoring.create_deck(teacher, "olgas-deck", {"en": {"title": "Deck", "description": ""}})
    client = Client()
    client.force_login(teacher)
    laughs = basic_deck(1, deck="laughs").replace("---\ndeck:", "---\n" + LAUGHS + "\ndeck:", 1)
    huge = b"x" * 60_000_000

    def upload_laughs():
        file = SimpleUploadedFile("laughs.en.md", laughs.encode(), "text/markdown")
        return client.post("/author/upload/", {"files": [file]})

    def upload_60_mb():
        body = b"--B\r\nContent-Disposition: form-data; name=files; filename=a.md\r\n\r\n" + huge
        return client.generic(
            "POST", "/author/upload/", body, content_type="multipart/form-data; boundary=B"
        )

    def checks(text):
        return lambda: client.post(
            "/author/decks/olgas-deck/cards/new/code/", {**code_post(), "checks": text}
        )

    cases = [
        ("billion-laughs deck file", upload_laughs, "not valid YAML"),
        ("60 MB upload", upload_60_mb, "uploads may be at most"),
        ("Checks 2,000 deep", checks(DEEP_CHECKS), "nested more than 20 levels deep"),
        ("Checks 20,000 deep", checks(DEEP), "at most 5000 characters"),
    ]
    # Warm up: templates, URLs and forms loaded once, as in a running server.
    client.get("/author/upload/")
    client.get("/author/decks/olgas-deck/cards/new/code/")
    rows = []
    for name, send, error in cases:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            response = send()
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        stored = Deck.objects.filter(slug="laughs").exists() or Card.objects.exists()
        rows.append((name, seconds, response.status_code, error in response.content.decode()
                     and not stored))  # fmt: skip
    return rows


def logins() -> dict[str, float]:
    from django.contrib.auth.hashers import check_password, make_password

    argon2, pbkdf2 = make_password(PASSWORD), make_password(PASSWORD, hasher="pbkdf2_sha256")

    def p50(encoded: str, n: int) -> float:
        times = []
        for _ in range(n):
            started = time.perf_counter()
            check_password(PASSWORD, encoded)
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: check_password(PASSWORD, argon2), range(30)))
    return {
        "argon2_ms": p50(argon2, 15),
        "pbkdf2_ms": p50(pbkdf2, 3),
        "class_of_30_s": time.perf_counter() - started,
    }


def main() -> int:
    setup()
    rows = hostile_inputs()
    header = f"{'hostile input':<28} {'seconds (median of 3)':>22} {'status':>6}"
    print(f"{header}  form error, nothing stored")
    for name, seconds, status, refused in rows:
        print(f"{name:<28} {seconds:>22.3f} {status:>6}  {'yes' if refused else 'NO'}")
    figures = logins()
    print(
        f"\nlogin password check: Argon2id {figures['argon2_ms']:.0f} ms "
        f"(PBKDF2 as before: {figures['pbkdf2_ms']:.0f} ms); "
        f"30 logins on 2 threads: {figures['class_of_30_s']:.2f} s"
    )
    ok = all(refused and seconds < TARGET_S for _, seconds, _, refused in rows)
    verdict = "met" if ok else "MISSED"
    print(f"target: each refused within {TARGET_S:.0f} s with nothing stored: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
