"""CVSS v3 base scores against published NVD figures, and the formula's invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.supply_chain.cvss import base_score, rating
from pytest_readiness.model import Severity


@pytest.mark.parametrize(
    ("vector", "score", "severity"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, Severity.CRITICAL),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, Severity.CRITICAL),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8, Severity.HIGH),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, Severity.HIGH),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, Severity.HIGH),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, Severity.MEDIUM),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, Severity.MEDIUM),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9, Severity.MEDIUM),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3, Severity.MEDIUM),
        ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6, Severity.LOW),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, Severity.LOW),
    ],
)
def test_published_scores(vector: str, score: float, severity: Severity) -> None:
    assert base_score(vector) == score
    assert rating(score) is severity


@pytest.mark.parametrize(
    "vector",
    [
        "",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P",
    ],
)
def test_incomplete_or_other_versions_give_no_score(vector: str) -> None:
    assert base_score(vector) is None


metric = st.sampled_from


@given(
    av=metric("NALP"), ac=metric("LH"), pr=metric("NLH"), ui=metric("NR"), scope=metric("UC"),
    c=metric("NLH"), i=metric("NLH"), a=metric("NLH"),
)  # fmt: skip
def test_scores_are_bounded_one_decimal_and_monotonic_in_impact(
    av: str, ac: str, pr: str, ui: str, scope: str, c: str, i: str, a: str
) -> None:
    def score(confidentiality: str) -> float:
        vector = (
            f"CVSS:3.1/AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{scope}/C:{confidentiality}/I:{i}/A:{a}"
        )
        value = base_score(vector)
        assert value is not None
        return value

    scores = [score(level) for level in "NLH"]
    for value in scores:
        assert 0.0 <= value <= 10.0
        assert round(value, 1) == value
    assert scores[0] <= scores[1] <= scores[2]
