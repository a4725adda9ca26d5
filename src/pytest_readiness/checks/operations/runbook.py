"""`runbook`: the documents an on-call engineer reaches for exist and say something.

Google's SRE production readiness review (and most launch checklists derived from it) asks
for a runbook with incident response and escalation, a way back (a rollback procedure), a
published way to report vulnerabilities (`SECURITY.md`) and a record of what changed (a
changelog). A file that holds only a title or template placeholders passes a file-exists test
and helps nobody at 3 a.m., so emptiness and placeholders are findings too.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from pytest_readiness.check import Check, CheckContext
from pytest_readiness.checks.operations import outline
from pytest_readiness.files import ProjectFile
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.reading import NotRead, read_text

DocumentKind = Literal["runbook", "rollback", "security", "changelog"]
DOCUMENT_SUFFIXES = ("", ".md", ".markdown", ".rst", ".txt", ".adoc")
DESCRIPTIONS: dict[str, str] = {
    "runbook": "runbook (incident response, escalation)",
    "rollback": "rollback procedure",
    "security": "security policy (how to report a vulnerability)",
    "changelog": "changelog",
}
FIXES: dict[str, str] = {
    "runbook": "write docs/runbook.md: how to tell the service is unwell, first steps, who to call",
    "rollback": "add a `## Rollback` section to the runbook: the exact commands to go back",
    "security": "add SECURITY.md with a `## Reporting a vulnerability` section",
    "changelog": "add CHANGELOG.md (https://keepachangelog.com) and record each release",
}


@dataclass
class RunbookSettings:
    runbook: list[str] = field(
        default_factory=lambda: [
            "RUNBOOK*",
            "docs/runbook*",
            "docs/runbooks/*",
            "docs/operations*",
            "docs/ops/*",
            "docs/on-call*",
            "docs/oncall*",
            "docs/playbook*",
        ]
    )
    """Where the runbook lives: globs from the project root, ignoring case."""
    runbook_headings: list[str] = field(default_factory=lambda: ["incident", "escalation|escalate"])
    """Headings the runbook must have (case-insensitive substrings; `a|b` for alternatives)."""
    rollback: list[str] = field(
        default_factory=lambda: ["ROLLBACK*", "docs/rollback*", "docs/deploy*", "docs/release*"]
    )
    """Where a rollback procedure lives; a rollback section of the runbook also counts."""
    rollback_headings: list[str] = field(default_factory=lambda: ["rollback|roll back|roll-back"])
    """Headings the rollback procedure must have."""
    security: list[str] = field(
        default_factory=lambda: ["SECURITY*", ".github/SECURITY*", "docs/SECURITY*"]
    )
    """Where the security policy lives."""
    security_headings: list[str] = field(default_factory=lambda: ["report"])
    """Headings the security policy must have (how to report a vulnerability)."""
    changelog: list[str] = field(
        default_factory=lambda: [
            "CHANGELOG*",
            "CHANGES*",
            "HISTORY*",
            "NEWS*",
            "RELEASE_NOTES*",
            "docs/changelog*",
            "docs/changes*",
        ]
    )
    """Where the changelog lives."""
    changelog_headings: list[str] = field(default_factory=list)
    """Headings the changelog must have."""
    required: list[DocumentKind] = field(
        default_factory=lambda: ["runbook", "rollback", "security", "changelog"]
    )
    """The documents the project must have."""
    min_words: int = 10
    """Fewer words of content than this (placeholders not counted) make a document empty."""
    min_section_words: int = 5
    """Fewer words than this under a required heading make the section empty."""
    placeholders: list[str] = field(default_factory=lambda: ["TODO", "TBD", "FIXME", "lorem ipsum"])
    """Template text that marks a document as unfinished (whole words, any case)."""

    def validate(self) -> None:
        if self.min_words < 0 or self.min_section_words < 0:
            raise ValueError("min_words and min_section_words must be 0 or more")

    def patterns(self, kind: str) -> list[str]:
        patterns: list[str] = getattr(self, kind)
        return patterns

    def headings(self, kind: str) -> list[str]:
        headings: list[str] = getattr(self, f"{kind}_headings")
        return headings


@dataclass
class Document:
    file: ProjectFile
    outline: outline.Outline


class RunbookCheck(Check):
    id = "runbook"
    category = Category.OPERATIONS
    severity = Severity.MEDIUM
    description = "A runbook, a rollback procedure, SECURITY.md and a changelog that say something"
    Settings = RunbookSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: RunbookSettings = self.settings
        placeholders = outline.placeholder_pattern(settings.placeholders)
        documents: dict[str, list[Document]] = {}
        result = CheckResult()
        for kind in DESCRIPTIONS:
            documents[kind] = []
            for file in _listed(ctx, settings.patterns(kind)):
                try:
                    text = read_text(file)
                except NotRead:
                    continue
                except (OSError, UnicodeDecodeError) as error:
                    result.findings.append(self._unreadable(file, error))
                    continue
                documents[kind].append(Document(file, outline.parse(text)))
        reviewed: set[str] = set()
        for kind in settings.required:
            found = documents[kind]
            searched = found + documents["runbook"] if kind == "rollback" else found
            if not searched:
                result.findings.append(self._missing(kind))
                continue
            result.findings.extend(self._sections(kind, searched, placeholders))
            for document in found:
                if document.file.path not in reviewed:
                    reviewed.add(document.file.path)
                    result.findings.extend(self._content(document, placeholders))
        result.metrics = {"documents": float(len(reviewed))}
        result.summary = (
            f"{len(result.findings)} gap(s) in the operational documents"
            if result.findings
            else f"{len(reviewed)} operational document(s) complete"
        )
        return result

    def _missing(self, kind: str) -> Finding:
        settings: RunbookSettings = self.settings
        where = ", ".join(settings.patterns(kind))
        return self.finding(
            "missing-document",
            f"no {DESCRIPTIONS[kind]}",
            fix=f"{FIXES[kind]} (looked for {where}; set [tool.readiness.runbook] {kind})",
            key=kind,
        )

    def _sections(
        self, kind: str, documents: list[Document], placeholders: re.Pattern[str] | None
    ) -> Iterator[Finding]:
        settings: RunbookSettings = self.settings
        for wanted in settings.headings(kind):
            matches = [(doc, doc.outline.find(wanted)) for doc in documents]
            located = [(doc, section) for doc, section in matches if section is not None]
            if not located:
                first = documents[0].file.path
                yield self.finding(
                    "missing-section",
                    f"the {DESCRIPTIONS[kind]} has no heading mentioning {wanted!r} in "
                    + ", ".join(doc.file.path for doc in documents),
                    path=first,
                    fix=FIXES[kind],
                    key=f"{kind}:{wanted}",
                )
                continue
            document, section = located[0]
            if outline.content_words(section.body, placeholders) < settings.min_section_words:
                yield self.finding(
                    "empty-section",
                    f"section {section.title!r} is empty: it says nothing to act on",
                    path=document.file.path,
                    line=section.line,
                    fix=FIXES[kind],
                    key=f"{kind}:{wanted}",
                )

    def _content(
        self, document: Document, placeholders: re.Pattern[str] | None
    ) -> Iterator[Finding]:
        settings: RunbookSettings = self.settings
        path = document.file.path
        words = outline.content_words(document.outline.body_lines(), placeholders)
        if words < settings.min_words:
            yield self.finding(
                "empty-document",
                f"only {words} word(s) of content beyond headings and placeholders",
                path=path,
                line=1,
                fix="write the content a stranger on call would need, or remove the file",
                key="empty",
            )
        if placeholders is None:
            return
        for number, line in enumerate(document.outline.lines, start=1):
            match = placeholders.search(line)
            if match:
                yield self.finding(
                    "placeholder",
                    f"still holds the placeholder {match.group(0)!r}",
                    path=path,
                    line=number,
                    fix="replace the placeholder with the real procedure or contact",
                    key=line.strip(),
                )

    def _unreadable(self, file: ProjectFile, error: Exception) -> Finding:
        return self.finding(
            "unreadable-document",
            f"{file.path} cannot be read as UTF-8 text: {error}",
            path=file.path,
            fix="save the document as UTF-8 text",
        )


def _listed(ctx: CheckContext, patterns: list[str]) -> list[ProjectFile]:
    """Project files matching the patterns from the root, ignoring case, with a document suffix."""
    lowered = [pattern.lower() for pattern in patterns]
    chosen = []
    for file in ctx.files.all:
        path = file.path.lower()
        name = path.rsplit("/", 1)[-1]
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in DOCUMENT_SUFFIXES:
            continue
        if any(fnmatch.fnmatchcase(path, pattern) for pattern in lowered):
            chosen.append(file)
    return chosen
