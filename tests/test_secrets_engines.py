"""Both keyword engines, Hyperscan (the `fast` extra) and the pure-`re` one, find the same."""

from __future__ import annotations

import concurrent.futures
import functools
import random

import pytest

from pytest_readiness.checks.secrets import keywords, scanner
from pytest_readiness.checks.secrets.rules import RULES
from pytest_readiness.checks.secrets.scanner import lower
from tests.secrets_samples import MAKERS, password, sample

VALUE = password(random.Random(5))
KeywordIndex = keywords.RegexKeywordIndex | keywords.HyperscanKeywordIndex
ENGINES = ["re", "hyperscan"]


@functools.cache
def build(engine: str) -> KeywordIndex:
    if engine == "re":
        return keywords.RegexKeywordIndex.build(RULES)
    if keywords.hyperscan is None:
        pytest.skip("hyperscan is not installed (the `fast` extra)")
    return keywords.HyperscanKeywordIndex(RULES, keywords.hyperscan)


@pytest.fixture(params=ENGINES)
def index(request: pytest.FixtureRequest) -> KeywordIndex:
    return build(request.param)


def findings(text: str, path: str) -> list[tuple[str, int, int]]:
    return [(match.rule, match.line, match.column) for match in scanner.scan_text(text, path)]


@pytest.mark.parametrize("rule", sorted(MAKERS))
def test_engines_agree_on_every_format(rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    example = sample(rule, 21)
    filler = ["x = 1", "é = 'ü'", "token_type = 'Bearer'", "pass"] * 3
    text = "\n".join([*filler, *example.lines, *filler])
    results = []
    for engine in ENGINES:
        monkeypatch.setattr(scanner, "keyword_index", functools.partial(build, engine))
        results.append(findings(text, example.path))
    assert results[0] == results[1]
    assert [item[0] for item in results[0]] == [rule]


def test_hyperscan_reads_only_the_lines_around_a_name_keyed_value() -> None:
    index = build("hyperscan")
    text = "a = 1\n" * 50 + f"db_password = '{VALUE}'\n" + "b = 2\n" * 50
    plan = {rule.id: windows for rule, windows in index.plan(text)}
    (window,) = plan["generic-secret"] or []
    assert text[window[0] : window[1]].splitlines() == ["a = 1", f"db_password = '{VALUE}'"]


def test_hyperscan_reads_the_whole_text_when_offsets_differ_from_bytes() -> None:
    """Multi-byte characters move byte offsets away from string positions."""
    index = build("hyperscan")
    text = "é" * 10 + f"\ndb_password = '{VALUE}'\n"
    plan = {rule.id: windows for rule, windows in index.plan(text)}
    assert plan["generic-secret"] is None
    assert findings(text, "a.py") == [("generic-secret", 2, 16)]


def test_index_prefers_hyperscan_when_installed() -> None:
    expected = (
        keywords.RegexKeywordIndex if keywords.hyperscan is None else keywords.HyperscanKeywordIndex
    )
    assert isinstance(keywords.index(RULES), expected)


def test_keyword_containing_another_wakes_its_rules(index: KeywordIndex) -> None:
    text = "server=db;password='abc'"
    woken = {rule.id for rule in index.rules_for(text, lower(text))}
    assert {"connection-string-password", "generic-secret"} <= woken
    assert index.rules_for("nothing to see here", "nothing to see here") == []


def test_keywords_sharing_a_tail_wake_only_the_rules_of_the_one_present(
    index: KeywordIndex,
) -> None:
    woken = {rule.id for rule in index.rules_for("the apikey is set", "the apikey is set")}
    assert "azure-storage-key" not in woken
    assert "azure-storage-key" in {
        rule.id for rule in index.rules_for("AccountKey=x", "accountkey=x")
    }


def test_hyperscan_index_scans_from_several_threads_at_once() -> None:
    index = build("hyperscan")
    text = f"db_password = '{VALUE}'\n" * 2000
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        plans = list(pool.map(lambda _: index.rules_for(text), range(16)))
    alone = [rule.id for rule in index.rules_for(text)]
    assert "generic-secret" in alone
    assert all([rule.id for rule in plan] == alone for plan in plans)
