"""Mutants of a code card's reference solution: the plausible wrong solutions its checks must
refuse.

Each operator models a mistake learners make with asyncio (dropping an await, awaiting
concurrent work one after the other, blocking the loop, not cancelling or not awaiting what was
cancelled, swallowing every exception, stopping on a timeout instead of a sentinel, hard-coding
the output, decorating with a construct that does nothing). A mutant is the solution with one
such change, made on its syntax tree and spliced into its text, so its diff shows that change
alone. Its id is `<operator>@<line>` (the line in the reference; `.2`, `.3`... when the same
operator changes the same line more than once), the id a card names in `equivalent_mutants`
when a mutant behaves exactly like the reference.

`prove_mutants` runs every mutant against the card's checks: a mutant that passes them
survives, unless the card declares it equivalent with a reason.
"""

from __future__ import annotations

import ast
import difflib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from quiz.runs.verdicts import Verdict
from runner.syntax import aliases, cancels, dotted, imported, matches, mentioned, own_nodes, scopes

# Each operator and the mistake it makes (shown beside a surviving mutant).
OPERATORS: dict[str, Any] = {
    "drop-await": gettext_lazy("an await left out: the coroutine is created and never run"),
    "await-to-task": gettext_lazy(
        "the awaited coroutine started as a task that nothing waits for (fire and forget)"
    ),
    "drop-await-statement": gettext_lazy("an await statement left out"),
    "drop-cancelled-await": gettext_lazy("the cancelled task not awaited afterwards"),
    "sequential-gather": gettext_lazy("gather's awaitables awaited one after another"),
    "sequential-tasks": gettext_lazy("each task awaited right after it is created"),
    "taskgroup-to-gather": gettext_lazy(
        "the TaskGroup kept as decoration: its tasks run by gather inside it"
    ),
    "group-bypass": gettext_lazy("asyncio.create_task inside the TaskGroup instead of its own"),
    "blocking-sleep": gettext_lazy("time.sleep instead of await asyncio.sleep"),
    "unthread": gettext_lazy("the blocking function called on the loop instead of in a thread"),
    "sync-coroutine": gettext_lazy("a blocking function (time.sleep) instead of the coroutine"),
    "drop-cancel": gettext_lazy("a cancel() left out"),
    "drop-close": gettext_lazy("a close() left out"),
    "drop-task-done": gettext_lazy("a task_done() left out"),
    "widen-except": gettext_lazy("the except widened to catch everything"),
    "drop-reraise": gettext_lazy("the handler no longer raises again"),
    "sentinel-to-timeout": gettext_lazy("the consumer stops on a timeout instead of the sentinel"),
    "poll-future": gettext_lazy("the task or future polled with done() instead of awaited"),
    "drop-keyword": gettext_lazy("an argument of an asyncio call left out"),
    "drop-timeout": gettext_lazy("the timeout left out"),
    "drop-lock": gettext_lazy("the lock left out"),
    "drop-shield": gettext_lazy("the shield left out"),
    "as-completed-to-list": gettext_lazy(
        "the awaitables taken in the order written instead of as they complete"
    ),
    "drop-finally": gettext_lazy("the cleanup in finally left out"),
    "unsafe-call-soon": gettext_lazy(
        "call_soon from another thread instead of call_soon_threadsafe"
    ),
    "hardcode-output": gettext_lazy("the expected output printed as text, after a sleep"),
}

# asyncio functions whose keyword arguments change what they do.
KEYWORDS = ("return_exceptions", "return_when", "timeout")
# Awaited calls that give a future, not a coroutine: create_task() of them is not a mistake
# anyone makes.
NOT_COROUTINES = ("asyncio.gather", "asyncio.wait", "asyncio.shield", "asyncio.sleep")
POLL_SECONDS = 0.1
SENTINEL_TIMEOUT = 1


