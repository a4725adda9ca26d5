"""The `dependencies` check on real project layouts, unit-level and through `pytest --readiness`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.supply_chain import DependenciesCheck
from pytest_readiness.checks.supply_chain.dependencies import DependenciesSettings
from pytest_readiness.files import ProjectFiles
from pytest_readiness.model import CheckResult

H = "sha256:" + "ab" * 32


def run(tmp_path: Path, files: dict[str, str], **settings: object) -> CheckResult:
    root = tmp_path / "project"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    ctx = CheckContext(rootdir=root, files=ProjectFiles(root), cache=ContentCache(None))
    return DependenciesCheck(DependenciesSettings(**settings)).run(ctx)  # type: ignore[arg-type]


def rows(result: CheckResult) -> list[tuple[str, str, str | None, int | None]]:
    return [(f.rule, f.severity.value, f.path, f.line) for f in result.findings]


def uv_package(name: str, version: str, hashed: bool = True) -> str:
    digest = f', hash = "{H}"' if hashed else ""
    return f"""
[[package]]
name = "{name}"
version = "{version}"
source = {{ registry = "https://index.example.invalid/simple" }}
sdist = {{ url = "https://files.example.invalid/{name}-{version}.tar.gz"{digest} }}
"""


APP_PYPROJECT = """\
[project]
name = "shop"
version = "1.0"
dependencies = [
    "requests>=2.32",
    "httpx",
]

[dependency-groups]
test = ["pytest>=8"]
"""

GOOD_LOCK = (
    "version = 1\n"
    + uv_package("requests", "2.32.3")
    + uv_package("httpx", "0.27.2")
    + uv_package("pytest", "8.3.3")
    + '\n[[package]]\nname = "shop"\nversion = "1.0"\nsource = { editable = "." }\n'
)

CI = """\
jobs:
  test:
    steps:
      - run: uv sync --locked
      - run: uv run pytest
"""


def test_locked_hashed_application_passes(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {"pyproject.toml": APP_PYPROJECT, "uv.lock": GOOD_LOCK, ".github/workflows/ci.yml": CI},
    )
    assert rows(result) == []
    assert result.summary.startswith("application (guessed from uv.lock; set `kind` to change)")
    assert result.metrics == {"declared": 3.0, "locked": 4.0, "install_files_scanned": 1.0}


def test_stale_lock_is_out_of_sync(tmp_path: Path) -> None:
    stale = "version = 1\n" + uv_package("requests", "2.31.0") + uv_package("pytest", "7.0")
    result = run(tmp_path, {"pyproject.toml": APP_PYPROJECT, "uv.lock": stale})
    assert rows(result) == [
        ("lock-out-of-sync", "high", "pyproject.toml", 5),
        ("lock-out-of-sync", "high", "pyproject.toml", 6),
        ("lock-out-of-sync", "medium", "pyproject.toml", 10),
    ]
    messages = [finding.message for finding in result.findings]
    assert "is locked at 2.31.0, outside the declared range" in messages[0]
    assert "'httpx' is missing from the lock" in messages[1]
    assert result.findings[0].fix.startswith("re-lock")


def test_unhashed_lock_entries_are_medium(tmp_path: Path) -> None:
    lock = "version = 1\n" + uv_package("requests", "2.32.3", hashed=False)
    lock += uv_package("httpx", "0.27.2") + uv_package("pytest", "8.3.3")
    fork = 'name = "fork"\nversion = "1.0"\nsource = { git = "https://g/fork?branch=main" }\n'
    lock += "\n[[package]]\n" + fork
    files = {"pyproject.toml": APP_PYPROJECT, "uv.lock": lock}
    assert rows(run(tmp_path, files)) == [
        ("unpinned", "high", "uv.lock", 21),
        ("unhashed", "medium", "uv.lock", 3),
    ]
    assert rows(run(tmp_path, files, require_hashes=False)) == [("unpinned", "high", "uv.lock", 21)]


REQUIREMENTS = f"""\
flask==3.0.3 --hash={H}
gunicorn==23.0.0
celery>=5
-e ./libs/own
git+https://github.com/a/b@main#egg=b_pkg
"""


def test_requirements_only_application(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {"requirements.txt": REQUIREMENTS, "requirements-dev.txt": "pytest\n"},
    )
    assert result.summary.startswith("application (guessed: no [project] table")
    assert rows(result) == [
        ("unbounded-reference", "high", "requirements.txt", 5),
        ("unpinned", "medium", "requirements-dev.txt", 1),
        ("unpinned", "high", "requirements.txt", 3),
        ("unhashed", "medium", "requirements.txt", 2),
    ]
    unpinned = result.findings[2]
    assert unpinned.fix.startswith("pip-compile --generate-hashes requirements.in")


LIBRARY_PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]

[project]
name = "tinylib"
version = "1.0"
dependencies = ["attrs>=22"]
"""


