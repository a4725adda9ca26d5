"""The `pip install` commands in a shell script, and whether what they install is pinned.

A Dockerfile `RUN` line is a shell script; installing `requests` there resolves a different
version on every build. This module finds `pip`/`pip3`/`python -m pip`/`uv pip` installs in a
script, splits their options from the requirements, and says which requirements can move.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import PurePosixPath

OPTIONS_WITH_VALUE = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--cache-dir",
        "--trusted-host",
        "--timeout",
        "--retries",
        "--log",
        "--proxy",
        "--cert",
        "--client-cert",
        "--only-binary",
        "--no-binary",
        "--config-settings",
        "-C",
        "--global-option",
        "--report",
        "--root-user-action",
        "--python",
    }
)
REQUIREMENT_OPTIONS = {"-r": "requirement", "--requirement": "requirement"}
CONSTRAINT_OPTIONS = {"-c": "constraint", "--constraint": "constraint"}
EDITABLE_OPTIONS = {"-e": "editable", "--editable": "editable"}
_OPERATOR_CHARACTERS = frozenset("();<>|&")
_PIP = re.compile(r"^pip(\d+(\.\d+)?)?$")
_EXACT = re.compile(r"===?\s*[^*,;\s]+$")
_VCS_COMMIT = re.compile(r"@[0-9a-f]{40}\b")
ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2")


@dataclass
class PipInstall:
    requirements: list[str] = field(default_factory=list)
    requirement_files: list[str] = field(default_factory=list)
    constraint_files: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    require_hashes: bool = False
    no_deps: bool = False

    def unpinned(self) -> list[str]:
        """Requirements named on the command line that a new release could change."""
        if self.constraint_files:
            return []
        return [item for item in self.requirements if not is_pinned(item)]

    @property
    def resolves_local_dependencies(self) -> bool:
        """A local project installed with nothing to pin the dependencies it pulls in."""
        pinned_elsewhere = self.requirement_files or self.constraint_files or self.require_hashes
        return bool(self.local) and not self.no_deps and not pinned_elsewhere


def is_pinned(requirement: str) -> bool:
    """`name==1.2.3`, `name===x`, a URL with a hash or a VCS URL at a full commit."""
    requirement = requirement.split(";", 1)[0].strip()
    if "://" in requirement or requirement.startswith("git+"):
        return "#sha256=" in requirement or bool(_VCS_COMMIT.search(requirement))
    return bool(_EXACT.search(requirement))


def is_local(argument: str) -> bool:
    if "://" in argument:
        return False
    return (
        argument.startswith((".", "/", "~"))
        or argument.endswith(ARCHIVE_SUFFIXES)
        or ("/" in argument and "@" not in argument)
    )


def installs(script: str) -> list[PipInstall]:
    return [_parse_install(arguments) for arguments in _install_arguments(script)]


def installs_from_exec_form(words: list[str]) -> list[PipInstall]:
    """`RUN ["pip", "install", ...]` or `RUN ["sh", "-c", "pip install ..."]`."""
    found = [_parse_install(arguments) for arguments in _install_words(words)]
    if len(words) >= 3 and words[1] == "-c":
        found.extend(installs(words[2]))
    return found


def _install_arguments(script: str) -> list[list[str]]:
    found = []
    for command in _simple_commands(script):
        found.extend(_install_words(command))
    return found


def _install_words(words: list[str]) -> list[list[str]]:
    for index, word in enumerate(words):
        following = words[index + 1 : index + 3]
        name = PurePosixPath(word).name
        if _PIP.match(name) and following[:1] == ["install"]:
            return [words[index + 2 :]]
        if word in ("-m", "uv") and following == ["pip", "install"]:
            return [words[index + 3 :]]
    return []


def _simple_commands(script: str) -> list[list[str]]:
    """Split a script at `&&`, `;`, pipes, redirections and newlines into word lists."""
    lexer = shlex.shlex(script.replace("\n", " ; "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError:
        tokens = script.replace("\n", " ; ").split()
    commands: list[list[str]] = [[]]
    for token in tokens:
        if set(token) <= _OPERATOR_CHARACTERS:
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


def _parse_install(arguments: list[str]) -> PipInstall:
    install = PipInstall()
    words = iter(arguments)
    for word in words:
        option, equals, inline = word.partition("=")
        if word == "--require-hashes":
            install.require_hashes = True
        elif word == "--no-deps":
            install.no_deps = True
        elif (
            option in REQUIREMENT_OPTIONS
            or option in CONSTRAINT_OPTIONS
            or option in EDITABLE_OPTIONS
        ):
            value = inline if equals and option.startswith("--") else next(words, "")
            _add_value(install, option, value)
        elif word[:2] in ("-r", "-c", "-e") and len(word) > 2:
            _add_value(install, word[:2], word[2:])
        elif option in OPTIONS_WITH_VALUE:
            if not (equals and option.startswith("--")):
                next(words, None)
        elif word.startswith("-"):
            continue
        elif is_local(word):
            install.local.append(word)
        else:
            install.requirements.append(word)
    return install


def _add_value(install: PipInstall, option: str, value: str) -> None:
    if option in REQUIREMENT_OPTIONS:
        install.requirement_files.append(value)
    elif option in CONSTRAINT_OPTIONS:
        install.constraint_files.append(value)
    elif is_local(value):
        install.local.append(value)
    else:
        install.requirements.append(value)


def unpinned_in_requirements_file(text: str, *, require_hashes: bool) -> list[str]:
    """Entries of a requirements file that are not `==`-pinned (or lack `--hash` if required)."""
    logical = re.sub(r"\\\r?\n", " ", text)
    loose = []
    for raw in logical.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line or line.startswith("-"):
            continue
        requirement = line.split(" --", 1)[0].strip()
        if is_local(requirement):
            continue
        if not is_pinned(requirement) or (require_hashes and "--hash=" not in line):
            loose.append(requirement)
    return loose
