"""The three programs from the study notes, run as the learner wrote them."""

from __future__ import annotations

FIRST = """\
import time

def fun1(x):
    print(x**2)
    time.sleep(3)
    print('fun1 завершена')

def fun2(x):
    print(x**0.5)
    time.sleep(3)
    print('fun2 завершена')

def main():
    fun1(4)
    fun2(4)
    print(time.strftime('%X'))

main()
print(time.strftime('%X'))
"""

SECOND = """\
import asyncio
import time

async def fun1(x):
\tprint(x**2)
\tawait asyncio.sleep(3)
\tprint('fun1 завершена')

async def fun2(x):
\tprint(x**0.5)
\tawait asyncio.sleep(3)
\tprint('fun2 завершена')

async def main():
\ttask1 = asyncio.create_task(fun1(4))
\ttask2 = asyncio.create_task(fun2(4))
\tawait task1
\tawait task2

print(time.strftime('%X'))
asyncio.run(main())
print(time.strftime('%X'))
"""

THIRD = """\
import asyncio

async def async_func(task_no):
    print(f'{task_no}: Запуск ...')
    await asyncio.sleep(1)
    print(f'{task_no}: ... Готово!')

async def main():
    taskA = loop.create_task (async_func('taskA'))
    taskB = loop.create_task(async_func('taskB'))
    taskC = loop.create_task(async_func('taskC'))
    await asyncio.wait([taskA,taskB,taskC])

if __name__ == "__main__":
    try:
        loop = asyncio.new_event_loop()
        loop.run_until_complete(main())
    except :
        pass
"""


def test_the_first_program_sleeps_six_virtual_seconds(run):
    verdict = run(FIRST)
    assert verdict["status"] == "ok"
    assert verdict["virtual_seconds"] == 6.0
    assert verdict["stdout"] == "16\nfun1 завершена\n2.0\nfun2 завершена\n12:00:06\n12:00:06\n"
    assert verdict["events"] == []


def test_the_first_program_as_printed_is_an_indentation_error(run):
    broken = FIRST.replace("def fun2(x):\n    print(x**0.5)", "def fun2(x): print(x**0.5)")
    verdict = run(broken)
    assert verdict["status"] == "error"
    assert verdict["exception"]["type"] == "IndentationError"
    assert verdict["exception"]["line"] == 9
    assert "IndentationError" in verdict["stderr"]


def test_the_second_program_takes_three_virtual_seconds_in_milliseconds(run):
    verdict = run(SECOND)
    assert verdict["status"] == "ok"
    assert verdict["virtual_seconds"] == 3.0
    assert verdict["stdout"] == "12:00:00\n16\n2.0\nfun1 завершена\nfun2 завершена\n12:00:03\n"
    assert verdict["wall_seconds"] < 1.0
    assert verdict["concurrency"] == 2
    names = [(task["coro"], task["started"], task["finished"]) for task in verdict["tasks"]]
    assert names == [("main", 0.0, 3.0), ("fun1", 0.0, 3.0), ("fun2", 0.0, 3.0)]


def test_the_third_program_runs_three_tasks_in_one_virtual_second(run):
    verdict = run(THIRD)
    assert verdict["status"] == "ok"
    assert verdict["virtual_seconds"] == 1.0
    assert verdict["stdout"].splitlines() == [
        "taskA: Запуск ...",
        "taskB: Запуск ...",
        "taskC: Запуск ...",
        "taskA: ... Готово!",
        "taskB: ... Готово!",
        "taskC: ... Готово!",
    ]
    assert verdict["concurrency"] == 3
