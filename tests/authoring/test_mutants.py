"""The editor's Run checks lists the reference's surviving mutants with their diff, and a card
stays a draft while any survive, unless the teacher declares it equivalent with a reason."""

from __future__ import annotations

import html
import re

import pytest

from quiz.models import Card
from tests.authoring.conftest import CODE_CONTENT
from tests.authoring.test_cards import DECK, code_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, people, browser_deck):
    client.force_login(people["owner"])
    return client


# Output and time only: a program that sleeps 3 s and prints the two lines passes them.
WEAK = {key: CODE_CONTENT["checks"][key] for key in ("output", "virtual_seconds")}
OUTPUT_ONLY = {"output": CODE_CONTENT["checks"]["output"]}
HALF_DONE = [{"check": "output", "code": "print('a done')\n"}]


def test_run_checks_lists_each_surviving_mutant_with_its_diff(owner_client):
    response = owner_client.post(
        f"{DECK}/run/", code_post(publish=False, checks=OUTPUT_ONLY, wrong=HALF_DONE)
    )

    page = html.unescape(response.content.decode())
    assert 'data-mutant="sequential-gather@8"' in page
    assert "-    await asyncio.gather(download('a'), download('b'))" in page
    assert "+    [await download('a'), await download('b')]" in page
    assert "gather's awaitables awaited one after another" in page
    # Among the reasons it cannot be published, by id.
    assert re.search(r"mutants of the reference pass every check \([^)]*sequential-gather@8", page)
    # The checks still refuse the mutants that print nothing or too early.
    assert "drop-await@8" in page.split("Mutants the checks refuse")[1]


def test_strong_checks_leave_no_survivor(owner_client):
    response = owner_client.post(f"{DECK}/run/", code_post(publish=False))

    page = html.unescape(response.content.decode())
    assert "data-mutant=" not in page
    assert "The checks tell right from wrong: this card can be published." in page
    assert " 0 survive " in page


def test_a_card_stays_a_draft_while_a_mutant_survives(owner_client):
    response = owner_client.post(f"{DECK}/cards/new/code/", code_post(checks=WEAK), follow=True)

    assert Card.objects.get(key="concurrent-downloads").status == "draft"
    page = html.unescape(response.content.decode())
    assert "Saved as a draft: it cannot be published yet." in page
    assert "A mutant of the reference passes every check (hardcode-output@1)" in page


def test_a_mutant_declared_equivalent_no_longer_holds_the_card_back(owner_client):
    reason = "hardcode-output@1: the exercise is only about the output"
    data = {**code_post(checks=WEAK), "equivalent_mutants": reason}

    owner_client.post(f"{DECK}/cards/new/code/", data)

    card = Card.objects.get(key="concurrent-downloads")
    assert card.status == "published"
    assert card.text().content["equivalent_mutants"] == {
        "hardcode-output@1": "the exercise is only about the output"
    }


def test_declaring_a_mutant_the_solution_does_not_have_is_a_problem(owner_client):
    data = {**code_post(), "equivalent_mutants": "drop-close@3: there is no close here"}

    response = owner_client.post(f"{DECK}/cards/new/code/", data, follow=True)

    assert Card.objects.get(key="concurrent-downloads").status == "draft"
    assert "declares drop-close@3 equivalent, but the solution has no such mutant" in (
        html.unescape(response.content.decode())
    )


def test_a_malformed_declaration_is_refused_with_its_line(owner_client):
    data = {**code_post(), "equivalent_mutants": "hardcode-output@1: fine\nno reason given"}

    response = owner_client.post(f"{DECK}/cards/new/code/", data)

    assert "Line 2: write “operator@line: reason”" in response.content.decode()
    assert not Card.objects.filter(key="concurrent-downloads").exists()
