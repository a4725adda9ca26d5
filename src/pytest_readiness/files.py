"""Which files make up the project, listed once per run and shared by the static checks.

git knows best what is part of a repository (tracked plus untracked-not-ignored files); outside a
git work tree a walk stands in that skips virtualenvs, caches and build output and never follows
a symlinked directory, so a symlink loop cannot hang it.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

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


@dataclass(frozen=True)
class ProjectFile:
    path: str
    """Relative to the rootdir, `/`-separated, as findings report it."""
    rootdir: Path
    size: int
    signature: tuple[int, ...] = ()
    """Size, mtime, ctime and inode when listed: equal signatures mean unchanged content
    (ctime moves on every write and cannot be set back), so a cache can skip reading."""

    @cached_property
    def absolute(self) -> Path:
        """Built on first use: a warm re-check of a large tree never needs most of them."""
        return self.rootdir / self.path


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Glob match on a relative path; a pattern without `/` matches any path component.

    `tests` matches `tests/a.py` and `pkg/tests/b.py`; `docs/*.md` matches only under docs;
    a pattern that names a directory matches everything below it. `*` stays within a
    directory and `**` crosses them, as in `.gitignore`.
    """
    compiled = _compiled(tuple(patterns))
    return compiled is not None and compiled.fullmatch(path) is not None


@functools.lru_cache(maxsize=512)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """All patterns as one regex: checks match every file of a tree against the same list."""
    alternatives = []
    for pattern in patterns:
        pattern = pattern.strip("/")
        body = _glob_body(pattern)
        alternatives.append(body if "/" in pattern else f"(?:.*/)?{body}")
    if not alternatives:
        return None
    return re.compile("(?:" + "|".join(alternatives) + ")(?:/.*)?")


def _glob_body(pattern: str) -> str:
    pieces = []
    for index, piece in enumerate(re.split(r"(\*\*/?|\*|\?)", pattern)):
        if index % 2 == 0:
            pieces.append(re.escape(piece))
        elif piece.startswith("**"):
            pieces.append("(?:.*/)?" if piece.endswith("/") else ".*")
        else:
            pieces.append("[^/]*" if piece == "*" else "[^/]")
    return "".join(pieces)


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
        root = os.fspath(self.rootdir)
        for name in sorted(set(names)):
            if self.exclude and matches(name, self.exclude):
                continue
            try:
                info = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                signature = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
                found.append(ProjectFile(name, self.rootdir, info.st_size, signature))
        return tuple(found)

    def select(
        self, include: Sequence[str] = (), exclude: Sequence[str] = (), suffixes: Sequence[str] = ()
    ) -> list[ProjectFile]:
        """Files under `include` patterns (all when empty), minus `exclude`, with a suffix."""
        included, excluded = _compiled(tuple(include)), _compiled(tuple(exclude))
        endings = tuple(suffixes)
        return [
            file
            for file in self.all
            if (included is None or included.fullmatch(file.path))
            and (excluded is None or not excluded.fullmatch(file.path))
            and (not endings or file.path.endswith(endings))
        ]

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
        """Every file below the rootdir that no `.gitignore` on its way excludes."""
        names: list[str] = []
        inherited: dict[str, tuple[_IgnoreRule, ...]] = {}
        for directory, subdirectories, filenames in os.walk(self.rootdir, followlinks=False):
            relative = Path(directory).relative_to(self.rootdir).as_posix()
            prefix = "" if relative == "." else f"{relative}/"
            rules = inherited.pop(prefix, ())
            if ".gitignore" in filenames:
                rules = (*rules, *_read_gitignore(Path(directory) / ".gitignore", prefix))
            subdirectories[:] = [
                name
                for name in subdirectories
                if name not in SKIPPED_DIRECTORIES
                and not name.endswith(".egg-info")
                and not _ignored(f"{prefix}{name}", rules, directory=True)
            ]
            for name in subdirectories:
                inherited[f"{prefix}{name}/"] = rules
            names.extend(
                f"{prefix}{name}"
                for name in filenames
                if not _ignored(f"{prefix}{name}", rules, directory=False)
            )
        return names


@dataclass(frozen=True)
class _IgnoreRule:
    """One `.gitignore` line, matched against paths relative to the file's directory."""

    base: str
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool


def _read_gitignore(path: Path, base: str) -> list[_IgnoreRule]:
    try:
        text = path.read_text("utf-8", "replace")
    except OSError:
        return []
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line[1:] if negated else line.removeprefix("\\")
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        pattern = line.lstrip("/") if anchored else f"**/{line}"
        regex = re.compile(_glob_body(pattern) + "(?:/.*)?")
        rules.append(_IgnoreRule(base, regex, negated, directory_only))
    return rules


def _ignored(path: str, rules: Sequence[_IgnoreRule], *, directory: bool) -> bool:
    """git's reading: the last rule that matches decides, a `!` rule re-includes."""
    ignored = False
    for rule in rules:
        if rule.directory_only and not directory:
            continue
        if path.startswith(rule.base) and rule.regex.fullmatch(path[len(rule.base) :]):
            ignored = not rule.negated
    return ignored


def _in_skipped_directory(name: str) -> bool:
    return not SKIPPED_DIRECTORIES.isdisjoint(name.split("/")[:-1])
