"""Development modes in production commands: reloaders, dev servers, debuggers, Django DEBUG."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.checks.operations import debug_modes
from pytest_readiness.checks.operations.container import ContainerCheck
from pytest_readiness.checks.operations.kubernetes import KubernetesCheck
from tests.operations_projects import by_rule, project, run


@pytest.mark.parametrize(
    ("script", "said"),
    [
        ("uvicorn app:api --host 0.0.0.0 --reload", "uvicorn --reload"),
        ("/venv/bin/gunicorn app:wsgi --workers 1 --reload", "gunicorn --reload"),
        ("flask run --host 0.0.0.0 --debug", "flask run --debug"),
        ("cd /app && exec flask run", "`flask run` is Flask's development server"),
        ("python manage.py migrate && python manage.py runserver 0:8000", "runserver"),
    ],
)
def test_development_servers_and_reloaders_are_recognised(script: str, said: str) -> None:
    (problem,) = debug_modes.script_problems(script)

    assert said in problem


@pytest.mark.parametrize(
    "script",
    [
        "uvicorn app:api --workers 4",
        "gunicorn app:wsgi -w 4",
        "echo --reload",
        "python -m flask routes",
        "python manage.py migrate",
        "unbalanced 'quote --reload",
    ],
)
def test_production_commands_are_left_alone(script: str) -> None:
    assert list(debug_modes.script_problems(script)) == []


@pytest.mark.parametrize(
    ("name", "value", "found"),
    [
        ("FLASK_DEBUG", "1", True),
        ("FLASK_ENV", '"development"', True),
        ("DJANGO_DEBUG", "True", True),
        ("FLASK_DEBUG", "0", False),
        ("DEBUG_LEVEL", "1", False),
    ],
)
def test_debug_environment_variables(name: str, value: str, found: bool) -> None:
    assert bool(list(debug_modes.environment_problems(name, value))) is found


def test_django_debug_is_read_from_the_settings_module_of_the_image(tmp_path: Path) -> None:
    files = {
        "Dockerfile": """
            FROM python:3.12.7
            USER app
            HEALTHCHECK CMD true
            ENV DJANGO_SETTINGS_MODULE=site.settings FLASK_DEBUG=1
            CMD ["uvicorn", "site.asgi:app", "--reload"]
            """,
        "site/settings.py": "import os\nDEBUG = True\n",
    }

    result = run(ContainerCheck, project(tmp_path, files))

    found = sorted((f.line, f.message.split(" ")[0]) for f in by_rule(result, "debug-mode"))
    assert found == [(4, "`FLASK_DEBUG=1`"), (4, "the"), (5, "`uvicorn")]
    django = next(f for f in by_rule(result, "debug-mode") if "Django" in f.message)
    assert "line 2 sets DEBUG = True" in django.message


def test_a_production_django_settings_module_passes(tmp_path: Path) -> None:
    files = {
        "Dockerfile": """
            FROM python:3.12.7
            USER app
            HEALTHCHECK CMD true
            ENV DJANGO_SETTINGS_MODULE=site.settings
            CMD gunicorn site.wsgi -w 4
            """,
        "site/settings.py": "DEBUG = False\n",
    }

    assert by_rule(run(ContainerCheck, project(tmp_path, files)), "debug-mode") == []


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1.2.3
          command: ["sh", "-c", "uvicorn app:api --reload"]
          env:
            - name: FLASK_ENV
              value: development
"""


def test_kubernetes_commands_and_env_are_checked(tmp_path: Path) -> None:
    result = run(KubernetesCheck, project(tmp_path, {"deploy/api.yaml": DEPLOYMENT}))

    found = sorted(
        (f.line, f.message.split(": ", 1)[1][:20]) for f in by_rule(result, "debug-mode")
    )
    assert found == [(11, "`uvicorn --reload` r"), (13, "`FLASK_ENV=developme")]
