"""Run bandit on one file through its Python API and keep what a finding needs.

Bandit's `BanditManager` is built per file (cheap once bandit's plugins are loaded) so results
never leak between files, and the file's records are cached by content. Records keep bandit's own
severity and confidence; the severity map is applied afterwards, so changing the map does not
invalidate the cache.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from pytest_readiness.cache import content_key
from pytest_readiness.checks.insecure_code.bandit_api import bandit
from pytest_readiness.checks.insecure_code.project_config import BanditSetup
from pytest_readiness.checks.python_sources import FileResult

SECRET_MESSAGE = re.compile(r"^(?P<lead>Possible hardcoded password: )'(?P<value>.*)'$", re.DOTALL)
SECRET_PREFIX = 4
NOT_ANALYSED = "not-analysed"


@functools.cache
def _bandit_config(config_file: str | None, digest: str) -> Any:
    """One parsed config per worker process and configuration (`digest` keys the content)."""
    return bandit().config.BanditConfig(config_file=config_file)


def redact(message: str) -> str:
    """Bandit quotes suspected passwords; show at most their first characters and length."""
    found = SECRET_MESSAGE.match(message)
    if found is None:
        return message
    value = found["value"]
    return f"{found['lead']}'{value[:SECRET_PREFIX]}…' ({len(value)} characters)"


@dataclass(frozen=True)
class BanditAnalyser:
    setup: BanditSetup
    ignore_nosec: bool = False

    @property
    def namespace(self) -> str:
        return "bandit"

    @property
    def identity(self) -> str:
        return f"bandit/{bandit().version}/{self.setup.config_digest}/{self.ignore_nosec}"

    def analyse(self, path: str, absolute: str, source: bytes) -> FileResult:
        manager = bandit().manager.BanditManager(
            _bandit_config(self.setup.config_file, self.setup.config_digest),
            "file",
            profile=self.setup.profile(),
            ignore_nosec=self.ignore_nosec,
            quiet=True,
        )
        manager.files_list = [absolute]
        manager.run_tests()
        if manager.skipped:
            reason = manager.get_skipped()[0][1]
            return [_not_analysed(reason)]
        lines = source.decode("utf-8", "replace").splitlines()
        return [_record(issue, lines) for issue in manager.get_issue_list()]


def _record(issue: Any, lines: list[str]) -> dict[str, Any]:
    line = issue.lineno if isinstance(issue.lineno, int) else None
    code = lines[line - 1].strip() if line is not None and 0 < line <= len(lines) else ""
    return {
        "rule": issue.test_id,
        "test_name": issue.test,
        "message": redact(issue.text),
        "bandit_severity": issue.severity,
        "bandit_confidence": issue.confidence,
        "cwe": issue.cwe.id or None,
        "line": line,
        "column": issue.col_offset + 1 if issue.col_offset >= 0 else None,
        "more_info": bandit().docs_utils.get_url(issue.test_id),
        "key": content_key(issue.test_id, code),
    }


def _not_analysed(reason: str) -> dict[str, Any]:
    return {
        "rule": NOT_ANALYSED,
        "test_name": "",
        "message": f"bandit could not analyse the file: {reason}",
        "bandit_severity": "MEDIUM",
        "bandit_confidence": "HIGH",
        "cwe": None,
        "line": None,
        "column": None,
        "more_info": "",
        "key": NOT_ANALYSED,
    }
