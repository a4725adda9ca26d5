"""`python -m pytest_readiness.advisories update`: against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.advisories import ProgressLine, main, target_file, update
from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext
from pytest_readiness.checks.supply_chain import VulnerabilitiesCheck
from pytest_readiness.checks.supply_chain.vulnerabilities import VulnerabilitiesSettings
from pytest_readiness.files import ProjectFiles
from pytest_readiness.runner import Service, free_port

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def osv(id_: str, name: str, fixed: str, modified: datetime.datetime = NOW) -> dict[str, Any]:
    return {
        "id": id_,
        "modified": modified.isoformat(),
        "summary": f"{name} is vulnerable",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
    }


def export(path: Path, records: list[dict[str, Any]]) -> Path:
    """A zip shaped like OSV's `PyPI/all.zip`: one `<id>.json` per record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in records:
            archive.writestr(f"{item['id']}.json", json.dumps(item))
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`python -m http.server` as its own process, serving a folder the tests fill."""
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    with Service(command, cwd=folder, env={}) as server:
        server.wait_until_accepting(port, timeout_s=10)
        yield f"http://127.0.0.1:{port}", folder


RECORDS = [osv("PYSEC-2099-1", "jinja2", "3.1.4"), osv("PYSEC-2099-2", "six", "1.17.0")]


def test_update_fills_a_database_that_a_later_audit_uses(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    base, folder = served
    export(folder / "fresh" / "all.zip", RECORDS)
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("jinja2==3.1.3\nsix==1.17.0\n", "utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_readiness.advisories", "update", "advisories",
         "--url", f"{base}/fresh/all.zip", "--timeout", "10"],
        cwd=project, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == (
        f"advisories/PyPI/all.zip: 2 record(s) (PyPI 2); newest record modified {NOW.isoformat()}\n"
    )
    assert completed.stderr.startswith(f"downloading {base}/fresh/all.zip: 0.0 MiB of 0.0 MiB")
    assert "(100%)" in completed.stderr
    ctx = CheckContext(rootdir=project, files=ProjectFiles(project), cache=ContentCache(None))
    result = VulnerabilitiesCheck(VulnerabilitiesSettings(advisory_db="advisories")).run(ctx)
    assert [(f.rule, f.path, f.line) for f in result.findings] == [
        ("known-vulnerability", "requirements.txt", 1)
    ]
    assert "offline database: 2 record(s) (PyPI 2)" in result.summary


def test_an_incomplete_or_foreign_export_leaves_the_old_copy(
    served: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, folder = served
    database = tmp_path / "advisories"
    export(folder / "good.zip", RECORDS)
    update(database, f"{base}/good.zip")
    before = target_file(database).read_bytes()
    (folder / "cut.zip").write_bytes(before[: len(before) // 2])
    npm = osv("GHSA-npm", "left-pad", "2.0")
    npm["affected"][0]["package"]["ecosystem"] = "npm"
    export(folder / "npm.zip", [npm])
    export(folder / "smaller.zip", RECORDS[:1])
    old = [osv(r["id"], "six", "1.0", NOW - datetime.timedelta(days=30)) for r in RECORDS]
    export(folder / "older.zip", old)
    cases = {
        "cut.zip": "the download is not a complete zip",
        "npm.zip": "holds no PyPI records (found 1 record(s) (npm 1))",
        "smaller.zip": "the download holds 1 records, fewer than the 2 in",
        "older.zip": "the download is older than",
        "missing.zip": "answered 404",
    }
    for name, problem in cases.items():
        code = main(["update", str(database), "--url", f"{base}/{name}", "--timeout", "10"])
        stderr = capsys.readouterr().err
        assert code == 1, name
        assert problem in stderr, (name, stderr)
        assert stderr.rstrip().endswith("the previous database is unchanged")
        assert target_file(database).read_bytes() == before
    assert [path.name for path in target_file(database).parent.iterdir()] == ["all.zip"]
    assert main(["update", str(database), "--url", f"{base}/smaller.zip", "--allow-shrink"]) == 0


def test_unreachable_server_and_bad_arguments(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/all.zip"
    assert main(["update", str(tmp_path / "db"), "--url", closed, "--timeout", "2"]) == 1
    assert main(["update", str(tmp_path / "db"), "--url", "file:///etc/passwd"]) == 1
    with pytest.raises(SystemExit) as caught:
        main(["update", str(tmp_path / "db"), "--timeout", "0"])
    assert caught.value.code == 2
    assert target_file(tmp_path / "db.zip") == tmp_path / "db.zip"


def test_progress_line_in_a_log_and_on_a_terminal() -> None:
    log = io.StringIO()
    line = ProgressLine(log, "http://127.0.0.1/all.zip")
    line(1 << 20, 4 << 20)
    line(2 << 20, 4 << 20)
    line(4 << 20, 4 << 20)
    assert log.getvalue() == textwrap.dedent(
        """\
        downloading http://127.0.0.1/all.zip: 1.0 MiB of 4.0 MiB (25%)
        downloading http://127.0.0.1/all.zip: 4.0 MiB of 4.0 MiB (100%)
        """
    )

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    live = ProgressLine(terminal, "u")
    live(3 << 20, None)
    live.finish()
    assert terminal.getvalue() == "\rdownloading u: 3.0 MiB\n"
