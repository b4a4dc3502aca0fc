"""The load benchmark's WSGI application: the app itself, with each response saying how much CPU
its thread spent on it (`CPU_HEADER`), so that the benchmark can set the CPU of the study
loop's requests beside the login page's measured in the same seconds. For the benchmark only: a
deployment serves `quiz.wsgi`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from bench.load_bench import CPU_HEADER
from quiz.wsgi import application as app


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    started = time.thread_time()
    answered: list[tuple[str, list[tuple[str, str]], Any]] = []

    def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answered.append((status, headers, exc_info))

    response = app(environ, hold)
    try:
        body = list(response)  # the app's pages are never streamed: this is all of it
    finally:
        if hasattr(response, "close"):
            response.close()
    status, headers, exc_info = answered[-1]
    spent = (time.thread_time() - started) * 1000
    start_response(status, [*headers, (CPU_HEADER, f"{spent:.3f}")], exc_info)
    return body
