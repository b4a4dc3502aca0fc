"""`python -m runner run|check`: one JSON verdict on stdout, exit code 0 whenever there is one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = """\
import asyncio

async def main():
    await asyncio.gather(asyncio.sleep(3), asyncio.sleep(3))
    print("done")

asyncio.run(main())
"""


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runner", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_run_prints_one_verdict(tmp_path):
    program = tmp_path / "main.py"
    program.write_text(PROGRAM)
    result = cli("run", str(program))
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert (verdict["status"], verdict["stdout"], verdict["virtual_seconds"]) == (
        "ok",
        "done\n",
        3.0,
    )
    assert {"exit_code", "wall_seconds", "events", "tasks", "sandbox"} <= set(verdict)


def test_a_failing_program_still_exits_zero(tmp_path):
    program = tmp_path / "main.py"
    program.write_text("raise ValueError('no')\n")
    result = cli("run", str(program), "--timeout", "5")
    assert result.returncode == 0
    assert json.loads(result.stdout)["exception"]["type"] == "ValueError"


def test_real_time_runs_on_the_real_clock(tmp_path):
    program = tmp_path / "main.py"
    program.write_text("import asyncio\nasyncio.run(asyncio.sleep(0.2))\n")
    verdict = json.loads(cli("run", str(program), "--real-time").stdout)
    assert verdict["real_time"] is True
    assert verdict["virtual_seconds"] >= 0.2


def test_check_adds_passed_and_checks(tmp_path):
    program = tmp_path / "main.py"
    program.write_text(PROGRAM)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"virtual_seconds": {"max": 3.0}, "concurrency": 3}))
    result = cli("check", str(program), "--spec", str(spec))
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["passed"] is False
    assert [(c["name"], c["passed"]) for c in verdict["checks"]] == [
        ("virtual_seconds", True),
        ("concurrency", False),
    ]


def test_a_bad_spec_is_an_error_verdict_and_exit_code_2(tmp_path):
    program = tmp_path / "main.py"
    program.write_text(PROGRAM)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"speed": "fast"}))
    result = cli("check", str(program), "--spec", str(spec))
    assert result.returncode == 2
    verdict = json.loads(result.stdout)
    assert (verdict["status"], verdict["error"]["code"]) == ("error", "runner_refused")
    assert "speed" in verdict["error"]["text"]
    assert "speed" in result.stderr


def test_a_usage_error_is_an_error_verdict_and_exit_code_2():
    result = cli("run")
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "runner_refused"
    assert "usage:" in result.stderr


def test_a_missing_file_is_an_error_verdict_and_exit_code_2(tmp_path):
    result = cli("run", str(tmp_path / "nowhere.py"))
    assert result.returncode == 2
    assert json.loads(result.stdout)["status"] == "error"


def test_a_lone_surrogate_and_a_nul_are_printed_visibly(tmp_path):
    program = tmp_path / "main.py"
    program.write_text(
        "import asyncio, sys\n\n"
        "async def main():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    await loop.create_task(asyncio.sleep(1), name='odd\\ud800name')\n"
        "    sys.stdout.write('a\\x00b')\n\n"
        "asyncio.run(main())\n"
    )
    result = cli("run", str(program))
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["stdout"] == "a\\0b"
    assert [task["name"] for task in verdict["tasks"]] == ["Task-1", "odd\ufffdname"]


def test_the_cli_prints_each_message_in_english_beside_its_code(tmp_path):
    program = tmp_path / "main.py"
    program.write_text(
        "import asyncio, time\n\nasync def main():\n    time.sleep(1)\n\nasyncio.run(main())\n"
    )
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"no_blocking": True, "status": "ok"}))
    verdict = json.loads(cli("check", str(program), "--spec", str(spec)).stdout)
    [event] = verdict["events"]
    assert event["message"]["code"] == "blocking_sleep"
    assert event["message"]["text"].startswith(
        "time.sleep(1.0) blocked the event loop for 1.0 s at line 4 (task Task-1 (main)):"
    )
    blocking, status = verdict["checks"]
    assert blocking["message"]["text"] == event["message"]["text"]
    assert (status["message"]["code"], status["message"]["text"]) == (
        "check_status_ok",
        "The run ended as ok.",
    )
