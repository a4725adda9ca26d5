"""Which files make up the project, listed once per run and shared by the static checks.

git knows best what is part of a repository (tracked plus untracked-not-ignored files); outside a
git work tree a walk stands in that skips virtualenvs, caches and build output and never follows
a symlinked directory, so a symlink loop cannot hang it.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

SKIPPED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        "site-packages",
    }
)
BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class ProjectFile:
    path: str
    """Relative to the rootdir, `/`-separated, as findings report it."""
    absolute: Path
    size: int


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Glob match on a relative path; a pattern without `/` matches any path component.

    `tests` matches `tests/a.py` and `pkg/tests/b.py`; `docs/*.md` matches only under docs;
    a pattern that names a directory matches everything below it.
    """
    parts = PurePosixPath(path).parts
    for pattern in patterns:
        pattern = pattern.strip("/")
        if "/" not in pattern:
            if any(fnmatch.fnmatchcase(part, pattern) for part in parts):
                return True
        elif _glob(pattern).fullmatch(path):
            return True
    return False


@functools.lru_cache(maxsize=512)
def _glob(pattern: str) -> re.Pattern[str]:
    """A path glob as git reads it: `*` stays within a directory, `**` crosses them."""
    pieces = []
    for index, piece in enumerate(re.split(r"(\*\*/?|\*|\?)", pattern)):
        if index % 2 == 0:
            pieces.append(re.escape(piece))
        elif piece.startswith("**"):
            pieces.append("(?:.*/)?" if piece.endswith("/") else ".*")
        else:
            pieces.append("[^/]*" if piece == "*" else "[^/]")
    return re.compile("".join(pieces) + "(?:/.*)?")


def is_binary(head: bytes) -> bool:
    return b"\0" in head[:BINARY_SNIFF_BYTES]


class ProjectFiles:
    """The project's files below `rootdir`, minus the globally excluded patterns."""

    def __init__(self, rootdir: Path, exclude: Sequence[str] = ()) -> None:
        self.rootdir = rootdir
        self.exclude = tuple(exclude)

    @cached_property
    def all(self) -> tuple[ProjectFile, ...]:
        names = self._from_git()
        if names is None:
            names = self._from_walk()
        found = []
        for name in sorted(set(names)):
            if matches(name, self.exclude):
                continue
            absolute = self.rootdir / name
            try:
                if absolute.is_symlink() or not absolute.is_file():
                    continue
                size = absolute.stat().st_size
            except OSError:
                continue
            found.append(ProjectFile(name, absolute, size))
        return tuple(found)

    def select(
        self, include: Sequence[str] = (), exclude: Sequence[str] = (), suffixes: Sequence[str] = ()
    ) -> list[ProjectFile]:
        """Files under `include` patterns (all when empty), minus `exclude`, with a suffix."""
        chosen = []
        for file in self.all:
            if include and not matches(file.path, include):
                continue
            if exclude and matches(file.path, exclude):
                continue
            if suffixes and not file.path.endswith(tuple(suffixes)):
                continue
            chosen.append(file)
        return chosen

    def _from_git(self) -> list[str] | None:
        command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
        try:
            completed = subprocess.run(
                command, cwd=self.rootdir, capture_output=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if completed.returncode != 0:
            return None
        names = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
        return [name for name in names if name and not _in_skipped_directory(name)]

    def _from_walk(self) -> list[str]:
        names = []
        for directory, subdirectories, filenames in os.walk(self.rootdir, followlinks=False):
            subdirectories[:] = [
                name
                for name in subdirectories
                if name not in SKIPPED_DIRECTORIES and not name.endswith(".egg-info")
            ]
            relative = Path(directory).relative_to(self.rootdir)
            for filename in filenames:
                names.append((relative / filename).as_posix())
        return names


def _in_skipped_directory(name: str) -> bool:
    return any(part in SKIPPED_DIRECTORIES for part in PurePosixPath(name).parts[:-1])
