"""How many frames of where each coroutine was created a program needs kept, read from its source.

The never-awaited report names the learner's line among a coroutine's origin frames: the frame
that created it, or, when that is a library function's, the line that called the library
function. Every frame kept costs every coroutine of the run (an origin tuple each, and the
garbage collections they bring on), so the second one is kept only for a program in which a
library function can create a coroutine on a line's behalf:

- one that names ``as_completed``, which creates the coroutines it hands out;
- one whose coroutine functions (or asyncio's) can reach other code as values: named other than
  in a call (a callback, ``partial``, ``default_factory``), decorated (``singledispatch``), or
  methods of a class (its instances can be handed to a library that calls them, such as
  ``contextlib.closing``);
- one that reaches names dynamically (``getattr``, ``exec``, ``globals()``, ``__dict__``...).

In any other program each coroutine is created by a line of main.py, or by asyncio's own code
for its own use (which awaits it), so the frame that created it is all the report needs.
"""

from __future__ import annotations

import ast
import asyncio
import inspect

# Frames kept: the creator's, and its caller's where needed.
CREATOR = 1
CREATOR_AND_CALLER = 2

# What reaches a function or an attribute by its name at run time.
DYNAMIC = {
    "getattr",
    "globals",
    "locals",
    "vars",
    "exec",
    "eval",
    "compile",
    "__import__",
    "attrgetter",
    "methodcaller",
    "__dict__",
}


def _asyncio_coroutine_names() -> set[str]:
    """asyncio's coroutine functions and methods, by name (sleep, wait_for, get, acquire...)."""
    names = set()
    for value in vars(asyncio).values():
        for cls in inspect.getmro(value) if isinstance(value, type) else ():
            names.update(k for k, v in vars(cls).items() if inspect.iscoroutinefunction(v))
        if inspect.iscoroutinefunction(value):
            names.add(value.__name__)
    return names


ASYNCIO_COROUTINES = _asyncio_coroutine_names()


def origin_depth(source: str) -> int:
    """The origin frames `source`'s coroutines need kept (see the module's docstring)."""
    if "as_completed" in source:
        return CREATOR_AND_CALLER
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return CREATOR_AND_CALLER
    coroutine_functions = set(ASYNCIO_COROUTINES)
    called: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncFunctionDef):
            if node.decorator_list:
                return CREATOR_AND_CALLER
            coroutine_functions.add(node.name)
        elif isinstance(node, ast.ClassDef):
            if any(isinstance(item, ast.AsyncFunctionDef) for item in node.body):
                return CREATOR_AND_CALLER
        elif isinstance(node, ast.Call):
            called.add(id(node.func))
        elif isinstance(node, ast.Name) and node.id in DYNAMIC:
            return CREATOR_AND_CALLER
        elif isinstance(node, ast.Attribute) and node.attr in DYNAMIC:
            return CREATOR_AND_CALLER
    for node in ast.walk(tree):
        if id(node) in called:
            continue
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
        else:
            continue
        if name in coroutine_functions:
            return CREATOR_AND_CALLER
    return CREATOR