class Edit(NamedTuple):
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mutant:
    id: str
    operator: str
    line: int
    source: str

    def diff(self, reference: str) -> str:
        """A unified diff from the reference to this mutant."""
        return "".join(
            difflib.unified_diff(
                reference.splitlines(keepends=True),
                self.source.splitlines(keepends=True),
                "solution",
                self.id,
                n=1,
            )
        )

    @property
    def what(self) -> str:
        return str(OPERATORS[self.operator])


class Source:
    """The reference's text and tree, and edits on the text located by the tree."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tree = ast.parse(text)
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.names = aliases(self.tree)
        self.parents: dict[ast.AST, ast.AST] = {
            child: node for node in ast.walk(self.tree) for child in ast.iter_child_nodes(node)
        }

    def index(self, line: int, col: int) -> int:
        """The text index of a tree position (columns are UTF-8 bytes)."""
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        return self.starts[line - 1] + len(text.encode()[:col].decode(errors="ignore"))

    def span(self, node: Any) -> tuple[int, int]:
        return self.index(node.lineno, node.col_offset), self.index(
            node.end_lineno, node.end_col_offset
        )

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def name(self, node: ast.AST) -> str | None:
        """The resolved name of a called or referenced object (`asyncio.gather`)."""
        target = node.func if isinstance(node, ast.Call) else node
        return dotted(target, self.names, unknown="?")

    def calls(self, *wanted: str) -> Iterator[ast.Call]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and any(matches(w, self.name(node)) for w in wanted):
                yield node

    def expr(self, node: ast.AST, text: str) -> Edit:
        start, end = self.span(node)
        return Edit(start, end, text)

    def statement(self, node: Any, lines: list[str]) -> Edit | None:
        """Replace a statement's whole lines with these (indented as it is); None when it
        shares a line with another statement."""
        first = self.lines[node.lineno - 1]
        indent = first[: len(first) - len(first.lstrip())]
        if self.index(node.lineno, node.col_offset) != self.starts[node.lineno - 1] + len(indent):
            return None
        end = self.index(node.end_lineno, node.end_col_offset)
        rest = self.text[end : self.starts[node.end_lineno]].strip()
        if rest and not rest.startswith("#"):
            return None
        text = "".join(f"{indent}{line}\n" for line in lines)
        return Edit(self.starts[node.lineno - 1], self.starts[node.end_lineno], text)

    def header(self, node: Any, text: str) -> Edit | None:
        """Replace a compound statement's header (up to its body) with text."""
        body_line = node.body[0].lineno
        if body_line == node.lineno:
            return None
        start = self.index(node.lineno, node.col_offset)
        return Edit(start, self.starts[body_line - 1], text + "\n")

    def module(self, name: str) -> tuple[str, list[Edit]]:
        """The local name of a module, and the edit that imports it when the code does not."""
        for node in self.tree.body:  # type: ignore[attr-defined]
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == name:
                        return alias.asname or name, []
        if name in imported(self.tree):
            return f"__import__({name!r})", []
        position = 0
        for node in self.tree.body:  # type: ignore[attr-defined]
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                position = self.starts[node.end_lineno]
        return name, [Edit(position, position, f"import {name}\n")]

    def in_async_function(self, node: ast.AST) -> bool:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.Lambda):
                return False
            if isinstance(node, ast.AsyncFunctionDef):
                return True
        return False

    def statements(self) -> Iterator[Any]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.stmt):
                yield node

    def apply(self, edits: list[Edit]) -> str | None:
        """The text with these edits made; None when two of them overlap."""
        text = self.text
        last = len(text) + 1
        for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
            if edit.end > last:
                return None
            text = text[: edit.start] + edit.text + text[edit.end :]
            last = edit.start
        return text


# One change: the line it is on, and its edits (None where it could not be made).
Change = tuple[int, list[Edit | None]]
Operator = Callable[[Source], Iterator[Change]]


def _awaited_call(node: ast.AST) -> ast.Call | None:
    if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
        return node.value
    return None


def _args(src: Source, call: ast.Call, skip: int = 0) -> str:
    parts = [src.segment(arg) for arg in call.args[skip:]]
    parts += [src.segment(keyword) for keyword in call.keywords]
    return ", ".join(parts)


