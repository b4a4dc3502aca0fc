"""Source checks on the syntax tree: the `syntax: {forbid, require}` spec key.

Names are resolved as `used_names` resolves them (runner/checks.py): after `import asyncio as
aio`, `aio.gather(...)` is a call of `asyncio.gather`; after `from time import sleep`, `sleep(1)`
is a call of `time.sleep`. A call's name whose object is not a plain name (`obj().run()`) starts
with `?` (`?.run`). A dotted wanted name matches exactly; a bare one (`cancel`) matches any
call ending in it (`task.cancel`, `self.task.cancel`).

Rules:
- `bare_except` (forbid only): an `except:` or `except BaseException` (alone or in a tuple)
  whose handler does not re-raise (`raise`, or `raise <its name>`);
- `{call: NAME, inside: CONSTRUCT}` (forbid or require; `inside` optional): a call of that name,
  where CONSTRUCT is one of CONSTRUCTS or a name, meaning inside a `with`/`async with` block
  whose context is that name or a call of it (`asyncio.TaskGroup`, `asyncio.timeout`).
  Constructs are counted within the innermost function: a call in a plain `def` nested in an
  `async def` is not inside `async def`, so `asyncio.to_thread(time.sleep, 1)` and a blocking
  helper run in a thread are not calls on the loop's thread;
- `cancel_awaited` (require only): every `x.cancel()` is followed, in the same function, by an
  `await` whose expression involves x (`await x`, `gather(x, ...)`, `wait([x])`, `wait_for(x)`),
  or sits in an `async with asyncio.TaskGroup()` block (its end awaits its tasks). When x is the
  variable of an enclosing `for x in xs` (or a comprehension), an await involving `xs` counts.
  Handles from call_soon/call_later/call_at and futures from create_future are left out: there
  is nothing to await.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from runner.messages import message

CONSTRUCTS = ("async def", "async with", "async for", "with", "try", "for", "while")
RULES = {"forbid": ("bare_except",), "require": ("cancel_awaited",)}
# Calls whose result has a cancel() but nothing to await.
NOT_AWAITABLE = ("call_soon", "call_soon_threadsafe", "call_later", "call_at", "create_future")
NAME_PREFIX = "="


def aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> what it imports: `aio` -> `asyncio`, `sleep` -> `time.sleep`."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def imported(tree: ast.AST) -> set[str]:
    """Every local name an import binds."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def dotted(node: ast.AST, names: dict[str, str], unknown: str | None = None) -> str | None:
    """`aio.gather` -> `asyncio.gather`; None (or unknown + `.attr...`) for other objects."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(names.get(node.id, node.id))
    elif unknown is not None and parts:
        parts.append(unknown)
    else:
        return None
    return ".".join(reversed(parts))


def matches(wanted: str, name: str | None) -> bool:
    """`asyncio.gather` matches exactly; a bare `cancel` matches any `x.cancel`."""
    if name is None:
        return False
    if wanted == name:
        return True
    return "." not in wanted and name.rsplit(".", 1)[-1] == wanted


def _with_names(items: list[ast.withitem], names: dict[str, str]) -> tuple[str, ...]:
    found = []
    for item in items:
        expr = item.context_expr
        target = expr.func if isinstance(expr, ast.Call) else expr
        name = dotted(target, names, unknown="?")
        if name:
            found.append(NAME_PREFIX + name)
    return tuple(found)


def walk(tree: ast.AST, names: dict[str, str]) -> Iterator[tuple[ast.AST, tuple[str, ...]]]:
    """Every node with the constructs around it in its own function: the function's kind
    (`async def`, `def`, `lambda`) first, then the blocks inside it, outermost first; the names
    of with/async with contexts carry NAME_PREFIX."""
    stack: list[tuple[ast.AST, tuple[str, ...]]] = [(tree, ())]
    while stack:
        node, around = stack.pop()
        yield node, around
        children = []
        for field, value in ast.iter_fields(node):
            inner = around
            if field in ("body", "orelse", "handlers", "finalbody"):
                if isinstance(node, ast.AsyncFunctionDef):
                    inner = ("async def",)
                elif isinstance(node, ast.FunctionDef):
                    inner = ("def",)
                elif isinstance(node, ast.Lambda):
                    inner = ("lambda",)
                elif isinstance(node, ast.AsyncWith) and field == "body":
                    inner = (*around, "async with", *_with_names(node.items, names))
                elif isinstance(node, ast.With) and field == "body":
                    inner = (*around, "with", *_with_names(node.items, names))
                elif isinstance(node, ast.AsyncFor):
                    inner = (*around, "async for")
                elif isinstance(node, ast.For):
                    inner = (*around, "for")
                elif isinstance(node, ast.While):
                    inner = (*around, "while")
                elif isinstance(node, ast.Try | getattr(ast, "TryStar", ast.Try)):
                    inner = (*around, "try")
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    children.append((child, inner))
        stack.extend(reversed(children))


def is_inside(construct: str | None, around: tuple[str, ...]) -> bool:
    if construct is None:
        return True
    if construct in CONSTRUCTS:
        return construct in around
    return any(
        matches(construct, label[len(NAME_PREFIX) :])
        for label in around
        if label.startswith(NAME_PREFIX)
    )


def _calls(tree: ast.AST, names: dict[str, str]) -> list[tuple[ast.Call, str, tuple[str, ...]]]:
    return [
        (node, dotted(node.func, names, unknown="?") or "?", around)
        for node, around in walk(tree, names)
        if isinstance(node, ast.Call)
    ]


def _reraises(handler: ast.ExceptHandler) -> bool:
    for node in own_nodes(handler.body):
        if isinstance(node, ast.Raise) and (
            node.exc is None
            or (isinstance(node.exc, ast.Name) and handler.name and node.exc.id == handler.name)
        ):
            return True
    return False


def own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of these statements, leaving out nested functions, lambdas and classes."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            stack.extend(ast.iter_child_nodes(node))


def bare_excepts(tree: ast.AST, names: dict[str, str]) -> list[int]:
    """Lines of the handlers that catch everything and do not re-raise."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ExceptHandler):
            continue
        caught = node.type
        types = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        wide = caught is None or any(
            dotted(t, names) in ("BaseException", "builtins.BaseException")
            for t in types
            if t is not None
        )
        if wide and not _reraises(node):
            lines.append(node.lineno)
    return sorted(lines)