def test_library_needs_a_reproducible_test_environment(tmp_path: Path) -> None:
    result = run(tmp_path, {"pyproject.toml": LIBRARY_PYPROJECT})
    assert result.summary.startswith("library (guessed: a [project] package")
    assert rows(result) == [("no-reproducible-env", "medium", "pyproject.toml", None)]
    with_constraints = run(
        tmp_path, {"pyproject.toml": LIBRARY_PYPROJECT, "constraints.txt": "attrs==25.1.0\n"}
    )
    assert rows(with_constraints) == []


def test_library_may_not_float_on_a_branch(tmp_path: Path) -> None:
    text = LIBRARY_PYPROJECT.replace(
        '["attrs>=22"]', '["attrs>=22", "plug @ git+https://github.com/a/plug@main"]'
    )
    result = run(tmp_path, {"pyproject.toml": text, "constraints.txt": "attrs==25.1.0\n"})
    assert rows(result) == [("unbounded-reference", "high", "pyproject.toml", 7)]


def test_configured_kind_and_container_guess(tmp_path: Path) -> None:
    files = {"pyproject.toml": LIBRARY_PYPROJECT, "examples/app/Dockerfile": "FROM python\n"}
    assert run(tmp_path, files).summary.startswith("library (guessed")
    files["Dockerfile"] = "FROM python:3.12\n"
    result = run(tmp_path, files)
    assert result.summary.startswith("application (guessed from Dockerfile")
    assert rows(result) == [("unpinned", "high", "pyproject.toml", 7)]
    assert run(tmp_path, files, kind="library").summary.startswith("library (configured)")


def test_install_commands_follow_the_project_kind(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nRUN pip install gunicorn==23.0.0 \\\n    uvicorn\n"
    files = {"pyproject.toml": LIBRARY_PYPROJECT, "constraints.txt": "attrs==25.1.0\n"}
    files["scripts/setup.sh"] = dockerfile.split("\n", 1)[1].replace("RUN ", "")
    assert rows(run(tmp_path, files)) == [
        ("install-unhashed", "low", "scripts/setup.sh", 1),
        ("install-unpinned", "medium", "scripts/setup.sh", 1),
    ]
    files["Dockerfile"] = dockerfile
    application = run(tmp_path, files, install_files=["Dockerfile"])
    assert rows(application) == [
        ("unhashed", "medium", "pyproject.toml", 7),
        ("install-unhashed", "medium", "Dockerfile", 2),
        ("install-unpinned", "high", "Dockerfile", 2),
    ]
    assert "gunicorn==23.0.0" in application.findings[1].message


def test_nothing_to_check_is_skipped(tmp_path: Path) -> None:
    with pytest.raises(CheckSkipped):
        run(tmp_path, {"README.md": "# x\n"})


def test_malformed_input_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(CheckError, match=r"^poetry\.lock:3: invalid TOML"):
        run(tmp_path, {"poetry.lock": '[[package]]\nname = "x"\nversion = \n'})


def test_end_to_end_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        '[project]\nname = "svc"\nversion = "1"\ndependencies = ["requests"]\n\n'
        '[tool.readiness.dependencies]\nkind = "application"\n'
    )
    pytester.makefile(".txt", requirements="requests==2.32.3\n")
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = pytester.runpytest(
        "--readiness", "--readiness-select", "dependencies", "--readiness-report", "r.json"
    )
    report = json.loads((pytester.path / "r.json").read_text("utf-8"))
    (check,) = [item for item in report["checks"] if item["id"] == "dependencies"]
    assert check["outcome"] == "passed"
    assert [(f["rule"], f["severity"], f["path"], f["line"]) for f in check["findings"]] == [
        ("unhashed", "medium", "requirements.txt", 1)
    ]
    assert report["verdict"] == "ready-with-risks"
    assert result.ret == 0


