"""Authoring under abuse: YAML bombs and depth, long fields, huge uploads, too many solutions.

Each is refused as a clear form error (with the line for YAML) and nothing is stored.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import yaml

from quiz.decks.fileformat import load_yaml
from quiz.models import Card, Deck
from tests.authoring.conftest import CODE_CONTENT
from tests.authoring.test_cards import DECK, code_post
from tests.authoring.test_upload import upload
from tests.conftest import basic_deck

pytestmark = pytest.mark.django_db

# 433 bytes that expand to millions of characters through nested aliases.
LAUGHS = "\n".join(
    ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    + [
        f"{chr(ord('b') + n)}: &{chr(ord('b') + n)} [{','.join(['*' + chr(ord('a') + n)] * 9)}]"
        for n in range(7)
    ]
)
DEEP = "x: " + "[" * 20_000 + "]" * 20_000
# Deep enough that PyYAML's recursive composer would overflow Python's stack (a 500 before),
# short enough to fit the Checks field.
DEEP_CHECKS = "x: " + "[" * 2_000 + "]" * 2_000


@pytest.fixture
def owner_client(client, people, browser_deck):
    client.force_login(people["owner"])
    return client


def test_the_bomb_really_expands_under_pyyaml_s_own_safe_loader():
    # What the bounded loader refuses is a real amplification (so the tests below mean something).
    assert len(LAUGHS) < 500
    expanded = yaml.safe_load(LAUGHS)
    assert len(str(expanded["h"])) > 1_000_000


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        ("a: &x 1\nb: *x\n", "anchors (&name) are not allowed", 1),
        ("a: 1\nb: *x\n", "aliases (*name) are not allowed", 2),
        ("a:\n" + "  " * 0 + "b: " + "[" * 25 + "]" * 25, "nested more than 20 levels deep", 2),
        ("a: 1\nb: '" + "x" * 10_001 + "'", "a value is longer than 10000 characters", 2),
    ],
)
def test_the_bounded_loader_says_what_is_refused_and_where(text, problem, line):
    with pytest.raises(yaml.YAMLError) as refused:
        load_yaml(text)
    assert refused.value.problem == problem
    assert refused.value.problem_mark.line + 1 == line


def test_the_bounded_loader_reads_ordinary_checks():
    assert load_yaml(yaml.safe_dump(CODE_CONTENT["checks"])) == CODE_CONTENT["checks"]


def test_a_billion_laughs_title_in_a_deck_file_is_refused_with_its_line(owner_client):
    text = basic_deck(1, deck="laughs").replace("title: Laughs deck\n", "title: &t lol\nx: *t\n")
    page = upload(owner_client, ("laughs.en.md", text)).content.decode()
    assert "line 3" in page
    assert "anchors (&amp;name) are not allowed" in page
    assert not Deck.objects.filter(slug="laughs").exists()


def test_a_billion_laughs_in_front_matter_is_refused(owner_client):
    text = basic_deck(1, deck="laughs").replace("---\ndeck:", "---\n" + LAUGHS + "\ndeck:", 1)
    page = upload(owner_client, ("laughs.en.md", text)).content.decode()
    assert "front matter is not valid YAML" in page
    assert not Deck.objects.filter(slug="laughs").exists()


def test_a_long_title_in_a_deck_file_is_refused_with_its_line(owner_client):
    text = basic_deck(1, deck="long").replace("title: Long deck", "title: " + "x" * 201)
    page = upload(owner_client, ("long.en.md", text)).content.decode()
    assert "line 4" in page and "&#x27;title:&#x27; is longer than 200 characters" in page
    assert not Deck.objects.filter(slug="long").exists()


@pytest.mark.parametrize(
    ("checks", "error"),
    [
        (LAUGHS, "anchors (&amp;name) are not allowed"),
        (DEEP_CHECKS, "nested more than 20 levels deep"),
    ],
)
def test_hostile_checks_are_a_form_error_and_nothing_is_saved(owner_client, checks, error):
    response = owner_client.post(f"{DECK}/cards/new/code/", {**code_post(), "checks": checks})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not valid YAML" in page and error in page and "line 1" in page
    assert not Card.objects.filter(key="concurrent-downloads").exists()


def test_20000_deep_checks_typed_in_the_editor_are_a_form_error(owner_client):
    response = owner_client.post(f"{DECK}/cards/new/code/", {**code_post(), "checks": DEEP})
    assert response.status_code == 200
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert not Card.objects.filter(key="concurrent-downloads").exists()


def test_a_20000_deep_checks_block_in_a_deck_file_is_a_problem_with_its_line(owner_client):
    text = (
        "---\ndeck: deep\nlanguage: en\ntitle: Deep\n---\n\n## deep-card\nkind: code\n\n"
        "### Front\nQ?\n\n### Starter\n```python\nprint(0)\n```\n\n"
        "### Solution\n```python\nprint(1)\n```\n\n"
        "### Wrong: x\n```python\nprint(2)\n```\n\n"
        f"### Checks\n```yaml\n{DEEP}\n```\n"
    )
    line = text.splitlines().index(DEEP) + 1
    page = upload(owner_client, ("deep.en.md", text)).content.decode()
    assert "nested more than 20 levels deep" in page and f"line {line}" in page
    assert not Deck.objects.filter(slug="deep").exists()


def test_long_fields_are_refused_by_the_card_form(owner_client):
    response = owner_client.post(
        f"{DECK}/cards/new/code/", {**code_post(), "front_en": "x" * 10_001}
    )
    assert "Ensure this value has at most 10000 characters" in response.content.decode()
    assert not Card.objects.filter(key="concurrent-downloads").exists()


def wrong_solutions(count: int) -> list[dict[str, str]]:
    return [CODE_CONTENT["wrong"][0]] * count


@pytest.mark.parametrize("count", [21, 40])
def test_more_than_twenty_wrong_solutions_are_refused_by_the_form(owner_client, count):
    response = owner_client.post(f"{DECK}/cards/new/code/", code_post(wrong=wrong_solutions(count)))
    assert response.status_code == 200
    assert "Give at most 20 wrong solutions." in response.content.decode()
    assert not Card.objects.filter(key="concurrent-downloads").exists()


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def test_a_60_mb_upload_is_refused_before_its_body_is_read(owner_client):
    response = owner_client.generic(
        "POST",
        "/author/upload/",
        b"x",
        content_type="multipart/form-data; boundary=BOUNDARY",
        CONTENT_LENGTH=str(60_000_000),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "The upload is 60.0 MB; uploads may be at most 2.5 MB." in page
    assert 'class="errorlist' in page  # the form's own error, on the upload page


def test_an_anonymous_huge_post_is_refused_too(client):
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"x",
        content_type="multipart/form-data; boundary=BOUNDARY",
        CONTENT_LENGTH=str(60_000_000),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413


def test_a_deck_file_over_one_megabyte_is_refused(owner_client):
    page = upload(owner_client, ("big.en.md", "x" * 1_000_001)).content.decode()
    assert "big.en.md is too large." in page
