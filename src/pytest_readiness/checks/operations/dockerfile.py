"""A Dockerfile/Containerfile parser: instructions with their lines, grouped into build stages.

It follows the Dockerfile reference where it matters for review: parser directives (`# escape=`),
line continuations (comment and blank lines inside a continuation are dropped), heredocs
(`RUN <<EOF ... EOF`, `<<-` strips leading tabs), and multi-stage builds, where the last `FROM`
starts the stage that becomes the image. Anything it cannot make sense of raises
`DockerfileSyntaxError` with the line, so a broken file is reported, not skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$")
_HEREDOC = re.compile(r"(?:^|(?<=\s))\d*<<(-?)([\"']?)([A-Za-z_][\w.-]*)\2")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?::?[-+]([^}]*))?\}|([A-Za-z_]\w*))")


class DockerfileSyntaxError(ValueError):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    """The instruction's text after the keyword, continuations joined, heredoc bodies apart."""
    line: int
    heredocs: tuple[str, ...] = ()

    def exec_form(self) -> list[str] | None:
        """The JSON array form (`RUN ["pip", "install", "x"]`), or None for the shell form."""
        if not self.arguments.startswith("["):
            return None
        try:
            value = json.loads(self.arguments)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        return None

    @property
    def script(self) -> str:
        """The shell text the instruction runs, heredoc bodies included."""
        return "\n".join((self.arguments, *self.heredocs))


@dataclass
class Stage:
    """One `FROM` and the instructions up to the next; `base` has build args substituted."""

    index: int
    base: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        found = [item for item in self.instructions if item.keyword == keyword]
        return found[-1] if found else None


@dataclass
class Dockerfile:
    instructions: list[Instruction]
    stages: list[Stage]

    @property
    def final_stage(self) -> Stage:
        return self.stages[-1]

    def parent(self, stage: Stage) -> Stage | None:
        """The earlier stage this one builds on (`FROM builder`), if it names one."""
        for earlier in self.stages[: stage.index]:
            if earlier.name is not None and earlier.name.lower() == stage.base.lower():
                return earlier
        return None

    def lineage(self, stage: Stage) -> list[Stage]:
        """The stage, then the stage it is built from, and so on: settings are inherited."""
        chain = [stage]
        parent = self.parent(stage)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self.parent(parent)
        return chain

    def inherited(self, stage: Stage, keyword: str) -> Instruction | None:
        """The instruction of that kind in effect for the stage: its own or an ancestor's."""
        for member in self.lineage(stage):
            found = member.last(keyword)
            if found is not None:
                return found
        return None

    def is_stage_name(self, base: str, before: int) -> bool:
        names = {stage.name.lower() for stage in self.stages[:before] if stage.name}
        return base.lower() in names


def parse(text: str) -> Dockerfile:
    instructions = parse_instructions(text)
    return Dockerfile(instructions, group_stages(instructions))


def parse_instructions(text: str) -> list[Instruction]:
    lines = text.splitlines()
    escape, position = _directives(lines)
    instructions: list[Instruction] = []
    while position < len(lines):
        stripped = lines[position].strip()
        if not stripped or stripped.startswith("#"):
            position += 1
            continue
        start = position + 1
        logical, position = _join_continuations(lines, position, escape)
        word, *rest = re.split(r"\s+", logical.strip(), maxsplit=1)
        keyword, arguments = word.upper(), "".join(rest)
        if keyword not in INSTRUCTIONS:
            raise DockerfileSyntaxError(start, f"unknown instruction {keyword!r}")
        heredocs: tuple[str, ...] = ()
        if keyword in HEREDOC_INSTRUCTIONS:
            heredocs, position = _read_heredocs(lines, position, arguments, start)
        instructions.append(Instruction(keyword, arguments, start, heredocs))
    return instructions


def group_stages(instructions: list[Instruction]) -> list[Stage]:
    """Split at each FROM; only ARG may come before the first, and it feeds FROM's variables."""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            stages.append(_stage(instruction, len(stages), global_args))
        elif stages:
            stages[-1].instructions.append(instruction)
        elif instruction.keyword == "ARG":
            global_args.update(arg_defaults(instruction.arguments))
        else:
            raise DockerfileSyntaxError(
                instruction.line, f"{instruction.keyword} before the first FROM"
            )
    if not stages:
        raise DockerfileSyntaxError(1, "no FROM instruction: this is not a Dockerfile")
    return stages


