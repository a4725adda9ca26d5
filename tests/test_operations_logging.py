"""The `logging` check on real source trees: clean code, each rule, tests left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.check import CheckSkipped
from pytest_readiness.checks.operations.logging import LoggingCheck
from tests.conftest import read_report
from tests.operations_projects import by_rule, project, run

CLEAN = '''
"""A module that logs properly."""
import contextlib
import logging

logger = logging.getLogger(__name__)


def load(path, token):
    try:
        return open(path).read()
    except OSError:
        logger.warning("cannot read %s", path, exc_info=True)
        raise
    finally:
        logger.debug("token set: %s, length %d", bool(token), len(token))


def cleanup(path):
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    try:
        path.rmdir()
    except:
        logger.exception("cleanup failed")
        raise
'''

DIRTY = """
import logging

log = logging.getLogger(__name__)


def handle(request, password, settings):
    print("handling", request)
    try:
        request.send()
    except:
        pass
    try:
        request.commit()
    except (OSError, ValueError):
        ...
    log.info("login with %s", password)
    log.debug(f"using key {settings.api_key}")
    logging.error("config %s", settings["db_password"])
    self_logger = log
    self_logger.warning("ok", extra={"auth_token": request.token})
    log.info("count %d", len(password))
"""


def test_clean_source_passes(tmp_path: Path) -> None:
    result = run(LoggingCheck, project(tmp_path, {"src/app/core.py": CLEAN}))
    assert result.findings == []
    assert result.metrics == {"files_scanned": 1.0}


def test_each_rule_at_its_line(tmp_path: Path) -> None:
    result = run(LoggingCheck, project(tmp_path, {"src/app/views.py": DIRTY}))
    found = sorted((finding.rule, finding.line) for finding in result.findings)
    assert found == [
        ("bare-except", 10),
        ("print-call", 7),
        ("secret-logged", 16),
        ("secret-logged", 17),
        ("secret-logged", 18),
        ("secret-logged", 20),
    ]
    assert result.metrics["narrow_swallows_left_out"] == 1
    assert "1 narrow `except ...: pass` left out" in result.summary
    messages = " ".join(finding.message for finding in by_rule(result, "secret-logged"))
    for name in ("'password'", "'api_key'", "'db_password'", "'auth_token'"):
        assert name in messages
    assert "and drops it" in by_rule(result, "bare-except")[0].message
    assert by_rule(result, "print-call")[0].column == 5


def test_tests_docs_and_cli_entry_points_are_left_alone(tmp_path: Path) -> None:
    files = {
        "tests/test_app.py": DIRTY,
        "src/app/conftest.py": DIRTY,
        "docs/example.py": DIRTY,
        "src/app/__main__.py": 'print("usage: app")\n',
        "src/app/core.py": CLEAN,
    }
    result = run(LoggingCheck, project(tmp_path, files))
    assert result.findings == []
    assert result.metrics == {"files_scanned": 2.0}
    strict = run(LoggingCheck, project(tmp_path, {}), print_allowed=[])
    assert [(f.rule, f.path) for f in strict.findings] == [("print-call", "src/app/__main__.py")]


def test_try_this_then_that_is_not_a_swallowed_error(tmp_path: Path) -> None:
    source = """
    def parse(text):
        try:
            return int(text)
        except ValueError:
            pass
        try:
            record(float(text))
        except ValueError:
            pass
        return None
    """
    result = run(LoggingCheck, project(tmp_path, {"app.py": source}), swallowed="all")
    assert [(f.rule, f.line) for f in result.findings] == [("swallowed-exception", 8)]


def test_every_narrow_swallow_is_listed_when_asked_for(tmp_path: Path) -> None:
    result = run(LoggingCheck, project(tmp_path, {"src/app/views.py": DIRTY}), swallowed="all")
    assert ("swallowed-exception", 14) in [(f.rule, f.line) for f in result.findings]
    assert "narrow_swallows_left_out" not in result.metrics


BROAD = """
class Pool:
    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def recycle(self, conn):
        try:
            conn.refresh()
        except (ValueError, Exception):
            pass
        try:
            self.notify()
        except BaseException:
            ...

try:
    import ujson as json
except Exception:
    pass
