"""Find package installs in CI workflows, Dockerfiles and scripts, and judge how pinned they are.

OpenSSF Scorecard's view, sharpened: `pip install pkg` is unpinned, `pip install pkg==1.2` is
pinned but unhashed (pip cannot check a hash given on the command line), `pip install
--require-hashes -r file` and `uv sync --locked/--frozen` are reproducible. `pip3.12`,
`python -m pip`, `uv pip install`, `uv tool install` and `pipx install` are understood too.
Arguments the shell fills in (`$VAR`, `${{ matrix.x }}`) cannot be judged and are left alone.

A requirements file named by `-r`/`-c` is looked up where the command runs: below the folder
of the Makefile, script or Dockerfile (make and `docker build` run there), moved by a `cd DIR`
earlier in the same command line, then below the repository root (where CI steps, devcontainer
hooks and most scripts run). A name that leaves the project (`/etc/x`, `../../x`) is never
read: its state is unknown, so the install counts as unpinned.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement

from pytest_readiness.checks.supply_chain.entries import (
    exact_version,
    immutable_url,
    is_local_reference,
)

Problem = Literal["install-unpinned", "install-unhashed", "uv-sync-unlocked"]
FileState = Literal["hashed", "pinned", "unpinned"]

DEFAULT_INSTALL_FILES = (
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".gitlab-ci.yml",
    "Dockerfile",
    "Dockerfile.*",
    "*.Dockerfile",
    "Containerfile",
    "*.sh",
    "Makefile",
)

_PIP = re.compile(r"^pip(3(\.\d+)?)?$")
_PYTHON = re.compile(r"^python(3(\.\d+)?)?$")
_SEPARATORS = re.compile(r"&&|\|\||;|\|")
_CI_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_WITH_VALUE = frozenset(
    {
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target",
        "--prefix", "--root", "--python-version", "--platform", "--implementation", "--abi",
        "--src", "--upgrade-strategy", "--no-binary", "--only-binary", "--progress-bar",
        "--trusted-host", "--cache-dir", "--log", "--proxy", "--timeout", "--retries", "-p",
        "--python", "--config-settings", "-C", "--global-option", "--report",
        "--root-user-action", "--index", "--default-index", "--with", "--extra", "--group",
        "--index-strategy", "--resolution", "--prerelease", "--exclude-newer", "--keyring-provider",
        "--pip-args", "--suffix", "--python-platform",
    }
)  # fmt: skip
_REQUIREMENT_FILE = frozenset({"-r", "--requirement", "--requirements"})
_CONSTRAINT_FILE = frozenset({"-c", "--constraint", "--constraints"})
_EDITABLE = frozenset({"-e", "--editable"})
_CHANGE_DIRECTORY = frozenset({"cd", "pushd"})
_RUN_AT_ROOT = (".github/", ".gitlab-ci.yml", ".devcontainer/")
"""CI steps and devcontainer hooks run in the repository root, not beside their file."""


@dataclass(frozen=True)
class InstallProblem:
    rule: Problem
    path: str
    line: int
    subject: str
    """The package, file or command the problem is about: the stable part of a fingerprint."""
    command: str


def scan(
    path: str, text: str, file_state: Callable[[str], FileState | None]
) -> Iterator[InstallProblem]:
    """Problems of the install commands in one file's text.

    `file_state` tells how pinned a requirements file named in `-r`/`-c` is (None: unknown),
    given its path relative to the project root; it is never asked about a path outside.
    """
    home = "" if path.startswith(_RUN_AT_ROOT) else posixpath.dirname(path)
    folders = list(dict.fromkeys([home, ""]))
    for line, command in _commands(text):
        command = _CI_EXPRESSION.sub("$CI_EXPRESSION", command)
        moves: list[str] = []
        for segment in _SEPARATORS.split(command):
            words = _words(segment)
            if words[:1] and words[0] in _CHANGE_DIRECTORY:
                moves.append(words[1] if len(words) > 1 else "~")
                continue
            install = _install_arguments(words)
            if install is None:
                continue
            tool, arguments = install
            located = _located(folders, moves, file_state)
            yield from _judge(path, line, segment.strip(), tool, arguments, located)


def _located(
    folders: list[str], moves: list[str], file_state: Callable[[str], FileState | None]
) -> Callable[[str], FileState | None]:
    """`file_state` of a name as the command sees it: the first folder where it is known."""

    def state(name: str) -> FileState | None:
        for folder in folders:
            target = inside_project(posixpath.join(folder, *moves, name))
            known = None if target is None else file_state(target)
            if known is not None:
                return known
        return None

    return state


def inside_project(path: str) -> str | None:
    """`path` normalised relative to the project root, or None when it leaves the project."""
    if path.startswith(("/", "~")):
        return None
    normal = posixpath.normpath(path)
    return None if normal == ".." or normal.startswith("../") else normal


def _commands(text: str) -> Iterator[tuple[int, str]]:
    """Logical command lines (backslash continuations joined) with their first line number."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        stripped = raw.strip()
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        yield start, " ".join(pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


def _words(segment: str) -> list[str]:
    try:
        return shlex.split(segment, comments=True)
    except ValueError:
        return segment.split()


def _install_arguments(words: list[str]) -> tuple[str, list[str]] | None:
    """(tool, arguments after the install verb) when `words` contain an install command."""
    for index, word in enumerate(words):
        base = word.rsplit("/", 1)[-1]
        rest = words[index + 1 :]
        if _PIP.match(base) and rest[:1] == ["install"]:
            return "pip", rest[1:]
        if _PYTHON.match(base) and rest[:3] == ["-m", "pip", "install"]:
            return "pip", rest[3:]
        if base == "uv" and rest[:2] in (["pip", "install"], ["tool", "install"]):
            return f"uv {rest[0]}", rest[2:]
        if base == "uv" and rest[:1] == ["sync"]:
            return "uv sync", rest[1:]
        if base == "pipx" and rest[:1] == ["install"]:
            return "pipx", rest[1:]
    return None


def _judge(
    path: str,
    line: int,
    command: str,
    tool: str,
    arguments: list[str],
    file_state: Callable[[str], FileState | None],
) -> Iterator[InstallProblem]:
    if tool == "uv sync":
        if not {"--locked", "--frozen"} & set(arguments):
            yield InstallProblem("uv-sync-unlocked", path, line, "uv sync", command)
        return
    packages, files, require_hashes = _parse_install(arguments)
    for name, kind in files:
        state = file_state(name)
        if kind == "constraints" or require_hashes or state == "hashed":
            continue
        rule: Problem = "install-unhashed" if state == "pinned" else "install-unpinned"
        yield InstallProblem(rule, path, line, name, command)
    constrained = any(
        kind == "constraints" and file_state(name) in ("pinned", "hashed") for name, kind in files
    )
    for text in packages:
        problem = _judge_package(text)
        if problem == "install-unpinned" and constrained:
            problem = "install-unhashed"
        if problem is not None:
            yield InstallProblem(problem, path, line, text, command)


def _parse_install(arguments: list[str]) -> tuple[list[str], list[tuple[str, str]], bool]:
    """(package arguments, (file, requirements|constraints) pairs, --require-hashes given)."""
    packages: list[str] = []
    files: list[tuple[str, str]] = []
    require_hashes = False
    words = iter(arguments)
    for word in words:
        name, has_value, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in _REQUIREMENT_FILE | _CONSTRAINT_FILE | _EDITABLE | _WITH_VALUE:
            value = value if has_value else next(words, "")
            if name in _REQUIREMENT_FILE:
                files.append((value, "requirements"))
            elif name in _CONSTRAINT_FILE:
                files.append((value, "constraints"))
        elif name == "--require-hashes":
            require_hashes = True
        elif not word.startswith("-"):
            packages.append(word)
    return packages, files, require_hashes


def _judge_package(text: str) -> Problem | None:
    if "$" in text or is_local_reference(text) or text.endswith((".whl", ".tar.gz", ".zip")):
        return None
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    if requirement.url:
        return None if immutable_url(requirement.url) else "install-unpinned"
    return "install-unhashed" if exact_version(requirement) else "install-unpinned"
