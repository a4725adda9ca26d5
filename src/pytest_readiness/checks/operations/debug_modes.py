"""Development modes in the command a production container runs.

`uvicorn --reload` and `gunicorn --reload` watch the source tree and restart the server, with
`--reload` uvicorn also runs a single worker; `flask run` and Django's `runserver` are
development servers that their own documentation says not to deploy; Flask's debugger (`--debug`,
`FLASK_DEBUG=1`) lets anyone who reaches an error page run code. `app.run(debug=True)` in the
source is bandit's B201, and Django's `DEBUG = True` is read here from the settings module the
image names in `DJANGO_SETTINGS_MODULE`.
"""

from __future__ import annotations

import ast
import shlex
from collections.abc import Iterator, Sequence

RELOADING_SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "granian"})
DEBUG_ENVIRONMENT = {
    "FLASK_DEBUG": ("1", "true", "yes"),
    "FLASK_ENV": ("development",),
    "DJANGO_DEBUG": ("1", "true", "yes"),
}


def command_problems(words: Sequence[str]) -> Iterator[str]:
    """What is wrong with one command line (`["uvicorn", "app:api", "--reload"]`) in production."""
    programs = [word.rsplit("/", 1)[-1] for word in words]
    for index, program in enumerate(programs):
        rest = list(words[index + 1 :])
        if program in RELOADING_SERVERS and any(
            word == "--reload" or word.startswith("--reload=") for word in rest
        ):
            yield f"`{program} --reload` restarts the server on file changes, a development mode"
        elif program == "flask" and rest[:1] == ["run"]:
            debug = any(word in ("--debug", "--reload", "--debugger") for word in rest)
            yield (
                "`flask run --debug` serves with the development server and its debugger"
                if debug
                else "`flask run` is Flask's development server, not for production"
            )
        elif program.startswith("manage") and rest[:1] == ["runserver"]:
            yield "`manage.py runserver` is Django's development server, not for production"


def script_problems(script: str) -> Iterator[str]:
    """`command_problems` of every simple command of a shell line (`a && b`, `exec a`)."""
    try:
        words = shlex.split(script, comments=True)
    except ValueError:
        words = script.split()
    command: list[str] = []
    for word in [*words, ";"]:
        if word in (";", "&&", "||", "|", "&", "exec"):
            yield from command_problems(command)
            command = []
        else:
            command.append(word)


def environment_problems(name: str, value: str) -> Iterator[str]:
    if value.strip().strip("\"'").lower() in DEBUG_ENVIRONMENT.get(name, ()):
        yield f"`{name}={value}` turns on debug mode (Flask's debugger runs code from error pages)"


def django_debug_line(source: bytes) -> int | None:
    """The line of a module-level `DEBUG = True` in a Django settings module, if any."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "DEBUG" for t in statement.targets)
            and isinstance(statement.value, ast.Constant)
            and statement.value.value is True
        ):
            return statement.lineno
    return None