def drop_await(src: Source) -> Iterator[Change]:
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Await):
            yield node.lineno, [src.expr(node, src.segment(node.value))]


def await_to_task(src: Source) -> Iterator[Change]:
    for stmt in src.statements():
        call = _awaited_call(stmt.value) if isinstance(stmt, ast.Expr) else None
        if call is None or any(matches(n, src.name(call)) for n in NOT_COROUTINES):
            continue
        aio, imports = src.module("asyncio")
        task = src.expr(stmt.value, f"{aio}.create_task({src.segment(call)})")
        yield stmt.lineno, [task, *imports]


def drop_await_statements(src: Source) -> Iterator[Change]:
    """An `await ...` statement left out; named drop-cancelled-await when it awaited something
    cancelled before it in the same function."""
    module_names = imported(src.tree)
    for body in scopes(src.tree):
        cancelled = cancels(body, src.names, module_names)
        for node in own_nodes(body):
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Await)):
                continue
            said = mentioned(node.value)
            after_cancel = any(
                keys & said and (call.lineno, call.col_offset) < (node.lineno, node.col_offset)
                for call, keys in cancelled
            )
            name = "drop-cancelled-await" if after_cancel else "drop-await-statement"
            yield node.lineno, [src.statement(node, ["pass"])], name  # type: ignore[misc]


def sequential_gather(src: Source) -> Iterator[Change]:
    for node in ast.walk(src.tree):
        call = _awaited_call(node)
        if call is None or not matches("asyncio.gather", src.name(call)):
            continue
        if len(call.args) < 2 and not any(isinstance(a, ast.Starred) for a in call.args):
            continue
        parts = [
            f"*[await _aw for _aw in {src.segment(arg.value)}]"
            if isinstance(arg, ast.Starred)
            else f"await {src.segment(arg)}"
            for arg in call.args
        ]
        yield node.lineno, [src.expr(node, "[" + ", ".join(parts) + "]")]


def sequential_tasks(src: Source) -> Iterator[Change]:
    for stmt in src.statements():
        value = getattr(stmt, "value", None)
        if not isinstance(stmt, ast.Expr | ast.Assign) or not isinstance(value, ast.Call):
            continue
        if not any(matches(n, src.name(value)) for n in ("create_task", "asyncio.ensure_future")):
            continue
        if not value.args or not src.in_async_function(stmt):
            continue
        if isinstance(stmt, ast.Expr):
            yield stmt.lineno, [src.statement(stmt, [f"await {src.segment(value.args[0])}"])]
        elif len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            aio, imports = src.module("asyncio")
            task = stmt.targets[0].id
            lines = [*src.segment(stmt).splitlines(), f"await {aio}.wait([{task}])"]
            yield stmt.lineno, [src.statement(stmt, lines), *imports]


ONE_BY_ONE = "_one_by_one"


def _helper(src: Source, aio: str) -> Edit:
    """Define the coroutine that awaits a task as soon as it is made, after the imports."""
    position = 0
    for node in src.tree.body:  # type: ignore[attr-defined]
        if isinstance(node, ast.Import | ast.ImportFrom):
            position = src.starts[node.end_lineno]
    text = f"\n\nasync def {ONE_BY_ONE}(task):\n    await {aio}.wait([task])\n    return task\n\n"
    return Edit(position, position, text)


def sequential_tasks_in_comprehensions(src: Source) -> Iterator[Change]:
    for node in ast.walk(src.tree):
        if not isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            continue
        call = node.elt
        if not isinstance(call, ast.Call) or not src.in_async_function(node):
            continue
        if not any(matches(n, src.name(call)) for n in ("create_task", "asyncio.ensure_future")):
            continue
        aio, imports = src.module("asyncio")
        edit = src.expr(call, f"await {ONE_BY_ONE}({src.segment(call)})")
        yield call.lineno, [edit, _helper(src, aio), *imports], "sequential-tasks"