"""


def test_broad_swallows_are_reported_but_not_finalisers_or_optional_imports(
    tmp_path: Path,
) -> None:
    result = run(LoggingCheck, project(tmp_path, {"src/app/pool.py": BROAD}))
    assert [(f.rule, f.line) for f in result.findings] == [
        ("swallowed-exception", 11),
        ("swallowed-exception", 15),
    ]
    assert "`except BaseException: pass`" in result.findings[1].message


def test_a_module_that_defines_print_is_not_printing(tmp_path: Path) -> None:
    source = "from rich import print\n\nprint('[bold]hi[/bold]')\n"
    assert run(LoggingCheck, project(tmp_path, {"app.py": source})).findings == []


@pytest.mark.parametrize(
    "setup",
    [
        "from pythonjsonlogger import jsonlogger\n",
        "import structlog\n",
        "CONFIG = {'formatters': {'json': {'()': 'pythonjsonlogger.jsonlogger.JsonFormatter'}}}\n",
        (
            "import json, logging\n\n"
            "class JsonFormatter(logging.Formatter):\n"
            "    def format(self, record):\n"
            "        return json.dumps({'message': record.getMessage()})\n"
        ),
    ],
)
def test_structured_logging_is_recognised(tmp_path: Path, setup: str) -> None:
    ctx = project(tmp_path, {"app/log_setup.py": setup, "app/core.py": CLEAN})
    assert run(LoggingCheck, ctx, require_json=True).findings == []


def test_missing_structured_logging_only_when_required(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"app/core.py": CLEAN})
    assert run(LoggingCheck, ctx).findings == []
    (finding,) = run(LoggingCheck, ctx, require_json=True).findings
    assert (finding.rule, finding.path) == ("no-structured-logging", None)


def test_syntax_error_is_a_finding_with_its_line(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"app/broken.py": "x = 1\ndef f(:\n", "app/core.py": CLEAN})
    (finding,) = run(LoggingCheck, ctx).findings
    assert (finding.rule, finding.path, finding.line) == ("unparseable-source", "app/broken.py", 2)


def test_no_source_is_a_skip(tmp_path: Path) -> None:
    with pytest.raises(CheckSkipped):
        run(LoggingCheck, project(tmp_path, {"tests/test_a.py": "def test(): pass\n"}))


def test_gate_counts_print_calls_as_risks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{"src/app/core": "def run():\n    print('hi')\n"})
    result = pytester.runpytest(
        "--readiness", "--readiness-only", "--readiness-select", "logging",
        "--readiness-report", "r.json",
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "ready-with-risks"
    (record,) = report["checks"]
    assert [(f["rule"], f["path"], f["line"]) for f in record["findings"]] == [
        ("print-call", "src/app/core.py", 2)
    ]


IDIOMS = """
import os


def fetch(conn, path):
    try:
        conn.send()
    except Exception:
        try:
            conn.close()
        except Exception:
            pass
        try:
            os.unlink(path)
        except Exception:
            pass
        raise
    try:
        size = os.path.getsize(path)
    except Exception:
        pass
    try:
        conn.ping()
    except Exception:
        pass
    else:
        return conn
    try:
        conn.send()
    finally:
        try:
            conn.flush_log()
        except Exception:
            pass
    try:
        if conn.can_write_eof():
            conn.write_eof()
        for stream in conn.streams:
            stream.close_connection()
    except Exception:
        pass


class Pool:
    def close(self):
        try:
            self.drain()
        except Exception:
            pass
"""


def test_best_effort_cleanups_probes_and_fallbacks_are_counted_not_reported(
    tmp_path: Path,
) -> None:
    result = run(LoggingCheck, project(tmp_path, {"src/app/pool.py": IDIOMS}))
    assert result.findings == []
    assert result.metrics["idiom_swallows_left_out"] == 7
    assert "7 silent `except` in clean-ups" in result.summary


def test_a_bare_except_that_reraises_through_a_helper_is_not_reported(tmp_path: Path) -> None:
    source = """
    import sys
    from app import util

    def commit(transaction):
        try:
            transaction.commit()
        except:
            with util.safe_reraise():
                transaction.rollback()

    def close(transaction):
        try:
            transaction.close()
        except:
            error = sys.exc_info()
        return error
    """
    assert run(LoggingCheck, project(tmp_path, {"src/app/tx.py": source})).findings == []
