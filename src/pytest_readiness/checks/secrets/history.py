"""Secrets in the git history: a credential committed and deleted later is still leaked.

The history is read with one `git log -p` over every ref; the lines each commit added are
scanned per file, as one text, and each match is mapped back to its line in that commit.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_readiness.checks.secrets.scanner import SecretMatch, scan_text

COMMIT_MARKER = "\0commit "
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


class HistoryError(RuntimeError):
    """git could not list the history (not a repository, git missing, timeout)."""


@dataclass(frozen=True)
class HistoricalMatch:
    commit: str
    match: SecretMatch


@dataclass
class _Addition:
    commit: str
    path: str
    lines: list[str]
    numbers: list[int]


def scan_history(
    rootdir: Path,
    allow: Sequence[re.Pattern[str]] = (),
    max_commits: int = 0,
    timeout: float = 300.0,
) -> list[HistoricalMatch]:
    """Every secret any commit on any ref added, with the commit and its line there."""
    command = [
        "git",
        "log",
        "--all",
        "-p",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "--unified=0",
        "--format=%x00commit %H",
    ]
    if max_commits:
        command.append(f"--max-count={max_commits}")
    try:
        completed = subprocess.run(
            command, cwd=rootdir, capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise HistoryError(f"git log failed: {error}") from error
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise HistoryError(f"git log failed: {message}")
    found = []
    for addition in _additions(completed.stdout.decode("utf-8", "replace")):
        for match in scan_text("\n".join(addition.lines), addition.path, allow):
            line = addition.numbers[match.line - 1]
            relocated = SecretMatch(
                match.rule,
                addition.path,
                line,
                match.column,
                match.preview,
                match.secret_hash,
                match.legacy_hash,
            )
            found.append(HistoricalMatch(addition.commit, relocated))
    return found


def _additions(log: str) -> Iterator[_Addition]:
    """Per commit and file, the added lines and their line numbers in the new version."""
    for block in log.split(COMMIT_MARKER)[1:]:
        commit, _, diff = block.partition("\n")
        current: _Addition | None = None
        number = 0
        for line in diff.split("\n"):
            if line.startswith("+++ "):
                if current is not None and current.lines:
                    yield current
                target = line[4:]
                current = _Addition(commit, target[2:], [], []) if target.startswith("b/") else None
            elif line.startswith("@@"):
                hunk = _HUNK.match(line)
                number = int(hunk.group(1)) if hunk else 0
            elif line.startswith("+") and current is not None:
                current.lines.append(line[1:])
                current.numbers.append(number)
                number += 1
        if current is not None and current.lines:
            yield current
