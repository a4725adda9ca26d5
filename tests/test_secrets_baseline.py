"""The baseline of accepted secrets: keyed on path, rule and secret hash, never the line."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from pytest_readiness.checks.secrets import baseline
from pytest_readiness.checks.secrets.baseline import Baseline, BaselineError
from pytest_readiness.checks.secrets.scanner import SecretMatch, legacy_hash, scan_text
from tests.secrets_samples import password


def _match(text: str, path: str = "app.py") -> SecretMatch:
    (match,) = scan_text(text, path)
    return match


def test_accepted_secret_stays_accepted_when_its_line_moves(tmp_path: Path) -> None:
    value = password(random.Random(1))
    file = tmp_path / "baseline.json"
    baseline.write(file, [_match(f"password = '{value}'")])
    moved = _match(f"\n\n\npassword = '{value}'")
    assert moved.line == 4
    assert Baseline.load(file).accepts(moved)


def test_new_secret_on_an_old_line_is_caught(tmp_path: Path) -> None:
    file = tmp_path / "baseline.json"
    baseline.write(file, [_match(f"password = '{password(random.Random(2))}'")])
    assert not Baseline.load(file).accepts(_match(f"password = '{password(random.Random(3))}'"))


def test_same_secret_in_another_file_is_not_accepted(tmp_path: Path) -> None:
    text = f"password = '{password(random.Random(4))}'"
    file = tmp_path / "baseline.json"
    baseline.write(file, [_match(text, "a.py")])
    assert not Baseline.load(file).accepts(_match(text, "b.py"))


def test_written_baseline_holds_no_secret(tmp_path: Path) -> None:
    value = password(random.Random(5), 24)
    file = tmp_path / "sub" / "baseline.json"
    baseline.write(file, [_match(f"password = '{value}'")])
    content = file.read_text()
    assert value not in content
    assert json.loads(content)["accepted"][0]["rule"] == "generic-secret"


def test_missing_baseline_is_empty(tmp_path: Path) -> None:
    assert len(Baseline.load(tmp_path / "none.json")) == 0
    assert Baseline().import_detect_secrets(tmp_path / "none") == 0


@pytest.mark.parametrize("content", ["not json", "[]", '{"accepted": [{"path": "a"}]}'])
def test_broken_baseline_is_an_error(tmp_path: Path, content: str) -> None:
    file = tmp_path / "baseline.json"
    file.write_text(content)
    with pytest.raises(BaselineError):
        Baseline.load(file)


def test_detect_secrets_baseline_is_honoured(tmp_path: Path) -> None:
    value = password(random.Random(6))
    match = _match(f"password = '{value}'", "src/settings.py")
    file = tmp_path / ".secrets.baseline"
    file.write_text(
        json.dumps(
            {
                "version": "1.5.0",
                "results": {
                    "src/settings.py": [
                        {
                            "type": "Secret Keyword",
                            "filename": "src/settings.py",
                            "hashed_secret": legacy_hash(value),
                            "is_verified": False,
                            "line_number": 10,
                        }
                    ]
                },
            }
        )
    )
    accepted = Baseline()
    assert accepted.import_detect_secrets(file) == 1
    assert accepted.accepts(match)
    assert not accepted.accepts(_match(f"password = '{value}'", "other.py"))


def test_detect_secrets_baseline_without_results_is_an_error(tmp_path: Path) -> None:
    file = tmp_path / ".secrets.baseline"
    file.write_text("{}")
    with pytest.raises(BaselineError, match="results"):
        Baseline().import_detect_secrets(file)