def _task_groups(src: Source) -> Iterator[tuple[ast.AsyncWith, str]]:
    for node in ast.walk(src.tree):
        if isinstance(node, ast.AsyncWith) and len(node.items) == 1:
            item = node.items[0]
            if (
                isinstance(item.context_expr, ast.Call)
                and matches("asyncio.TaskGroup", src.name(item.context_expr))
                and isinstance(item.optional_vars, ast.Name)
            ):
                yield node, item.optional_vars.id


def taskgroup_to_gather(src: Source) -> Iterator[Change]:
    for group, name in _task_groups(src):
        creates = [
            stmt
            for stmt in group.body
            if isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and src.name(stmt.value) == f"{name}.create_task"
            and stmt.value.args
        ]
        if not creates:
            continue
        aio, imports = src.module("asyncio")
        awaitables = ", ".join(src.segment(stmt.value.args[0]) for stmt in creates)  # type: ignore[attr-defined]
        edits = [src.statement(creates[0], [f"await {aio}.gather({awaitables})"])]
        edits += [src.statement(stmt, ["pass"]) for stmt in creates[1:]]
        yield group.lineno, [*edits, *imports]


def group_bypass(src: Source) -> Iterator[Change]:
    for group, name in _task_groups(src):
        aio, imports = src.module("asyncio")
        for node in ast.walk(group):
            if isinstance(node, ast.Call) and src.name(node) == f"{name}.create_task":
                yield node.lineno, [src.expr(node.func, f"{aio}.create_task"), *imports]


def blocking_sleep(src: Source) -> Iterator[Change]:
    for node in ast.walk(src.tree):
        call = _awaited_call(node)
        if call is not None and matches("asyncio.sleep", src.name(call)) and call.args:
            clock, imports = src.module("time")
            delay = src.segment(call.args[0])
            yield node.lineno, [src.expr(node, f"{clock}.sleep({delay})"), *imports]


def unthread(src: Source) -> Iterator[Change]:
    for node in ast.walk(src.tree):
        call = _awaited_call(node)
        if call is None:
            continue
        if matches("asyncio.to_thread", src.name(call)) and call.args:
            function, skip = call.args[0], 1
        elif matches("run_in_executor", src.name(call)) and len(call.args) >= 2:
            function, skip = call.args[1], 2
        else:
            continue
        yield node.lineno, [src.expr(node, f"{src.segment(function)}({_args(src, call, skip)})")]


def sync_coroutine(src: Source) -> Iterator[Change]:
    """An `async def` that only sleeps made a plain function that blocks in time.sleep, and
    its awaits made plain calls."""
    run_mains = {
        arg.func.id
        for call in src.calls("asyncio.run")
        for arg in call.args
        if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name)
    }
    for function in ast.walk(src.tree):
        if not isinstance(function, ast.AsyncFunctionDef) or function.name in run_mains:
            continue
        own = list(own_nodes(function.body))
        if any(isinstance(n, ast.AsyncWith | ast.AsyncFor) for n in own):
            continue
        awaits = [n for n in own if isinstance(n, ast.Await)]
        if any(
            not (_awaited_call(n) and matches("asyncio.sleep", src.name(n.value))) for n in awaits
        ):
            continue
        start = src.index(function.lineno, function.col_offset)
        if not src.text.startswith("async def", start):
            continue
        clock, imports = src.module("time")
        edits: list[Edit | None] = [Edit(start, start + len("async def"), "def"), *imports]
        for node in awaits:
            delay = node.value.args[0] if node.value.args else None  # type: ignore[attr-defined]
            edits.append(src.expr(node, f"{clock}.sleep({src.segment(delay) if delay else 0})"))
        for node in ast.walk(src.tree):
            call = _awaited_call(node)
            callee = getattr(call.func, "id", None) if call is not None else None
            if call is not None and callee == function.name:
                edits.append(src.expr(node, src.segment(call)))
        yield function.lineno, edits


