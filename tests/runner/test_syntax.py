"""The `syntax` check: constructs forbidden or required on the syntax tree, with their line."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from runner import SpecError
from runner.checks import evaluate, validate
from runner.messages import english

VERDICT = {"status": "ok", "stdout": "", "exception": None, "events": [], "concurrency": 1}


def syntax(spec: dict[str, Any], source: str) -> dict[str, Any]:
    [result] = evaluate({"syntax": spec}, VERDICT, textwrap.dedent(source))
    assert result["name"] == "syntax"
    assert english(result["message"])
    return result


BARE = {"forbid": ["bare_except"]}


@pytest.mark.parametrize(
    "handler",
    ["except:", "except BaseException:", "except (ValueError, BaseException) as e:"],
)
def test_a_handler_that_catches_everything_and_goes_on_is_refused_at_its_line(handler):
    result = syntax(
        BARE,
        f"""
        import asyncio

        async def worker():
            try:
                await asyncio.sleep(10)
            {handler}
                print("stopped")
        """,
    )
    assert result["passed"] is False
    assert result["line"] == 7
    assert english(result["message"]).startswith(
        "The except at line 7 catches every exception, asyncio.CancelledError and "
        "KeyboardInterrupt included"
    )


@pytest.mark.parametrize(
    "handler",
    [
        "except Exception:\n        print('x')",
        "except asyncio.CancelledError:\n        print('x')\n        raise",
        "except:\n        print('cleaning up')\n        raise",
        "except BaseException as error:\n        print(error)\n        raise error",
    ],
)
def test_a_narrow_handler_or_one_that_reraises_passes(handler):
    source = f"import asyncio\n\ntry:\n    pass\n{handler}\n"
    assert syntax(BARE, source)["passed"] is True


def test_a_raise_in_a_nested_function_is_not_a_reraise():
    source = """
    try:
        pass
    except:
        def later():
            raise
    """
    assert syntax(BARE, source)["passed"] is False


SLEEP_IN_ASYNC = {"forbid": [{"call": "time.sleep", "inside": "async def"}]}


def test_time_sleep_called_in_async_code_is_refused_even_under_another_name():
    result = syntax(
        SLEEP_IN_ASYNC,
        """
        import asyncio
        from time import sleep as nap

        async def main():
            nap(1)
        """,
    )
    assert (result["passed"], result["line"]) == (False, 6)
    assert english(result["message"]) == (
        "Line 6 calls time.sleep() inside async def, which this exercise asks you not to do."
    )


@pytest.mark.parametrize(
    "body",
    [
        "await asyncio.to_thread(time.sleep, 1.5)",
        "await asyncio.get_running_loop().run_in_executor(None, time.sleep, 1)",
        "def blocking():\n        time.sleep(1)\n    await asyncio.to_thread(blocking)",
        "await asyncio.to_thread(lambda: time.sleep(1))",
    ],
)
def test_time_sleep_handed_to_a_thread_is_not_a_call_on_the_loop(body):
    source = f"import asyncio, time\n\nasync def main():\n    {body}\n\ntime.sleep(1)\n"
    assert syntax(SLEEP_IN_ASYNC, source)["passed"] is True
    # Without `inside`, any call of time.sleep is refused: the module-level one here.
    anywhere = syntax({"forbid": [{"call": "time.sleep"}]}, source)
    assert anywhere["passed"] is False


GATHER_IN_GROUP = {"require": [{"call": "asyncio.gather", "inside": "async with"}]}


def test_a_required_call_must_be_inside_its_construct():
    outside = """
    import asyncio

    async def main():
        await asyncio.gather(asyncio.sleep(1))
    """
    result = syntax(GATHER_IN_GROUP, outside)
    assert result["passed"] is False
    assert english(result["message"]) == (
        "Your code should call asyncio.gather() inside async with."
    )
    inside = """
    import asyncio as aio

    async def main():
        async with aio.timeout(2):
            await aio.gather(aio.sleep(1))
    """
    assert syntax(GATHER_IN_GROUP, inside)["passed"] is True


def test_inside_a_name_means_inside_a_with_block_of_that_context():
    spec = {"require": [{"call": "create_task", "inside": "asyncio.TaskGroup"}]}
    in_group = """
    import asyncio

    async def main():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(1))
    """
    assert syntax(spec, in_group)["passed"] is True
    decorative = """
    import asyncio

    async def main():
        task = asyncio.create_task(asyncio.sleep(1))
        async with asyncio.TaskGroup() as tg:
            pass
        await task
    """
    assert syntax(spec, decorative)["passed"] is False


def test_a_function_defined_inside_a_block_is_not_inside_it():
    spec = {"forbid": [{"call": "print", "inside": "for"}]}
    source = """
    for i in range(3):
        def show():
            print(i)
    """
    assert syntax(spec, source)["passed"] is True
    assert syntax(spec, "for i in range(3):\n    print(i)\n")["passed"] is False


CANCEL = {"require": ["cancel_awaited"]}


@pytest.mark.parametrize(
    "after",
    [
        "try:\n        await task\n    except asyncio.CancelledError:\n        pass",
        "await asyncio.gather(task, return_exceptions=True)",
        "await asyncio.wait([task])",
        "with contextlib.suppress(asyncio.CancelledError):\n        await task",
    ],
)
def test_a_cancel_followed_by_an_await_of_the_task_passes(after):
    source = (
        "import asyncio, contextlib\n\nasync def main():\n"
        "    task = asyncio.create_task(asyncio.sleep(10))\n"
        f"    task.cancel()\n    {after}\n"
    )
    assert syntax(CANCEL, source)["passed"] is True


def test_a_cancel_never_awaited_is_refused_at_its_line():
    source = """
    import asyncio

    async def main():
        task = asyncio.create_task(asyncio.sleep(10))
        await task
        task.cancel()
        await asyncio.sleep(1)
    """
    result = syntax(CANCEL, source)
    assert (result["passed"], result["line"]) == (False, 7)
    assert english(result["message"]).startswith(
        "task.cancel() at line 7 is not followed by an await of task"
    )


def test_cancelling_the_losers_of_wait_then_gathering_them_passes():
    source = """
    import asyncio

    async def main(tasks):
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        {after}
    """
    gathered = source.replace("{after}", "await asyncio.gather(*pending, return_exceptions=True)")
    assert syntax(CANCEL, gathered)["passed"] is True
    assert syntax(CANCEL, source.replace("{after}", "return done"))["passed"] is False


def test_timer_handles_and_tasks_in_a_group_need_no_await_after_cancel():
    source = """
    import asyncio

    async def main():
        loop = asyncio.get_running_loop()
        handle = loop.call_later(5, print, "late")
        handle.cancel()
        async with asyncio.TaskGroup() as tg:
            task = tg.create_task(asyncio.sleep(10))
            task.cancel()
    """
    assert syntax(CANCEL, source)["passed"] is True


def test_syntax_checks_fail_on_code_that_does_not_parse():
    result = syntax(BARE, "def broken(:\n")
    assert result["passed"] is False
    assert "line 1" in english(result["message"])


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"syntax": ["bare_except"]}, "forbid"),
        ({"syntax": {"forbid": ["cancel_awaited"]}}, "unknown rule"),
        ({"syntax": {"require": ["bare_except"]}}, "unknown rule"),
        ({"syntax": {"forbid": [{"name": "time.sleep"}]}}, "call rule"),
        ({"syntax": {"forbid": [{"call": "time sleep"}]}}, "call must be a name"),
        ({"syntax": {"require": [{"call": "gather", "inside": "async while"}]}}, "inside must"),
        ({"syntax": {"forbid": []}}, "list of rules"),
        ({"syntax": {"allow": ["bare_except"]}}, "forbid"),
        ({"loops_closed": "yes"}, "true or false"),
        ({"events": {"require": ["task_pending"]}}, "task_pending_at_close"),
    ],
)
def test_a_syntax_or_observation_key_that_cannot_be_checked_is_refused_by_name(spec, says):
    with pytest.raises(SpecError, match=says) as raised:
        validate(spec)
    assert raised.value.key == next(iter(spec))
    assert f"spec key {raised.value.key!r}" in str(raised.value)
