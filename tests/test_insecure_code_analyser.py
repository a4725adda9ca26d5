"""Bandit run on one file through its API: records, nosec, profile, unparseable files."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.insecure_code.analyser import BanditAnalyser, redact
from pytest_readiness.checks.insecure_code.project_config import BanditSetup

SOURCE = """
import hashlib
import subprocess


def run(command):
    subprocess.call(command, shell=True)
    subprocess.call(command, shell=True)  # nosec
    subprocess.call(command, shell=True)  # nosec B602
    subprocess.call(command, shell=True)  # nosec B101
    return hashlib.md5(command.encode())
"""


def analyse(tmp_path: Path, source: str, analyser: BanditAnalyser) -> list[dict[str, Any]]:
    path = tmp_path / "module.py"
    path.write_text(textwrap.dedent(source), "utf-8")
    return analyser.analyse("module.py", str(path), path.read_bytes())


def found(records: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(record["rule"], record["line"]) for record in records]


def test_records_carry_test_id_rating_cwe_and_doc_link(tmp_path: Path) -> None:
    records = analyse(tmp_path, SOURCE, BanditAnalyser(BanditSetup()))

    assert found(records) == [("B404", 3), ("B602", 7), ("B602", 10), ("B324", 11)]
    shell = records[1]
    assert shell["test_name"] == "subprocess_popen_with_shell_equals_true"
    assert (shell["bandit_severity"], shell["bandit_confidence"], shell["cwe"]) == (
        "HIGH",
        "HIGH",
        78,
    )
    assert shell["more_info"].endswith("b602_subprocess_popen_with_shell_equals_true.html")
    assert shell["column"] == 5


def test_nosec_can_be_ignored_and_the_profile_skips_tests(tmp_path: Path) -> None:
    every = analyse(tmp_path, SOURCE, BanditAnalyser(BanditSetup(), ignore_nosec=True))
    skipping = analyse(tmp_path, SOURCE, BanditAnalyser(BanditSetup(skips=("B404", "B324"))))
    only = analyse(tmp_path, SOURCE, BanditAnalyser(BanditSetup(tests=("B324",))))

    assert [line for rule, line in found(every) if rule == "B602"] == [7, 8, 9, 10]
    assert found(skipping) == [("B602", 7), ("B602", 10)]
    assert found(only) == [("B324", 11)]


def test_a_suspected_password_never_reaches_the_record(tmp_path: Path) -> None:
    value = "s3cr3t" + "-value-1234"  # built here, so the repository holds no such literal
    records = analyse(tmp_path, f'token = "{value}"\n', BanditAnalyser(BanditSetup()))

    (record,) = records
    assert record["rule"] == "B105"
    assert value not in str(record)
    assert record["message"] == "Possible hardcoded password: 's3cr…' (17 characters)"


def test_an_unparseable_file_is_a_not_analysed_record(tmp_path: Path) -> None:
    (record,) = analyse(tmp_path, "def broken(:\n", BanditAnalyser(BanditSetup()))

    assert record["rule"] == "not-analysed"
    assert "syntax error" in record["message"]


@given(value=st.text(alphabet="0123456789-_!@$%^&*+=", min_size=5, max_size=200))
def test_redaction_keeps_at_most_four_characters(value: str) -> None:
    message = redact(f"Possible hardcoded password: '{value}'")

    assert value not in message
    assert message.endswith(f"({len(value)} characters)")
    assert f"'{value[:4]}…'" in message


def test_other_messages_are_kept() -> None:
    assert redact("Use of assert detected.") == "Use of assert detected."