def arg_defaults(arguments: str) -> dict[str, str]:
    """`ARG A=1 B` -> {"A": "1", "B": ""}: the names an ARG declares and their defaults."""
    declared = {}
    for word in split_words(arguments):
        name, _, default = word.partition("=")
        declared[name] = default
    return declared


def env_names(arguments: str) -> list[str]:
    """The keys an ENV sets: `ENV A=1 B="x y"` or the old one-key form `ENV A some value`."""
    return list(env_values(arguments))


def env_values(arguments: str) -> dict[str, str]:
    """What an ENV sets: `ENV A=1 B="x y"` -> {"A": "1", "B": "x y"}; `ENV A some value` too."""
    found = split_words(arguments)
    if not found:
        return {}
    if "=" not in found[0]:
        return {found[0]: " ".join(found[1:])}
    return dict(word.partition("=")[::2] for word in found if "=" in word)


def split_words(arguments: str) -> list[str]:
    """Whitespace-separated words, keeping quoted runs together and dropping the quotes."""
    words = re.findall(r"""(?:[^\s"']+|"[^"]*"|'[^']*')+""", arguments)
    return [re.sub(r"""["']""", "", word) for word in words]


def substitute(text: str, variables: dict[str, str]) -> str:
    """Expand `$A`, `${A}` and `${A:-default}` from `variables`.

    A variable without a value is left as written: the image it names is chosen at build
    time, and the reader of a finding should see that rather than an empty name.
    """

    def replace(match: re.Match[str]) -> str:
        value = variables.get(match.group(1) or match.group(3), "")
        if value:
            return value
        return match.group(2) if match.group(2) is not None else match.group(0)

    return _VARIABLE.sub(replace, text)


def _stage(instruction: Instruction, index: int, global_args: dict[str, str]) -> Stage:
    words = [word for word in instruction.arguments.split() if not word.startswith("--")]
    if not words:
        raise DockerfileSyntaxError(instruction.line, "FROM names no image")
    name = None
    if len(words) >= 3 and words[1].lower() == "as":
        name = words[2]
    elif len(words) != 1:
        raise DockerfileSyntaxError(
            instruction.line, f"FROM {instruction.arguments!r} is malformed"
        )
    return Stage(index, substitute(words[0], global_args), name, instruction.line)


def _directives(lines: list[str]) -> tuple[str, int]:
    """Parser directives come first, one per line, and end at the first other line."""
    escape = "\\"
    for position, line in enumerate(lines):
        match = _DIRECTIVE.match(line)
        if match is None:
            return escape, position
        if match.group(1).lower() == "escape":
            if match.group(2) not in ("\\", "`"):
                raise DockerfileSyntaxError(position + 1, "escape must be \\ or `")
            escape = match.group(2)
    return escape, len(lines)


def _join_continuations(lines: list[str], position: int, escape: str) -> tuple[str, int]:
    parts = []
    current = lines[position]
    while True:
        body = current.rstrip()
        position += 1
        if not body.endswith(escape):
            parts.append(current)
            return "".join(parts), position
        parts.append(body[: -len(escape)])
        while position < len(lines) and _skipped_in_continuation(lines[position]):
            position += 1
        if position >= len(lines):
            return "".join(parts), position
        current = lines[position]


def _skipped_in_continuation(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _read_heredocs(
    lines: list[str], position: int, arguments: str, start: int
) -> tuple[tuple[str, ...], int]:
    bodies = []
    for match in _HEREDOC.finditer(arguments):
        strip_tabs, delimiter = match.group(1) == "-", match.group(3)
        body = []
        while True:
            if position >= len(lines):
                raise DockerfileSyntaxError(
                    start, f"heredoc <<{delimiter} is never closed by a line {delimiter!r}"
                )
            line = lines[position]
            position += 1
            candidate = line.lstrip("\t") if strip_tabs else line
            if candidate == delimiter:
                break
            body.append(candidate)
        bodies.append("\n".join(body))
    return tuple(bodies), position
