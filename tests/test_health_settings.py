"""`[[tool.readiness.health]]` entries: defaults, validation, what counts as success."""

from __future__ import annotations

import tomllib

import pytest

from pytest_readiness.checks.health.settings import HealthEntry
from pytest_readiness.settings import SettingsError, load


def _entries(toml: str) -> list[HealthEntry]:
    raw = tomllib.loads(toml)["health"]
    entries: list[HealthEntry] = load(list[HealthEntry], raw, "tool.readiness.health")
    return entries


def test_an_entry_with_name_and_url_probes_like_kubernetes() -> None:
    (entry,) = _entries('[[health]]\nname = "api"\nurl = "http://127.0.0.1:8080/healthz"\n')
    assert (entry.timeout_s, entry.connect_timeout_s, entry.probes) == (1.0, 1.0, 20)
    assert entry.command == ""
    assert entry.dependency_down_status == [503]
    assert (entry.dependency_faults, entry.dependency_slow_s) == (["down"], 2.0)
    assert not entry.proxied, "the default stops the stand-in: no proxy, as before"
    assert [code for code in (199, 200, 302, 399, 400, 503) if entry.accepts(code)] == [
        200,
        302,
        399,
    ]


def test_expect_status_replaces_the_default_range() -> None:
    entry = HealthEntry(name="a", url="http://127.0.0.1/", expect_status=[204])
    assert entry.accepts(204)
    assert not entry.accepts(200)


def test_full_entry_loads_with_nested_json_expectations() -> None:
    (entry,) = _entries(
        """
        [[health]]
        name = "api-readiness"
        url = "http://127.0.0.1:{port}/readyz"
        command = "{python} -m app --port {port}"
        env = { PYTHONPATH = "src" }
        expect_json = { status = "pass", "checks.db.0.observedValue" = 3 }
        budget_p95_ms = 250
        """
    )
    assert entry.expect_json == {"status": "pass", "checks.db.0.observedValue": 3}
    assert entry.env == {"PYTHONPATH": "src"}
    assert entry.budget_p95_ms == 250.0


DEPENDENT = 'name = "a"\nurl = "http://x/"\ncommand = "s"\ndependency_command = "d"\n'


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('name = "api"', "tool.readiness.health[0].url: required key is missing"),
        ('name = "a b"\nurl = "http://x/"', "must be letters, digits"),
        ('name = "a"\nurl = "ftp://x/"', "must start with http:// or https://"),
        ('name = "a"\nurl = "http://127.0.0.1:{port}/"', "needs a `command`"),
        ('name = "a"\nurl = "http://x/"\ndependency_command = "x"', "needs a `command`"),
        ('name = "a"\nurl = "http://x/"\nprobes = 0', "probes must be at least 1"),
        ('name = "a"\nurl = "http://x/"\ntimeout_s = 0', "timeout_s must be greater than 0"),
        ('name = "a"\nurl = "http://x/"\nexpect_status = [700]', "700 is not an HTTP status"),
        ('name = "a"\nurl = "http://x/"\nbudget_p95_ms = 1000', "must sit under the probe"),
        ('name = "a"\nurl = "http://x/"\nbody_format = "xml"', "allowed: 'auto', 'json'"),
        ('name = "a"\nurl = "http://x/"\nretries = 3', "health[0].retries: unknown key"),
        (f"{DEPENDENT}dependency_faults = []", "dependency_faults is empty"),
        (f'{DEPENDENT}dependency_faults = ["slow", "slow"]', "names slow more than once"),
        (f'{DEPENDENT}dependency_faults = ["partition"]', "allowed: 'down', 'slow', 'black-hole'"),
        (f"{DEPENDENT}dependency_slow_s = 0", "dependency_slow_s must be greater than 0"),
        (
            'name = "a"\nurl = "http://x/"\ndependency_faults = ["slow"]',
            "needs a `dependency_command`",
        ),
    ],
)
def test_bad_entries_are_refused_naming_the_problem(toml: str, problem: str) -> None:
    with pytest.raises(SettingsError) as raised:
        _entries(f"[[health]]\n{toml}\n")
    assert problem in str(raised.value)
    assert str(raised.value).startswith("tool.readiness.health[0]")


@pytest.mark.parametrize(
    ("faults", "proxied"),
    [(["down"], False), (["slow"], True), (["down", "black-hole"], True)],
)
def test_a_proxy_goes_in_front_of_the_stand_in_only_for_the_faults_that_need_one(
    faults: list[str], proxied: bool
) -> None:
    (entry,) = _entries(
        f"[[health]]\n{DEPENDENT}dependency_faults = {faults!r}\n".replace("'", '"')
    )
    assert entry.proxied is proxied