def scopes(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    """The module's body and every function's body."""
    yield tree.body  # type: ignore[attr-defined]
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.body


def involved(expr: ast.AST) -> set[str]:
    """What an await must mention to involve expr: expr itself; for `tasks[i]` also `tasks`;
    for `tasks.values()` also `tasks`."""
    keys = {ast.unparse(expr)}
    if isinstance(expr, ast.Subscript):
        keys |= involved(expr.value)
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        keys |= involved(expr.func.value)
    return keys


def _position(node: ast.AST) -> tuple[int, int]:
    return (node.lineno, node.col_offset)  # type: ignore[attr-defined]


def mentioned(node: ast.AST) -> set[str]:
    """Every expression in node, as source text: what an await there involves."""
    return {ast.unparse(sub) for sub in ast.walk(node) if isinstance(sub, ast.expr)}


def cancels(
    body: list[ast.stmt], names: dict[str, str], module_names: set[str]
) -> list[tuple[ast.Call, set[str]]]:
    """Each `x.cancel()` among these statements (nested functions left out) that cancels
    something awaitable, with what an await must mention to involve x."""
    nodes = list(own_nodes(body))
    not_awaitable = set()
    for node in nodes:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and any(matches(n, dotted(node.value.func, names, "?")) for n in NOT_AWAITABLE)
        ):
            not_awaitable.update(ast.unparse(t) for t in node.targets)
    # A loop variable stands for its iterable: `for t in pending: t.cancel()`.
    bound: dict[str, set[str]] = {}
    for node in nodes:
        loops = []
        if isinstance(node, ast.For | ast.AsyncFor):
            loops.append((node.target, node.iter))
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            loops.extend((g.target, g.iter) for g in node.generators)
        for target, iterable in loops:
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, set()).update(involved(iterable))
    found = []
    for node in nodes:
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "cancel"
            and not node.keywords
            and len(node.args) <= 1
        ):
            continue
        receiver = node.func.value
        key = ast.unparse(receiver)
        if key in not_awaitable:
            continue
        if isinstance(receiver, ast.Name) and receiver.id in module_names:
            continue
        found.append((node, involved(receiver) | bound.get(key, set())))
    return found


