"""`pipelines`: the CI pipeline is part of the supply chain: it must not run code that can change.

OpenSSF Scorecard's Pinned-Dependencies and Dangerous-Workflow checks ask what a reviewer asks of
a pipeline: an Action referenced by a tag (`actions/checkout@v4`) runs whatever the tag points at
today, and a tag can be moved by anyone who takes over the Action's repository; a
`curl ... | sh` runs a script nobody reviewed, fetched at build time; a job without
`timeout-minutes` can hold a runner (and its secrets) for GitHub's default of six hours.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_readiness.check import Check, CheckContext, CheckSkipped
from pytest_readiness.checks.operations import manifests
from pytest_readiness.checks.supply_chain.install_commands import DEFAULT_INSTALL_FILES
from pytest_readiness.files import ProjectFile, matches
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.reading import NotRead, read_text

FULL_SHA = re.compile(r"[0-9a-f]{40}")
DOWNLOAD = r"\b(?:curl|wget)\b"
SHELLS = r"(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|da|k|fi)?sh|python[0-9.]*|perl|ruby|node"
PIPE_TO_SHELL = re.compile(
    rf"{DOWNLOAD}[^|;&\n]*\|\s*(?:{SHELLS})\b"
    rf"|\b(?:{SHELLS})\s+(?:-\S+\s+)*<\(\s*{DOWNLOAD}"
    rf"|\b(?:{SHELLS})\s+-c\s+[\"']?\$\(\s*{DOWNLOAD}"
)
"""`curl URL | sh`, `bash <(curl URL)` and `sh -c "$(curl URL)"`: remote code run unread."""


@dataclass
class PipelinesSettings:
    workflows: list[str] = field(
        default_factory=lambda: [".github/workflows/*.yml", ".github/workflows/*.yaml"]
    )
    """GitHub Actions workflow files: Action pins, job timeouts and `run:` steps are checked."""
    scripts: list[str] = field(
        default_factory=lambda: [
            pattern for pattern in DEFAULT_INSTALL_FILES if not pattern.startswith(".github/")
        ]
    )
    """Other build files and scripts searched for `curl ... | sh` (a name matches anywhere): by
    default the files whose `pip install`s `dependencies` reads, without the workflows."""
    trusted_owners: list[str] = field(default_factory=lambda: ["actions", "github"])
    """Owners whose Actions, when not pinned by SHA, are a low finding instead of a medium one."""
    require_timeout: bool = True
    """Every workflow job must set `timeout-minutes`."""
    not_production: list[str] = field(default_factory=lambda: list(manifests.NOT_PRODUCTION))
    """Globs of files that are test fixtures, not the project's pipeline: counted, not checked."""