def _drop_method_call(method: str) -> Operator:
    def operator(src: Source) -> Iterator[Change]:
        for stmt in src.statements():
            value = getattr(stmt, "value", None)
            if value is not None and isinstance(stmt, ast.Expr):
                value = value.value if isinstance(value, ast.Await) else value
                if (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Attribute)
                    and value.func.attr == method
                ):
                    yield stmt.lineno, [src.statement(stmt, ["pass"])]

    return operator


def widen_except(src: Source) -> Iterator[Change]:
    for node in ast.walk(src.tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            if src.name(node.type) in ("BaseException", "builtins.BaseException"):
                continue
            yield node.lineno, [src.expr(node.type, "BaseException")]


def drop_reraise(src: Source) -> Iterator[Change]:
    for handler in ast.walk(src.tree):
        if isinstance(handler, ast.ExceptHandler):
            for node in own_nodes(handler.body):
                if isinstance(node, ast.Raise) and node.exc is None:
                    yield node.lineno, [src.statement(node, ["pass"])]


def sentinel_to_timeout(src: Source) -> Iterator[Change]:
    """`item = await queue.get()` then `if item is None: ... break` in a loop: wait at most a
    second for each item and stop on the timeout, passing over the sentinel."""
    for loop in ast.walk(src.tree):
        if not isinstance(loop, ast.While):
            continue
        for n, stmt in enumerate(loop.body):
            call = _awaited_call(stmt.value) if isinstance(stmt, ast.Assign) else None
            if (
                call is None
                or len(stmt.targets) != 1  # type: ignore[attr-defined]
                or not isinstance(stmt.targets[0], ast.Name)  # type: ignore[attr-defined]
                or not isinstance(call.func, ast.Attribute)
                or call.func.attr != "get"
            ):
                continue
            item = stmt.targets[0].id  # type: ignore[attr-defined]
            check = next(
                (
                    s
                    for s in loop.body[n + 1 :]
                    if isinstance(s, ast.If)
                    and any(isinstance(x, ast.Name) and x.id == item for x in ast.walk(s.test))
                    and isinstance(s.body[-1], ast.Break | ast.Return)
                ),
                None,
            )
            if check is None:
                continue
            aio, imports = src.module("asyncio")
            wait = f"{item} = await {aio}.wait_for({src.segment(call)}, {SENTINEL_TIMEOUT})"
            lines = ["try:", f"    {wait}", f"except {aio}.TimeoutError:", "    break"]
            edits = [src.statement(stmt, lines), src.statement(check.body[-1], ["continue"])]
            yield stmt.lineno, [*edits, *imports]


def poll_future(src: Source) -> Iterator[Change]:
    for stmt in src.statements():
        value = getattr(stmt, "value", None)
        if not isinstance(value, ast.Await) or not isinstance(value.value, ast.Name):
            continue
        if isinstance(stmt, ast.Expr):
            result = f"{value.value.id}.result()"
        elif isinstance(stmt, ast.Assign):
            targets = " = ".join(src.segment(t) for t in stmt.targets)
            result = f"{targets} = {value.value.id}.result()"
        else:
            continue
        aio, imports = src.module("asyncio")
        lines = [
            f"while not {value.value.id}.done():",
            f"    await {aio}.sleep({POLL_SECONDS})",
            result,
        ]
        yield stmt.lineno, [src.statement(stmt, lines), *imports]


def drop_keyword(src: Source) -> Iterator[Change]:
    for call in src.calls("asyncio.gather", "asyncio.wait", "asyncio.wait_for"):
        for keyword in call.keywords:
            if keyword.arg not in KEYWORDS:
                continue
            if isinstance(keyword.value, ast.Constant) and keyword.value.value is None:
                continue
            kept = [src.segment(a) for a in call.args]
            kept += [src.segment(k) for k in call.keywords if k is not keyword]
            yield call.lineno, [src.expr(call, f"{src.segment(call.func)}({', '.join(kept)})")]


def drop_timeout(src: Source) -> Iterator[Change]:
    for node in ast.walk(src.tree):
        if isinstance(node, ast.AsyncWith) and len(node.items) == 1:
            item = node.items[0]
            if (
                isinstance(item.context_expr, ast.Call)
                and any(
                    matches(n, src.name(item.context_expr))
                    for n in ("asyncio.timeout", "asyncio.timeout_at")
                )
                and item.optional_vars is None
            ):
                yield node.lineno, [src.header(node, "if True:")]
    for call in src.calls("asyncio.wait_for"):
        if call.args:
            yield call.lineno, [src.expr(call, src.segment(call.args[0]))]


def drop_lock(src: Source) -> Iterator[Change]:
    for node in ast.walk(src.tree):
        if isinstance(node, ast.AsyncWith | ast.With) and len(node.items) == 1:
            item = node.items[0]
            if isinstance(item.context_expr, ast.Name | ast.Attribute) and not item.optional_vars:
                yield node.lineno, [src.header(node, "if True:")]


def drop_shield(src: Source) -> Iterator[Change]:
    for call in src.calls("asyncio.shield"):
        if call.args:
            yield call.lineno, [src.expr(call, src.segment(call.args[0]))]


def as_completed_to_list(src: Source) -> Iterator[Change]:
    for call in src.calls("asyncio.as_completed"):
        if call.args:
            yield call.lineno, [src.expr(call, src.segment(call.args[0]))]


def drop_finally(src: Source) -> Iterator[Change]:
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Try | getattr(ast, "TryStar", ast.Try)) and node.finalbody:
            edits = [src.statement(node.finalbody[0], ["pass"])]
            edits += [src.statement(stmt, []) for stmt in node.finalbody[1:]]
            yield node.finalbody[0].lineno, edits