def unawaited_cancels(tree: ast.AST, names: dict[str, str]) -> list[tuple[int, str]]:
    """(line, receiver) of each `x.cancel()` no await of x follows in the same function."""
    found = []
    module_names = imported(tree)
    for body in scopes(tree):
        awaits = [
            (_position(node), mentioned(node.value))
            for node in own_nodes(body)
            if isinstance(node, ast.Await)
        ]
        in_group = {
            id(call)
            for call, _, around in _calls(ast.Module(body=body, type_ignores=[]), names)
            if is_inside("asyncio.TaskGroup", around)
        }
        for node, keys in cancels(body, names, module_names):
            if id(node) in in_group:
                continue
            after = _position(node)
            if not any(where > after and keys & said for where, said in awaits):
                found.append((node.lineno, ast.unparse(node.func.value)))  # type: ignore[attr-defined]
    return sorted(found)


# The check ---------------------------------------------------------------------------------


def _result(passed: bool, code: str, at: int | None = None, **params: Any) -> dict[str, Any]:
    """A result of the syntax check; `at`: the offending line."""
    result = {"name": "syntax", "passed": passed, "message": message(code, **params)}
    if at is not None:
        result["line"] = at
    return result


def _inside(construct: str | None) -> dict[str, Any] | str:
    return message("syntax_inside", construct=construct) if construct else ""


def check_syntax(
    spec: dict[str, list[Any]], verdict: dict[str, Any], source: str
) -> dict[str, Any]:
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return _result(False, "check_code_unreadable", error=error.msg, line=error.lineno)
    names = aliases(tree)
    calls = None
    for rule in spec.get("forbid", []):
        if rule == "bare_except":
            lines = bare_excepts(tree, names)
            if lines:
                return _result(False, "check_syntax_bare_except", lines[0], line=lines[0])
            continue
        calls = calls if calls is not None else _calls(tree, names)
        wanted, construct = rule["call"], rule.get("inside")
        for call, name, around in calls:
            if matches(wanted, name) and is_inside(construct, around):
                return _result(
                    False,
                    "check_syntax_forbidden_call",
                    call.lineno,
                    line=call.lineno,
                    call=name.lstrip("?."),
                    inside=_inside(construct),
                )
    for rule in spec.get("require", []):
        if rule == "cancel_awaited":
            cancels = unawaited_cancels(tree, names)
            if cancels:
                line, task = cancels[0]
                return _result(False, "check_syntax_cancel_not_awaited", line, line=line, task=task)
            continue
        calls = calls if calls is not None else _calls(tree, names)
        wanted, construct = rule["call"], rule.get("inside")
        if not any(
            matches(wanted, name) and is_inside(construct, around) for _, name, around in calls
        ):
            inside = _inside(construct)
            return _result(False, "check_syntax_missing_call", call=wanted, inside=inside)
    return _result(True, "check_syntax_ok")


def _is_name(value: Any) -> bool:
    return (
        isinstance(value, str)
        and bool(value)
        and all(part.isidentifier() for part in value.split("."))
    )


def syntax_problem(value: Any) -> str | None:
    """Why a `syntax` setting cannot be checked, or None."""
    shape = "must be {forbid: [rules], require: [rules]}"
    if not isinstance(value, dict) or not value or set(value) - set(RULES):
        return shape
    for side, rules in value.items():
        if not isinstance(rules, list) or not rules:
            return f"{side} must be a list of rules"
        for rule in rules:
            words = RULES[side][0]
            if isinstance(rule, str):
                if rule not in RULES[side]:
                    return f"{side}: unknown rule {rule!r}; a rule is {words} or {{call: name}}"
            elif isinstance(rule, dict):
                if "call" not in rule or set(rule) - {"call", "inside"}:
                    return f"{side}: a call rule is {{call: name, inside: construct}}"
                if not _is_name(rule["call"]):
                    call = rule["call"]
                    return f"{side}: call must be a name such as asyncio.gather, not {call!r}"
                inside = rule.get("inside")
                if inside is not None and inside not in CONSTRUCTS and not _is_name(inside):
                    return (
                        f"{side}: inside must be one of {', '.join(CONSTRUCTS)}, or a name "
                        f"such as asyncio.TaskGroup, not {inside!r}"
                    )
            else:
                return f"{side}: a rule is {words} or {{call: name, inside: construct}}"
    return None
