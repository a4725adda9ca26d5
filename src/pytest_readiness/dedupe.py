"""One finding per problem: findings of different checks that name the same problem are merged.

Some problems are seen by two checks: a `requests.get(url)` without a timeout is bandit's B113
and `timeouts`' `missing-timeout`; a `RUN pip install flask` is `container`'s
`unpinned-pip-install` and `dependencies`' `install-unpinned`. Which rules mean the same problem
is declared here, never guessed from messages. Findings of equivalent rules at the same path and
line become one: it stays with the check whose finding there is the most severe (on a tie, the
check listed first below), takes the strongest severity of the group, and names the other
checks and rules in `also_reported_by`. The check that gave its findings up keeps a count of
them (`findings_merged_into_other_checks`), so nothing disappears from the report unannounced.

Checks run on different xdist workers, so this runs once on the central process, on every
record, before the verdict is decided. Waived findings are left as they are: a waiver belongs to
one check and is listed with it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

from pytest_readiness.model import CheckRecord, Finding

EQUIVALENT_RULES: tuple[tuple[tuple[str, str], ...], ...] = (
    (("timeouts", "missing-timeout"), ("bandit", "B113")),
    (("dependencies", "install-unpinned"), ("container", "unpinned-pip-install")),
    (
        ("timeouts", "swallowed-network-error"),
        ("logging", "swallowed-exception"),
        ("logging", "bare-except"),
        ("bandit", "B110"),
    ),
)
"""Each entry: (check id, rule) pairs that report one problem, the preferred check first."""

MERGED_METRIC = "findings_merged_into_other_checks"

_GROUP = {member: index for index, group in enumerate(EQUIVALENT_RULES) for member in group}
_PREFERENCE = {member: rank for group in EQUIVALENT_RULES for rank, member in enumerate(group)}


def merge_duplicates(records: Sequence[CheckRecord]) -> list[CheckRecord]:
    """The records with each problem reported once; records without duplicates are unchanged."""
    places: dict[tuple[int, str, int], dict[str, list[Finding]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for record in records:
        for finding in record.open_findings:
            group = _GROUP.get((record.id, finding.rule))
            if group is not None and finding.path is not None and finding.line is not None:
                places[(group, finding.path, finding.line)][record.id].append(finding)
    replaced: dict[int, Finding] = {}
    dropped: dict[int, str] = {}
    for by_check in places.values():
        if len(by_check) < 2:
            continue
        keeper = min(by_check, key=lambda check: _rank(check, by_check[check]))
        strongest = min(
            (finding.severity for found in by_check.values() for finding in found),
            key=lambda severity: severity.rank,
        )
        others = tuple(
            sorted(
                {
                    f"{check}:{finding.rule}"
                    for check, found in by_check.items()
                    if check != keeper
                    for finding in found
                }
            )
        )
        for finding in by_check[keeper]:
            replaced[id(finding)] = dataclasses.replace(
                finding,
                severity=strongest,
                also_reported_by=tuple(sorted({*finding.also_reported_by, *others})),
            )
        for check, found in by_check.items():
            if check != keeper:
                dropped.update((id(finding), keeper) for finding in found)
    if not replaced:
        return list(records)
    return [_rebuilt(record, replaced, dropped) for record in records]


def _rank(check: str, findings: list[Finding]) -> tuple[int, int]:
    worst = min(finding.severity.rank for finding in findings)
    return worst, _PREFERENCE[(check, findings[0].rule)]


def _rebuilt(
    record: CheckRecord, replaced: dict[int, Finding], dropped: dict[int, str]
) -> CheckRecord:
    gone = [finding for finding in record.findings if id(finding) in dropped]
    if not gone and not any(id(finding) in replaced for finding in record.findings):
        return record
    findings = [
        replaced.get(id(finding), finding)
        for finding in record.findings
        if id(finding) not in dropped
    ]
    metrics = dict(record.metrics)
    summary = record.summary
    if gone:
        metrics[MERGED_METRIC] = float(len(gone))
        into = ", ".join(sorted({dropped[id(finding)] for finding in gone}))
        summary = f"{summary}; {len(gone)} finding(s) merged into {into}"
    return dataclasses.replace(record, findings=findings, metrics=metrics, summary=summary)