def unsafe_call_soon(src: Source) -> Iterator[Change]:
    for call in src.calls("call_soon_threadsafe"):
        if isinstance(call.func, ast.Attribute):
            owner = src.segment(call.func.value)
            yield call.lineno, [src.expr(call.func, f"{owner}.call_soon")]


OPERATIONS: dict[str, Operator] = {
    "drop-await": drop_await,
    "await-to-task": await_to_task,
    "drop-await-statement": drop_await_statements,  # also yields drop-cancelled-await
    "sequential-gather": sequential_gather,
    "sequential-tasks": sequential_tasks,
    "sequential-tasks-in-comprehensions": sequential_tasks_in_comprehensions,
    "taskgroup-to-gather": taskgroup_to_gather,
    "group-bypass": group_bypass,
    "blocking-sleep": blocking_sleep,
    "unthread": unthread,
    "sync-coroutine": sync_coroutine,
    "drop-cancel": _drop_method_call("cancel"),
    "drop-close": _drop_method_call("close"),
    "drop-task-done": _drop_method_call("task_done"),
    "widen-except": widen_except,
    "drop-reraise": drop_reraise,
    "sentinel-to-timeout": sentinel_to_timeout,
    "poll-future": poll_future,
    "drop-keyword": drop_keyword,
    "drop-timeout": drop_timeout,
    "drop-lock": drop_lock,
    "drop-shield": drop_shield,
    "as-completed-to-list": as_completed_to_list,
    "drop-finally": drop_finally,
    "unsafe-call-soon": unsafe_call_soon,
}


def hardcoded(stdout: str, seconds: float) -> str:
    """A program that prints the expected output as text, taking the same time."""
    return (
        "import asyncio\n\n\n"
        "async def main():\n"
        f"    await asyncio.sleep({seconds!r})\n"
        f"    print({stdout!r}, end='')\n\n\n"
        "asyncio.run(main())\n"
    )


