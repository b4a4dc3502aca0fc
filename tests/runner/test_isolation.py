"""What the process around a snippet guarantees: no forged verdicts, caps, limits, no input."""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor

from runner import Limits, ProcessLauncher, Runner
from runner.messages import english

SPEC = {"status": "ok", "output": {"contains": "ok"}}


def test_printing_a_fake_verdict_is_just_output(run):
    verdict = run(
        """
        import json
        print(json.dumps({"status": "ok", "passed": True, "checks": []}))
        raise SystemExit(3)
        """,
        spec=SPEC,
    )
    assert verdict["status"] == "error"
    assert verdict["exit_code"] == 3
    assert verdict["passed"] is False


def test_junk_written_to_every_descriptor_is_an_error_never_a_pass(run):
    verdict = run(
        """
        import os
        for fd in range(3, 256):
            try:
                os.write(fd, b"junk")
            except OSError:
                pass
        print("ok")
        """,
        spec=SPEC,
    )
    assert verdict["status"] == "error"
    assert "besides the report" in english(verdict["error"])
    assert verdict["passed"] is False


def test_a_well_formed_report_with_a_guessed_nonce_is_rejected(run):
    verdict = run(
        """
        import json, os
        body = json.dumps({"nonce": "guess", "status": "ok", "events": [], "tasks": []}).encode()
        for fd in range(3, 256):
            try:
                os.write(fd, len(body).to_bytes(4, "big") + body)
            except OSError:
                pass
        print("ok", flush=True)
        os._exit(0)
        """,
        spec=SPEC,
    )
    assert verdict["status"] == "error"
    assert (
        english(verdict["error"])
        == "The runner's report is not this run's; the run cannot be trusted."
    )
    assert verdict["passed"] is False


def test_ending_without_a_report_is_an_error(run):
    verdict = run("import os\nprint('ok', flush=True)\nos._exit(0)\n", spec=SPEC)
    assert verdict["status"] == "error"
    assert english(verdict["error"]).startswith("The program ended without the runner's report")
    assert verdict["exit_code"] == 0
    assert verdict["passed"] is False


def test_endless_output_is_cut_at_the_cap(run):
    verdict = run("while True:\n    print('x' * 1000)\n")
    assert verdict["status"] == "output_limit"
    assert verdict["output_truncated"] is True
    assert 0 < len(verdict["stdout"]) + len(verdict["stderr"]) <= 64 * 1024


def test_a_busy_loop_is_killed_at_the_wall_clock_limit(run):
    verdict = run("while True:\n    pass\n", timeout=0.5)
    assert verdict["status"] == "timeout"
    assert 0.5 <= verdict["wall_seconds"] < 2.0
    assert verdict["exit_code"] is None


def test_the_environment_is_empty_and_stdin_is_closed(run):
    verdict = run(
        """
        import os
        print(sorted(os.environ))
        print(repr(input()))
        """
    )
    names = set(ast.literal_eval(verdict["stdout"]))
    assert names <= {"LANG", "MALLOC_ARENA_MAX", "PYTHONHASHSEED", "TZ", "PWD"}
    assert verdict["exception"]["type"] == "EOFError"


def test_a_huge_allocation_fails_inside_the_snippet(run):
    verdict = run("data = bytearray(4 << 30)\n")
    assert verdict["status"] == "error"
    assert verdict["exception"]["type"] == "MemoryError"


def test_exit_works_as_in_plain_python(run):
    verdict = run("print('bye')\nexit(3)\n")
    assert (verdict["status"], verdict["exit_code"], verdict["stdout"]) == ("error", 3, "bye\n")
    assert verdict["exception"] is None


def test_a_runaway_program_gets_a_bounded_report(run):
    verdict = run(
        """
        import asyncio, time

        async def main():
            for _ in range(500):
                time.sleep(0.001)
            await asyncio.gather(*(asyncio.sleep(i % 3) for i in range(3000)))

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "ok"
    assert verdict["virtual_seconds"] == 2.5
    assert len(verdict["events"]) == 100
    assert len(verdict["tasks"]) == 100
    assert verdict["task_count"] == 3001


def test_the_cpu_limit_kills_a_busy_program(shared_runner):
    runner = Runner(launcher=shared_runner.launcher, limits=Limits(cpu_seconds=1))
    verdict = runner.run("while True:\n    pass\n")
    assert verdict["status"] == "killed"
    assert "CPU time" in english(verdict["error"])


def test_one_runner_serves_several_threads_at_once(shared_runner):
    # Its own runner of the same kind: whatever this does to the launcher stays in this test.
    process = isinstance(shared_runner.launcher, ProcessLauncher)
    runner = Runner(launcher=ProcessLauncher() if process else None)

    def run_one(seconds: int) -> dict:
        source = f"import asyncio\nasyncio.run(asyncio.sleep({seconds}))\nprint({seconds})\n"
        return runner.run(source)

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            verdicts = list(pool.map(run_one, range(1, 9)))
        after = [runner.run("print('next')") for _ in range(2)]
    finally:
        runner.close()
    assert [(v["status"], v["stdout"], v["virtual_seconds"]) for v in verdicts] == [
        ("ok", f"{n}\n", float(n)) for n in range(1, 9)
    ]
    assert [(v["status"], v["stdout"]) for v in after] == [("ok", "next\n")] * 2
