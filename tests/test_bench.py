"""The benchmarks measure what they say: their wrong variants are really wrong."""

from __future__ import annotations

import pytest

from bench.code_bench import SEQUENTIAL, variant
from bench.runner_bench import PROGRAM
from runner import ProcessLauncher, Runner


def test_a_variant_whose_text_is_missing_is_refused():
    with pytest.raises(ValueError, match="no"):
        variant(PROGRAM, "\tawait task1\n", "\tawait fun1(4)\n")


def test_the_sequential_variant_differs_from_the_reference_and_takes_twice_as_long():
    assert SEQUENTIAL != PROGRAM
    runner = Runner(launcher=ProcessLauncher())
    reference = runner.run(PROGRAM)
    wrong = runner.run(SEQUENTIAL)
    assert (reference["status"], wrong["status"]) == ("ok", "ok")
    assert reference["virtual_seconds"] == pytest.approx(3.0)
    assert wrong["virtual_seconds"] == pytest.approx(6.0)


@pytest.mark.django_db
def test_the_load_benchmarks_server_says_each_responses_cpu_and_changes_nothing_else():
    from wsgiref.util import setup_testing_defaults

    from bench.load_bench import CPU_HEADER
    from bench.timed_wsgi import application

    environ = {"PATH_INFO": "/accounts/login/", "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    answered = []
    body = b"".join(application(environ, lambda *args: answered.append(args)))

    ((status, headers, _),) = answered
    assert status.startswith("200")
    assert b'name="password"' in body
    names = [name for name, _ in headers]
    assert names.count(CPU_HEADER) == 1 and "Content-Type" in names
    assert float(dict(headers)[CPU_HEADER]) > 0