def generate(solution: str, reference: Verdict | None = None) -> list[Mutant]:
    """Every mutant of the solution, in operator order then line order; with the reference's
    verdict, also the program that hard-codes its output."""
    try:
        src = Source(solution)
    except SyntaxError:
        return []
    found: list[tuple[str, int, str]] = []
    for name, operation in OPERATIONS.items():
        for change in operation(src):
            line, edits, *renamed = change  # type: ignore[misc]
            if any(edit is None for edit in edits):
                continue
            text = src.apply(edits)  # type: ignore[arg-type]
            if text is not None:
                found.append((renamed[0] if renamed else name, line, text))
    if reference is not None and reference.get("passed"):
        found.append(("hardcode-output", 1, hardcoded(reference["stdout"], _seconds(reference))))
    mutants: list[Mutant] = []
    seen = {solution}
    counts: dict[str, int] = {}
    for operator, line, text in found:
        if text in seen:
            continue
        try:
            compile(text, "mutant", "exec", dont_inherit=True)
        except SyntaxError:
            continue
        seen.add(text)
        base = f"{operator}@{line}"
        counts[base] = counts.get(base, 0) + 1
        ident = base if counts[base] == 1 else f"{base}.{counts[base]}"
        mutants.append(Mutant(ident, operator, line, text))
    return mutants


def _seconds(verdict: Verdict) -> float:
    return round(float(verdict.get("virtual_seconds") or 0.0), 6)


# Proving a card against its mutants --------------------------------------------------------

RunSource = Callable[[str, "dict[str, Any] | None"], Verdict]


@dataclass
class MutantRun:
    mutant: Mutant
    verdict: Verdict
    reason: str | None = None  # the card's reason for declaring it equivalent

    @property
    def passed(self) -> bool:
        return bool(self.verdict.get("passed"))

    @property
    def survived(self) -> bool:
        return self.passed and self.reason is None

    @property
    def failed(self) -> list[str]:
        return [c["name"] for c in self.verdict.get("checks", []) if not c["passed"]]

    def behaves_like(self, reference: Verdict) -> bool:
        """Same output, ending, time and events as the reference: perhaps equivalent."""
        fields = ("stdout", "status", "virtual_seconds")
        if any(self.verdict.get(f) != reference.get(f) for f in fields):
            return False
        kinds = [e["kind"] for e in self.verdict.get("events", [])]
        return kinds == [e["kind"] for e in reference.get("events", [])]


@dataclass
class MutantProof:
    solution: str
    reference: Verdict
    runs: list[MutantRun] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # declared ids no mutant has
    seconds: float = 0.0

    @property
    def survivors(self) -> list[MutantRun]:
        return [run for run in self.runs if run.survived]

    @property
    def killed(self) -> int:
        return sum(not run.passed for run in self.runs)

    @property
    def ok(self) -> bool:
        return not self.survivors and not self.unknown

    def problems(self) -> list[str]:
        problems = []
        if self.survivors:
            ids = ", ".join(run.mutant.id for run in self.survivors)
            problems.append(
                ngettext(
                    "A mutant of the reference passes every check (%(ids)s): tighten the "
                    "checks, or declare it equivalent with a reason.",
                    "%(count)s mutants of the reference pass every check (%(ids)s): tighten the "
                    "checks, or declare those that behave as the reference equivalent.",
                    len(self.survivors),
                )
                % {"count": len(self.survivors), "ids": ids}
            )
        problems += [
            _("The card declares %(id)s equivalent, but the solution has no such mutant.")
            % {"id": ident}
            for ident in self.unknown
        ]
        return problems


def prove_mutants(
    solution: str,
    checks: dict[str, Any],
    reference: Verdict,
    run: RunSource,
    equivalent: dict[str, str] | None = None,
    workers: int = 2,
) -> MutantProof:
    """Run every mutant of the solution against the checks (a few at a time)."""
    started = time.monotonic()
    equivalent = equivalent or {}
    mutants = generate(solution, reference)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        verdicts = list(pool.map(lambda mutant: run(mutant.source, checks), mutants))
    runs = [
        MutantRun(mutant, verdict, equivalent.get(mutant.id))
        for mutant, verdict in zip(mutants, verdicts, strict=True)
    ]
    ids = {mutant.id for mutant in mutants}
    unknown = [ident for ident in equivalent if ident not in ids]
    return MutantProof(solution, reference, runs, unknown, time.monotonic() - started)
