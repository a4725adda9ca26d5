"""Install commands in workflows, Dockerfiles and scripts, judged like Scorecard but sharper."""

# ruff: noqa: E501  (one command and its expected problems per line reads best)

from __future__ import annotations

import textwrap

import pytest

from pytest_readiness.checks.supply_chain.install_commands import FileState, scan

FILE_STATES: dict[str, FileState] = {
    "requirements.txt": "hashed",
    "requirements-dev.txt": "pinned",
    "requirements.in": "unpinned",
    "constraints.txt": "pinned",
}


def problems(text: str) -> list[tuple[str, int, str]]:
    found = scan("f", textwrap.dedent(text), FILE_STATES.get)
    return [(problem.rule, problem.line, problem.subject) for problem in found]


WORKFLOW = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m pip install --upgrade pip
      - run: pip install --require-hashes -r requirements.txt
      - run: |
          pip3.12 install ruff==0.8.0 "mypy>=1"
          uv sync
          uv sync --locked --all-extras
          uv pip install -r requirements-dev.txt
          pipx install nox
          uv tool install pre-commit==4.0.1
      - run: pip install -r requirements.txt && pip install ${{ matrix.extra }} .
"""


def test_workflow_commands() -> None:
    assert problems(WORKFLOW) == [
        ("install-unpinned", 8, "pip"),
        ("install-unhashed", 11, "ruff==0.8.0"),
        ("install-unpinned", 11, "mypy>=1"),
        ("uv-sync-unlocked", 12, "uv sync"),
        ("install-unhashed", 14, "requirements-dev.txt"),
        ("install-unpinned", 15, "nox"),
        ("install-unhashed", 16, "pre-commit==4.0.1"),
    ]


DOCKERFILE = """\
FROM python:3.12-slim@sha256:0000
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
RUN apt-get update && \\
    pip install --no-cache-dir \\
        gunicorn \\
        ./dist/app.whl
RUN /opt/venv/bin/pip install -c constraints.txt celery
RUN pip install -r requirements.in -e .
# RUN pip install commented-out
"""


def test_dockerfile_commands_with_continuations() -> None:
    assert problems(DOCKERFILE) == [
        ("install-unpinned", 5, "gunicorn"),
        ("install-unhashed", 9, "celery"),
        ("install-unpinned", 10, "requirements.in"),
    ]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("pip install 'requests[socks]==2.32.3'", [("install-unhashed", 1, "requests[socks]==2.32.3")]),
        ("pip install 'pkg @ git+https://github.com/a/b@main'", [("install-unpinned", 1, "pkg @ git+https://github.com/a/b@main")]),
        ("pip install 'pkg @ git+https://github.com/a/b@" + "0" * 40 + "'", []),
        ("pip install -r unknown.txt", [("install-unpinned", 1, "unknown.txt")]),
        ("pip install -r unknown.txt --require-hashes", []),
        ("pip install -c unknown-constraints.txt -r requirements.txt", []),
        ("pip install --index-url https://mirror/simple 'six==1.16.0'", [("install-unhashed", 1, "six==1.16.0")]),
        ("pip download requests", []),
        ("echo pip install requests", [("install-unpinned", 1, "requests")]),
        ("pip install $PACKAGES", []),
        ("uv sync --frozen", []),
        ("pip install 'unbalanced", []),
    ],
)  # fmt: skip
def test_single_commands(command: str, expected: list[tuple[str, int, str]]) -> None:
    assert problems(command) == expected


def located(path: str, text: str, states: dict[str, FileState]) -> list[tuple[str, str]]:
    asked: list[str] = []

    def state(name: str) -> FileState | None:
        asked.append(name)
        return states.get(name)

    found = [(problem.rule, problem.subject) for problem in scan(path, text, state)]
    assert all(not name.startswith(("/", "..")) for name in asked), asked
    return found


@pytest.mark.parametrize(
    ("path", "command", "states", "expected"),
    [
        # pipenv's vendor/Makefile: make runs in the Makefile's folder.
        ("pipenv/vendor/Makefile", "\tpip install -t . -r vendor.txt", {"pipenv/vendor/vendor.txt": "hashed"}, []),
        ("Makefile", "\tcd scripts && pip install -r tools.txt", {"scripts/tools.txt": "hashed"}, []),
        ("ci/build.sh", "cd ../scripts && pip install -r tools.txt", {"scripts/tools.txt": "pinned"}, [("install-unhashed", "tools.txt")]),
        ("Makefile", "\tcd docs; pip install -c ../constraints.txt sphinx", {"constraints.txt": "pinned"}, [("install-unhashed", "sphinx")]),
        # Devcontainer hooks and CI steps run in the repository root.
        (".devcontainer/on-create-command.sh", "pip install -r requirements/dev.txt", {"requirements/dev.txt": "hashed"}, []),
        (".github/workflows/ci.yml", "      - run: pip install -r requirements.txt", {"requirements.txt": "hashed"}, []),
        # A script run from the root still finds a root file.
        ("scripts/setup.sh", "pip install -r requirements.txt", {"requirements.txt": "hashed"}, []),
        # Outside the project: never looked up, so unknown, so unpinned.
        ("Makefile", "\tpip install -r /proc/self/environ", {}, [("install-unpinned", "/proc/self/environ")]),
        ("Makefile", "\tpip install -r ../../x.txt", {"x.txt": "hashed"}, [("install-unpinned", "../../x.txt")]),
        ("Makefile", "\tcd / && pip install -r etc/req.txt", {"etc/req.txt": "hashed"}, [("install-unpinned", "etc/req.txt")]),
        ("Makefile", "\tcd ~ && pip install -r req.txt", {}, [("install-unpinned", "req.txt")]),
    ],
)  # fmt: skip
def test_requirements_files_are_found_where_the_command_runs(
    path: str, command: str, states: dict[str, FileState], expected: list[tuple[str, str]]
) -> None:
    assert located(path, command + "\n", states) == expected