def test_hashless_pins_are_one_finding_per_file(tmp_path: Path) -> None:
    """A fully pinned 54-line requirements.txt without hashes: one fix, so one finding."""
    names = [f"package-{index:02d}" for index in range(54)]
    text = "".join(f"{name}==1.{index}\n" for index, name in enumerate(names))
    result = run(tmp_path, {"requirements.txt": text, "requirements-dev.txt": "pytest==8.3.3\n"})
    assert rows(result) == [
        ("unhashed", "medium", "requirements-dev.txt", 1),
        ("unhashed", "medium", "requirements.txt", 1),
    ]
    finding = result.findings[1]
    assert finding.message == (
        "54 pinned package(s) without an artifact hash, so a replaced upload would install: "
        + ", ".join(names[:8])
        + " and 46 more"
    )
    assert finding.fix.startswith("pip-compile --generate-hashes requirements.in")


def test_a_root_requirements_file_makes_an_application(tmp_path: Path) -> None:
    """`[project]` beside a deployable requirements.txt: an app, judged on every line."""
    files = {"pyproject.toml": LIBRARY_PYPROJECT, "requirements.txt": "flask>=2.0\n"}
    result = run(tmp_path, files)
    assert result.summary.startswith("application (guessed from requirements.txt")
    assert ("unpinned", "high", "requirements.txt", 1) in rows(result)
    for development in ("requirements-dev.txt", "requirements-test.txt", "requirements-docs.txt"):
        only_dev = {"pyproject.toml": LIBRARY_PYPROJECT, development: "pytest==8.3.3\n"}
        assert run(tmp_path / development, only_dev).summary.startswith("library (guessed")


def test_library_reproducibility_is_judged_per_file(tmp_path: Path) -> None:
    """One `==` among ranges does not make an environment reproducible."""
    files = {
        "pyproject.toml": LIBRARY_PYPROJECT,
        "requirements-test.txt": "pytest==8.3.3\ncoverage>=7\n",
    }
    result = run(tmp_path, files)
    assert rows(result) == [("no-reproducible-env", "medium", "pyproject.toml", None)]
    assert "(requirements-test.txt pin only part of it)" in result.findings[0].message
    files["requirements-test.txt"] = "pytest==8.3.3\ncoverage==7.6.1\n"
    assert rows(run(tmp_path, files)) == []


PIPENV_PYLOCK = """\
lock-version = "1.0"
created-by = "pipenv"

[[packages]]
name = "requests"
version = "2.32.3"
wheels = [{{ url = "https://files.example.invalid/r.whl", hashes = {{ sha256 = "{digest}" }} }}]
"""


def test_a_pylock_is_compared_with_pyproject_only_when_made_from_it(tmp_path: Path) -> None:
    """pipenv writes pylock.toml from its Pipfile: pyproject's other needs are not its business."""
    pyproject = APP_PYPROJECT.replace('"httpx",', '"httpx",\n    "pipenv-only-not",')
    lock = PIPENV_PYLOCK.format(digest="ab" * 32)
    files = {"pyproject.toml": pyproject, "pylock.toml": lock}
    result = run(tmp_path / "pipenv", files)
    assert "lock-out-of-sync" not in [finding.rule for finding in result.findings]
    made_by_uv = "# uv pip compile pyproject.toml -o pylock.toml\n" + lock
    files["pylock.toml"] = made_by_uv
    result = run(tmp_path / "uv", files)
    out_of_sync = [f.message for f in result.findings if f.rule == "lock-out-of-sync"]
    assert out_of_sync == [
        "'httpx' is missing from the lock: the lock is older than the declaration",
        "'pipenv-only-not' is missing from the lock: the lock is older than the declaration",
        "'pytest>=8' is missing from the lock: the lock is older than the declaration",
    ]


PDM_LOCK = """\
[metadata]
groups = ["default"]
strategy = ["inherit_metadata"]
lock_version = "4.5.0"

[[package]]
name = "requests"
version = "2.32.3"
files = [{{file = "requests-2.32.3.tar.gz", hash = "sha256:{digest}"}}]

[[package]]
name = "httpx"
version = "0.27.2"
files = [{{file = "httpx-0.27.2.tar.gz", hash = "sha256:{digest}"}}]
"""


def test_pdm_is_compared_only_for_the_groups_it_locked(tmp_path: Path) -> None:
    files = {"pyproject.toml": APP_PYPROJECT, "pdm.lock": PDM_LOCK.format(digest="ab" * 32)}
    result = run(tmp_path / "default", files)
    assert [f.rule for f in result.findings if f.rule == "lock-out-of-sync"] == []
    files["pdm.lock"] = files["pdm.lock"].replace('["default"]', '["default", "test"]')
    result = run(tmp_path / "with-test", files)
    assert [(f.rule, f.line) for f in result.findings if f.rule == "lock-out-of-sync"] == [
        ("lock-out-of-sync", 10)
    ]
