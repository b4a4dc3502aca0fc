"""Authoring fixtures: the people of the permission matrix and a browser deck with cards."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group

from quiz.authoring import service as authoring
from quiz.authoring.service import CardDraft

CODE_CONTENT = {
    "front": "Make the two downloads run **concurrently**.",
    "back": "`gather` runs both at once.",
    "starter": (
        "import asyncio\n\nasync def download(name):\n    await asyncio.sleep(3)\n"
        "    print(name, 'done')\n\nasync def main():\n    await download('a')\n"
        "    await download('b')\n\nasyncio.run(main())\n"
    ),
    "solution": (
        "import asyncio\n\nasync def download(name):\n    await asyncio.sleep(3)\n"
        "    print(name, 'done')\n\nasync def main():\n"
        "    await asyncio.gather(download('a'), download('b'))\n\nasyncio.run(main())\n"
    ),
    "wrong": [
        {
            "check": "virtual_seconds",
            "code": (
                "import asyncio\n\nasync def download(name):\n    await asyncio.sleep(3)\n"
                "    print(name, 'done')\n\nasync def main():\n    await download('a')\n"
                "    await download('b')\n\nasyncio.run(main())\n"
            ),
        }
    ],
    "checks": {
        "output": {"lines_any_order": ["a done", "b done"]},
        "virtual_seconds": {"min": 2.9, "max": 3.1},
        # Without it, a program that sleeps 3 s and prints the lines would pass (a mutant).
        "concurrency": 2,
    },
    "hints": ["Awaiting one after another runs them one after another."],
}


@pytest.fixture
def people(django_user_model: Any) -> dict[str, Any]:
    teachers = Group.objects.get(name="teacher")

    def user(name: str, teacher: bool = False, staff: bool = False) -> Any:
        # No password: force_login needs none, and hashing five per test is slow.
        made = django_user_model.objects.create_user(name, is_staff=staff)
        if teacher:
            made.groups.add(teachers)
        return made

    return {
        "learner": user("lena"),
        "owner": user("olga", teacher=True),
        "other": user("oscar", teacher=True),
        "coauthor": user("cora", teacher=True),
        "staff": user("stan", staff=True),
    }


@pytest.fixture
def browser_deck(people: dict[str, Any]) -> Any:
    """A deck olga owns with cora as co-author, holding one basic card."""
    deck = authoring.create_deck(
        people["owner"],
        "olgas-deck",
        {"en": {"title": "Olga's deck", "description": ""}},
    )
    deck.coauthors.add(people["coauthor"])
    draft = CardDraft(
        key="what-await-does",
        kind="basic",
        tags=["await"],
        contents={"en": {"front": "What does `await` suspend?", "back": "The coroutine."}},
    )
    authoring.save_card(deck, None, draft, publish=True)
    return deck
