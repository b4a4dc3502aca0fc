"""Interpreters the sandbox's uids cannot reach by name (pyenv under a private /root).

bwrap runs as the slot's unprivileged uid, and it resolves every bind's source by name as that
uid: /root/.pyenv/versions/3.13.0 is out of its reach when /root is 0700 (bwrap 0.8 resolves
even --ro-bind-fd's /proc/self/fd path, and is refused). Such a path is mirrored once into a
folder any user can reach, owned by the service and writable by it alone: hard links where the
file system allows (no data copied), copies elsewhere. bwrap binds the mirror at the original
path, so inside the sandbox the interpreter sits where its prefix and rpath say it does.
site-packages is left out (the sandbox's Python runs without site).
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile

STAMP = ".loopdeck-mirror"


def mirror_root() -> str:
    """Where mirrors live: /var/cache/loopdeck/pythons for root, else a per-user temp folder."""
    if os.geteuid() == 0:
        return "/var/cache/loopdeck/pythons"
    return os.path.join(tempfile.gettempdir(), f"loopdeck-pythons-{os.geteuid()}")


def world_reachable(path: str) -> bool:
    """True when any user may reach path by name: every folder above it searchable by others."""
    parent = os.path.dirname(path)
    while parent and parent != "/":
        if not os.stat(parent).st_mode & 0o001:
            return False
        parent = os.path.dirname(parent)
    return True


def _stamp(path: str) -> str:
    info = os.stat(path)
    return f"{info.st_dev}:{info.st_ino}:{info.st_mtime_ns}\n"


def _safe_root(root: str) -> None:
    os.makedirs(root, mode=0o755, exist_ok=True)
    info = os.lstat(root)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise PermissionError(f"{root} must be ours and writable by us alone")


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@functools.cache
def reachable(path: str) -> str:
    """path itself if the sandbox's uid reaches it, else its up-to-date mirror (cached)."""
    if world_reachable(path):
        return path
    root = mirror_root()
    _safe_root(root)
    mirror = os.path.join(root, path.lstrip("/"))
    stamp = _stamp(path)
    stamp_file = f"{mirror}{STAMP}"
    try:
        with open(stamp_file) as file:
            if file.read() == stamp:
                return mirror
    except OSError:
        pass
    parent = os.path.dirname(mirror)
    os.makedirs(parent, mode=0o755, exist_ok=True)
    building = tempfile.mkdtemp(dir=parent, prefix=".building-")
    os.chmod(building, 0o755)
    target = os.path.join(building, "tree")
    if os.path.isdir(path):
        ignore = shutil.ignore_patterns("site-packages")
        shutil.copytree(path, target, copy_function=_link_or_copy, ignore=ignore, symlinks=True)
    else:
        _link_or_copy(path, target)
    # Another process may have finished the same mirror meanwhile: the last one wins.
    old = f"{mirror}.old-{os.getpid()}"
    if os.path.lexists(mirror):
        os.rename(mirror, old)
    os.rename(target, mirror)
    for leftover in (old, building):
        if os.path.isdir(leftover) and not os.path.islink(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
        elif os.path.lexists(leftover):
            os.unlink(leftover)
    with open(stamp_file, "w") as file:
        file.write(stamp)
    return mirror