class PipelinesCheck(Check):
    id = "pipelines"
    category = Category.SUPPLY_CHAIN
    severity = Severity.MEDIUM
    description = "CI pipelines pin Actions by commit SHA, run no fetched scripts, time out"
    Settings = PipelinesSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: PipelinesSettings = self.settings
        workflows, left_out = manifests.split_production(
            ctx.files.select(include=settings.workflows), settings.not_production
        )
        workflow_paths = {file.path for file in workflows}
        scripts, scripts_left_out = manifests.split_production(
            [
                file
                for file in ctx.files.all
                if file.path not in workflow_paths and matches(file.path, settings.scripts)
            ],
            settings.not_production,
        )
        left_out += scripts_left_out
        if not workflows and not scripts:
            fixtures = manifests.fixtures_note(left_out)
            raise CheckSkipped(f"no CI workflow, build file or shell script{fixtures}")
        result = CheckResult()
        jobs = 0
        for file in workflows:
            text = self._read(file, result)
            if text is None:
                continue
            result.findings.extend(self._pipes(file, text))
            try:
                documents = manifests.load_documents(text)
            except manifests.ManifestError as error:
                result.findings.append(self._unparseable(file, error))
                continue
            for document in documents:
                review = WorkflowReview(self, file.path, document)
                result.findings.extend(review.findings())
                jobs += review.jobs
        for file in scripts:
            text = self._read(file, result)
            if text is not None:
                result.findings.extend(self._pipes(file, text))
        result.metrics = {
            "workflows": float(len(workflows)),
            "jobs": float(jobs),
            "scripts": float(len(scripts)),
        }
        summary = f"{len(workflows)} workflow(s), {len(scripts)} build file(s) and script(s)"
        result.summary = (
            f"{len(result.findings)} finding(s) in {summary}"
            if result.findings
            else f"{summary} pass"
        )
        manifests.count_left_out(result, "files_left_out", left_out)
        return result

    def _read(self, file: ProjectFile, result: CheckResult) -> str | None:
        try:
            return read_text(file)
        except NotRead:
            return None  # listed in the summary and the files_over_cap metric
        except (OSError, UnicodeDecodeError) as error:
            result.findings.append(
                self.finding(
                    "unreadable-file",
                    f"cannot be read ({error}); what it runs cannot be vouched for",
                    severity=Severity.HIGH,
                    path=file.path,
                    line=1,
                    fix="store the file as UTF-8 text",
                    key="unreadable",
                )
            )
            return None

    def _pipes(self, file: ProjectFile, text: str) -> Iterator[Finding]:
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("#"):
                continue
            found = PIPE_TO_SHELL.search(stripped)
            if found is not None:
                shown = found.group(0)
                yield self.finding(
                    "pipe-to-shell",
                    f"`{shown}` runs a script fetched at build time without checking it",
                    path=file.path,
                    line=number,
                    fix="download to a file, check its SHA-256 (`sha256sum -c`), then run it; "
                    "or install a pinned package",
                    key=shown,
                )

    def _unparseable(self, file: ProjectFile, error: manifests.ManifestError) -> Finding:
        return self.finding(
            "unparseable-workflow",
            f"not valid YAML ({error.problem}); its jobs and steps cannot be checked",
            severity=Severity.HIGH,
            path=file.path,
            line=error.line,
            fix="fix the YAML so that GitHub Actions can load the workflow",
            key=error.problem,
        )


class WorkflowReview:
    """The rules applied to one workflow document: Action pins and job timeouts."""

    def __init__(self, check: PipelinesCheck, path: str, document: Any) -> None:
        self.check = check
        self.settings: PipelinesSettings = check.settings
        self.path = path
        self.document = document
        self.jobs = 0

    def findings(self) -> Iterator[Finding]:
        jobs = self.document.get("jobs") if isinstance(self.document, dict) else None
        if not isinstance(jobs, manifests.LocatedMap):
            return
        for name, job in jobs.items():
            if not isinstance(job, manifests.LocatedMap):
                continue
            self.jobs += 1
            yield from self._pin(job, jobs.line_of(name))
            if self.settings.require_timeout and "timeout-minutes" not in job and "uses" not in job:
                yield self.check.finding(
                    "job-without-timeout",
                    f"job `{name}` has no timeout-minutes: a hung step holds the runner, and "
                    "its secrets, for GitHub's default of 6 hours",
                    severity=Severity.LOW,
                    path=self.path,
                    line=jobs.line_of(name),
                    fix="set `timeout-minutes:` a little above the job's usual duration",
                    key=f"timeout:{name}",
                )
            steps = job.get("steps")
            for step in steps if isinstance(steps, list) else []:
                if isinstance(step, manifests.LocatedMap):
                    yield from self._pin(step, step.line_of("uses"))

    def _pin(self, holder: manifests.LocatedMap, line: int) -> Iterator[Finding]:
        """A step's or reusable workflow's `uses:` must name a full commit SHA."""
        reference = holder.get("uses")
        if not isinstance(reference, str) or reference.startswith("./"):
            return
        if reference.startswith("docker://"):
            if "@sha256:" in reference:
                return
            target = reference
        else:
            target, _, version = reference.partition("@")
            if FULL_SHA.fullmatch(version):
                return
        owner = target.split("/", 1)[0]
        trusted = owner in self.settings.trusted_owners
        yield self.check.finding(
            "action-not-pinned",
            f"`uses: {reference}` follows a tag or branch that can be moved to other code",
            severity=Severity.LOW if trusted else Severity.MEDIUM,
            path=self.path,
            line=line,
            fix="pin the full 40-character commit SHA and keep the version in a comment: "
            "`uses: owner/action@<sha> # v4.2.2`",
            key=f"uses:{target}",
        )
