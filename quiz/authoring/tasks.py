"""Proving a card as typed ("Run checks"): a Celery task, eager without a broker, like learners'
runs; the verdicts wait in the cache (shared through Redis with a broker) for the author's page,
and the reference solution's for learners' pages too.

Each author may have one proof in flight and AUTHOR_PROOFS_PER_MINUTE a minute.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from quiz.decks.proof import prove, sandbox_run
from quiz.runs.tasks import remember_verdict
from quiz.runs.verdicts import Verdict, storable

KEEP_SECONDS = 600


class ProofRefused(Exception):
    """Past the author's limits: nothing was run."""


def _key(proof_id: str) -> str:
    return f"authorproof:{proof_id}"


def _in_flight_key(author_id: int) -> str:
    return f"authorproof:in-flight:{author_id}"


def start(author_id: int, content: dict[str, Any]) -> str:
    """Queue a proof of `content` for this author (run now, eagerly); its id for `result`."""
    minute = f"authorproof:count:{author_id}:{timezone.now():%Y%m%d%H%M}"
    cache.add(minute, 0, 120)
    if cache.get(minute, 0) >= settings.AUTHOR_PROOFS_PER_MINUTE:
        raise ProofRefused("per_minute")
    if not cache.add(_in_flight_key(author_id), 1, settings.AUTHOR_PROOF_HARD_LIMIT + 30):
        raise ProofRefused("in_flight")
    try:
        cache.incr(minute)
    except ValueError:
        cache.set(minute, 1, 120)
    proof_id = str(uuid.uuid4())
    cache.set(_key(proof_id), {"author": author_id, "content": content}, KEEP_SECONDS)
    try:
        prove_draft.apply_async(args=[proof_id], expires=settings.CODE_RUN_QUEUE_TIMEOUT)
    except Exception:
        cache.delete(_in_flight_key(author_id))
        raise
    return proof_id


def result(proof_id: str, author_id: int) -> dict[str, Any] | None:
    """The stored proof (content and, once run, verdicts or error) if this author started it."""
    entry = cache.get(_key(proof_id))
    if not entry or entry["author"] != author_id:
        return None
    return entry


@shared_task(
    ignore_result=True,
    soft_time_limit=settings.AUTHOR_PROOF_SOFT_LIMIT,
    time_limit=settings.AUTHOR_PROOF_HARD_LIMIT,
)
def prove_draft(proof_id: str) -> None:
    entry = cache.get(_key(proof_id))
    if not entry:
        return
    ran: list[list[Any]] = []
    lock = threading.Lock()

    def recording(source: str, spec: dict[str, Any] | None, python: str = "") -> Verdict:
        """Run as the proof asks (mutants run a few at a time) and keep each verdict by its code
        and interpreter, for the page to replay the proof from."""
        verdict = sandbox_run(source, spec, python=python)
        with lock:
            ran.append([source, python, storable(verdict)])
        if source == entry["content"].get("solution"):
            # Learners shown this card after grading see the reference's run without rerunning it.
            remember_verdict(source, spec, python, verdict)
        return verdict

    try:
        prove(entry["content"], run=recording, mutants=True)
        entry["verdicts"] = ran
    except SoftTimeLimitExceeded:
        entry["error"] = "time_limit"
    finally:
        cache.set(_key(proof_id), entry, KEEP_SECONDS)
        cache.delete(_in_flight_key(entry["author"]))
