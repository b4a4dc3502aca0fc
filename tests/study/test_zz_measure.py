"""Print the study loop's query counts (before/after), same steps as tests/study/test_query_counts.py."""

import pytest
from tests.study.test_query_counts import history, counted  # noqa: F401
from tests.study.test_answer_state import HX, shown

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("history")
def test_measure(client):
    figures = {}
    n, page, _ = counted(lambda: client.get("/decks/kinds/study/"))
    figures["study page (new presentation)"] = n
    card, token = shown(page)
    n, page, _ = counted(lambda: client.get("/decks/kinds/study/"))
    figures["study page (reload)"] = n
    n, page, _ = counted(lambda: client.get("/decks/kinds/study/", **HX))
    figures["study fragment htmx"] = n
    n, page, _ = counted(lambda: client.post(f"/study/{token}/check/", {"text": "future"}, **HX))
    figures["check (type-in, htmx)"] = n
    n, page, _ = counted(lambda: client.post(f"/study/{token}/answer/", {"rating": 3}, **HX))
    figures["answer due card -> next card (htmx)"] = n
    token = shown(page)[1]
    client.post(f"/study/{token}/check/", {"choice": ["0"]}, **HX)
    n, page, _ = counted(lambda: client.post(f"/study/{token}/answer/", {"rating": 3}, **HX))
    figures["answer new card -> next card (htmx)"] = n
    n, page, _ = counted(lambda: client.get("/decks/"))
    figures["deck list"] = n
    for k, v in figures.items():
        print(f"FIGURE {k}: {v}")
