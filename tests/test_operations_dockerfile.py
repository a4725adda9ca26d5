"""The Dockerfile parser: continuations, heredocs, directives, stages and clear syntax errors."""

from __future__ import annotations

import contextlib
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.operations import dockerfile
from pytest_readiness.checks.operations.dockerfile import DockerfileSyntaxError


def parse(text: str) -> dockerfile.Dockerfile:
    return dockerfile.parse(textwrap.dedent(text).lstrip("\n"))


def test_continuations_join_and_skip_comments_inside() -> None:
    parsed = parse(
        """
        FROM python:3.12.7
        RUN apt-get update \\
            # a comment inside the continuation
            && apt-get install -y curl \\

            && rm -rf /var/lib/apt/lists/*
        USER app
        """
    )
    run = parsed.instructions[1]
    assert run.keyword == "RUN"
    assert run.line == 2
    assert "comment" not in run.arguments
    assert " ".join(run.arguments.split()) == (
        "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*"
    )
    assert parsed.instructions[2].line == 7


def test_backtick_escape_directive() -> None:
    parsed = parse(
        """
        # escape=`
        FROM mcr.microsoft.com/windows/servercore:ltsc2022
        RUN dir `
            C:\\
        """
    )
    assert parsed.instructions[1].arguments.split() == ["dir", "C:\\"]


def test_heredoc_bodies_are_kept_apart_and_lines_continue_after() -> None:
    parsed = parse(
        """
        FROM python:3.12.7
        RUN <<EOF
        pip install requests
        EOF
        COPY <<-"CONFIG" /etc/app.conf
        \tkey = value
        \tCONFIG
        USER app
        """
    )
    run, copy, user = parsed.instructions[1:]
    assert run.heredocs == ("pip install requests",)
    assert "pip install requests" in run.script
    assert copy.heredocs == ("key = value",)
    assert (user.keyword, user.line) == ("USER", 8)


def test_unclosed_heredoc_is_a_syntax_error_at_its_instruction() -> None:
    with pytest.raises(DockerfileSyntaxError) as raised:
        parse("FROM python:3.12.7\nRUN <<EOF\necho hi\n")
    assert raised.value.line == 2
    assert "never closed" in raised.value.problem


def test_shifts_and_glued_text_are_not_heredocs() -> None:
    parsed = parse("FROM alpine:3.20\nRUN echo $((1<<2)) a<<b\nRUN cat 0<<END\nx\nEND\nUSER app\n")
    assert parsed.instructions[1].heredocs == ()
    assert parsed.instructions[2].heredocs == ("x",)
    assert [item.keyword for item in parsed.instructions] == ["FROM", "RUN", "RUN", "USER"]


def test_a_build_argument_without_value_is_left_visible() -> None:
    parsed = parse("ARG BASE\nARG TAG=3.12.7\nFROM ${BASE}:$TAG\n")
    assert parsed.final_stage.base == "${BASE}:3.12.7"


def test_stages_substitute_global_args_and_know_their_parents() -> None:
    parsed = parse(
        """
        ARG PYTHON=3.12.7
        FROM python:${PYTHON}-slim AS base
        USER app
        FROM base AS test
        FROM --platform=linux/amd64 python:${MISSING:-3.11.9} AS other
        FROM base
        HEALTHCHECK CMD true
        """
    )
    assert [stage.base for stage in parsed.stages] == [
        "python:3.12.7-slim",
        "base",
        "python:3.11.9",
        "base",
    ]
    final = parsed.final_stage
    assert parsed.parent(final) is parsed.stages[0]
    inherited_user = parsed.inherited(final, "USER")
    assert inherited_user is not None
    assert inherited_user.line == 3
    assert parsed.is_stage_name("BASE", 3)
    assert not parsed.is_stage_name("other", 2)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("FORM python:3\n", 1, "unknown instruction 'FORM'"),
        ("# only a comment\n", 1, "no FROM"),
        ("RUN echo\nFROM python:3\n", 1, "RUN before the first FROM"),
        ("FROM\n", 1, "FROM names no image"),
        ("FROM a b c d\n", 1, "malformed"),
        ("# escape=x\nFROM a\n", 1, "escape must be"),
    ],
)
def test_malformed_files_raise_with_the_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(DockerfileSyntaxError) as raised:
        dockerfile.parse(text)
    assert raised.value.line == line
    assert problem in raised.value.problem


def test_env_and_arg_names_in_both_forms() -> None:
    assert dockerfile.env_names('A=1 B="two words" C=3') == ["A", "B", "C"]
    assert dockerfile.env_names("LEGACY some value") == ["LEGACY"]
    assert dockerfile.arg_defaults("A=1 B") == {"A": "1", "B": ""}


def test_exec_form_is_parsed_and_shell_form_is_not() -> None:
    parsed = parse('FROM a:1\nRUN ["pip", "install", "x==1"]\nRUN [not json\n')
    assert parsed.instructions[1].exec_form() == ["pip", "install", "x==1"]
    assert parsed.instructions[2].exec_form() is None


keywords = st.sampled_from(["RUN", "ENV", "LABEL", "WORKDIR", "EXPOSE"])
argument = st.from_regex(r"[a-z][a-z0-9=._-]{0,12}", fullmatch=True)


@given(st.lists(st.tuples(keywords, st.lists(argument, min_size=1, max_size=4)), max_size=8))
def test_continued_lines_parse_like_single_lines(body: list[tuple[str, list[str]]]) -> None:
    """Splitting any instruction over continuation lines changes neither words nor order."""
    single = ["FROM python:3.12.7"] + [f"{keyword} {' '.join(words)}" for keyword, words in body]
    continued = ["FROM python:3.12.7"] + [
        f"{keyword} " + " \\\n    ".join(words) for keyword, words in body
    ]
    one = dockerfile.parse_instructions("\n".join(single))
    other = dockerfile.parse_instructions("\n".join(continued))
    assert [(item.keyword, item.arguments.split()) for item in one] == [
        (item.keyword, item.arguments.split()) for item in other
    ]
    assert [item.line for item in one] == list(range(1, len(body) + 2))


dockerfile_text = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "FROM a:1",
                "FROM",
                "RUN <<EOF",
                "EOF",
                "# escape=`",
                "USER 0",
                "ARG X",
                "\\",
                "RUN a \\",
            ]
        ),
        st.text(max_size=30),
    ),
    max_size=12,
).map("\n".join)


@given(dockerfile_text)
def test_any_text_parses_or_raises_a_syntax_error_with_a_line(text: str) -> None:
    with contextlib.suppress(DockerfileSyntaxError):
        assert dockerfile.parse(text).stages
        return
    with pytest.raises(DockerfileSyntaxError) as raised:
        dockerfile.parse(text)
    assert 1 <= raised.value.line <= max(1, len(text.splitlines()))
