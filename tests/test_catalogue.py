"""The readiness catalogue: every item of the review's documents mapped, and nothing invented."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness.catalogue import CatalogueError, Proof, load_catalogue, parse_catalogue
from pytest_readiness.checks.builtin import pytest_readiness_checks
from pytest_readiness.model import Severity
from tests.seed_checklists import seed_items, seeds_folder


@pytest.fixture(scope="module")
def seed_keys() -> dict[str, str]:
    folder = seeds_folder()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("the review's documents (shared/seeds beside the repository) are missing")
        pytest.skip("the review's documents are not beside this checkout")
    return {
        item.key: item.text for path in sorted(folder.glob("*.txt")) for item in seed_items(path)
    }


def test_every_checklist_item_of_the_review_is_mapped(seed_keys: dict[str, str]) -> None:
    mapped = {source for item in load_catalogue() for source in item.sources}
    unmapped = {key: text for key, text in seed_keys.items() if key not in mapped}
    assert not unmapped, f"{len(unmapped)} item(s) of the review have no catalogue entry"
    assert len(seed_keys) >= 250


def test_every_source_names_a_real_checklist_item(seed_keys: dict[str, str]) -> None:
    dangling = {
        item.id: source for item in load_catalogue() for source in item.sources
        if source not in seed_keys
    }  # fmt: skip
    assert not dangling


def test_the_checklist_sections_keep_their_priorities() -> None:
    sections = {section.id: section for section in load_catalogue().sections}
    assert [s.number for s in sections.values() if s.number] == list(range(1, 15))
    assert sections["reliability"].priority is Severity.CRITICAL
    assert sections["cost"].priority is Severity.HIGH
    item = load_catalogue().get("reliability.timeouts")
    assert item is not None
    assert item.priority is Severity.CRITICAL
    assert item.area == "infrastructure-resilience"
    assert item.checks == ("timeouts",)


def test_every_check_named_as_proof_is_a_built_in_check() -> None:
    known = {check_class.id for check_class in pytest_readiness_checks()}
    named = {check for item in load_catalogue() for check in item.checks}
    assert named - known == set()


def test_ai_service_profile_holds_every_service_item() -> None:
    catalogue = load_catalogue()
    service = {item.id for item in catalogue.for_profile("service")}
    ai_service = {item.id for item in catalogue.for_profile("ai-service")}
    library = {item.id for item in catalogue.for_profile("library")}
    assert service < ai_service
    assert "security.prompt-injection-detection" in ai_service - service
    assert "security.no-secrets-in-code" in library
    assert "reliability.liveness" not in library


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("check:timeouts", Proof("check", "timeouts")),
        ("check:logging/print-call", Proof("check", "logging", "print-call")),
        ("test", Proof("test")),
        ("attestation", Proof("attestation")),
    ],
)
def test_proof_parses(text: str, expected: Proof) -> None:
    assert Proof.parse(text) == expected


@pytest.mark.parametrize("text", ["check", "check:", "test:x", "person", ""])
def test_malformed_proof_is_an_error(text: str) -> None:
    with pytest.raises(CatalogueError, match="expected check"):
        Proof.parse(text)


def _catalogue(items: list[dict[str, Any]], area: str = "a") -> dict[str, Any]:
    return {
        "areas": {"a": "A"},
        "profiles": {"service": "S"},
        "sections": [{"id": "s", "title": "S", "priority": "high"}],
        "groups": [{"section": "s", "title": "G", "area": area, "profiles": ["service"],
                    "items": items}],
    }  # fmt: skip


def test_duplicate_item_is_an_error() -> None:
    item = {"id": "s.x", "says": "x"}
    with pytest.raises(CatalogueError, match="appears twice"):
        parse_catalogue(_catalogue([item, item]))


def test_unknown_area_is_an_error() -> None:
    with pytest.raises(CatalogueError, match="unknown area"):
        parse_catalogue(_catalogue([{"id": "s.x", "says": "x"}], area="b"))


def test_item_inherits_from_group_and_section() -> None:
    catalogue = parse_catalogue(_catalogue([{"id": "s.x", "says": "x", "priority": "low"},
                                            {"id": "s.y", "says": "y"}]))  # fmt: skip
    x, y = catalogue.items
    assert (x.priority, y.priority) == (Severity.LOW, Severity.HIGH)
    assert y.proof == (Proof("attestation"),)
    assert y.profiles == frozenset({"service"})


def test_the_documented_item_list_is_current() -> None:
    script = Path(__file__).resolve().parent.parent / "scripts" / "catalogue_docs.py"
    spec = importlib.util.spec_from_file_location("catalogue_docs", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = module.PAGE.read_text("utf-8")
    assert module.rewritten(page, load_catalogue()) == page, (
        "docs/review.md is stale: run `python scripts/catalogue_docs.py --write`"
    )
