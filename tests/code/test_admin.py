"""Staff see every run in the admin: who, which card, the code and the verdict."""

from __future__ import annotations

import pytest

from quiz.models import Run
from tests.code.conftest import CONCURRENT

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_find_a_learners_runs_in_the_admin(client, shown, admin_user):
    client.post(shown, {"code": CONCURRENT, "action": "check"}, HTTP_HX_REQUEST="true")
    run = Run.objects.get()
    client.force_login(admin_user)
    listing = client.get("/admin/quiz/run/?q=ada").content.decode()
    assert "make-downloads-concurrent" in listing and "ada" in listing
    detail = client.get(f"/admin/quiz/run/{run.pk}/change/").content.decode()
    assert "asyncio.gather" in detail and str(run.run_id) in detail
