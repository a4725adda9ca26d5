"""`container`: every Dockerfile/Containerfile builds an image that is safe and repeatable to run.

The rules follow the CIS Docker Benchmark (section 4, container images and build files) and the
OWASP Docker Security Cheat Sheet: a pinned base image, a non-root user, a health check, no
secrets in `ENV`/`ARG`, no `ADD` of remote URLs and pinned `pip install`s. The final stage is
the one that becomes the image, so the user and the health check are judged there (inherited
from the stages it is built on); pins and secrets matter in every stage.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from pytest_readiness.check import Check, CheckContext, CheckSkipped
from pytest_readiness.checks.operations import debug_modes, dockerfile, manifests, pip_commands
from pytest_readiness.checks.operations.images import (
    ImageReference,
    PinningRules,
    parse_image_reference,
)
from pytest_readiness.checks.operations.privilege_drop import privilege_drop
from pytest_readiness.checks.operations.secret_names import looks_secret
from pytest_readiness.files import ProjectFile
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.reading import NotRead, read_bytes, read_text

ROOT_USERS = frozenset({"root", "0"})


@dataclass
class ContainerSettings:
    paths: list[str] = field(
        default_factory=lambda: [
            "Dockerfile",
            "Dockerfile.*",
            "*.Dockerfile",
            "*.dockerfile",
            "Containerfile",
            "Containerfile.*",
        ]
    )
    """File-name patterns of the build files, matched in every directory."""
    exclude: list[str] = field(default_factory=lambda: ["*.md", "*.dockerignore"])
    """Globs of files that match `paths` but are not build files."""
    not_production: list[str] = field(default_factory=lambda: list(manifests.NOT_PRODUCTION))
    """Globs of build files for test fixtures, not production images: counted, not checked."""
    require_digest: bool = False
    """Accept only base images pinned by digest (`image@sha256:...`)."""
    floating_tags: list[str] = field(default_factory=lambda: ["latest"])
    """Tags that move and so do not pin a base image."""
    two_part_versions: list[str] = field(default_factory=list)
    """Images numbered major.minor (beside postgres, debian, ubuntu): `16.4` pins them."""
    healthcheck: Literal["dockerfile", "dockerfile-or-probes", "off"] = "dockerfile-or-probes"
    """Where a health check may come from: the image, or also Kubernetes probes; or not required."""
    require_hashes: bool = False
    """Requirements files must also carry `--hash` for every entry."""
    allowed_env_names: list[str] = field(default_factory=list)
    """ENV/ARG names that look like secrets but are not (e.g. a public key id)."""


class ContainerCheck(Check):
    id = "container"
    category = Category.OPERATIONS
    severity = Severity.MEDIUM
    description = "Container images: pinned base, non-root user, health check, no baked-in secrets"
    Settings = ContainerSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: ContainerSettings = self.settings
        build_files, left_out = manifests.split_production(
            [
                file
                for file in ctx.files.select(exclude=settings.exclude)
                if any(
                    fnmatch.fnmatchcase(PurePosixPath(file.path).name, p) for p in settings.paths
                )
            ],
            settings.not_production,
        )
        if not build_files:
            fixtures = manifests.fixtures_note(left_out)
            raise CheckSkipped(f"no Dockerfile or Containerfile in the project{fixtures}")
        result = CheckResult()
        stages = 0
        probes = settings.healthcheck == "dockerfile-or-probes" and manifests_declare_probes(ctx)
        for file in build_files:
            try:
                parsed = dockerfile.parse(read_text(file))
            except NotRead:
                continue
            except (OSError, UnicodeDecodeError) as error:
                result.findings.append(self._unparseable(file.path, 1, f"cannot be read: {error}"))
                continue
            except dockerfile.DockerfileSyntaxError as error:
                result.findings.append(self._unparseable(file.path, error.line, error.problem))
                continue
            stages += len(parsed.stages)
            result.findings.extend(Review(self, ctx, file, parsed, probes).findings())
        result.metrics = {"dockerfiles": float(len(build_files)), "stages": float(stages)}
        result.summary = (
            f"{len(result.findings)} finding(s) in {len(build_files)} build file(s)"
            if result.findings
            else f"{len(build_files)} build file(s) pass"
        )
        manifests.count_left_out(result, "build_files_left_out", left_out)
        return result

    def _unparseable(self, path: str, line: int, problem: str) -> Finding:
        return self.finding(
            "unparseable-dockerfile",
            f"not a valid Dockerfile: {problem}; nothing in it can be vouched for",
            severity=Severity.HIGH,
            path=path,
            line=line,
            fix="fix the syntax so that `docker build --check` accepts the file",
            key=problem,
        )


class Review:
    """The rules applied to one parsed build file."""

    def __init__(
        self,
        check: ContainerCheck,
        ctx: CheckContext,
        file: ProjectFile,
        parsed: dockerfile.Dockerfile,
        probes_declared: bool,
    ) -> None:
        self.probes_declared = probes_declared
        self.check = check
        self.settings: ContainerSettings = check.settings
        self.ctx = ctx
        self.path = file.path
        self.directory = file.absolute.parent
        self.parsed = parsed

    def findings(self) -> list[Finding]:
        return [
            *self.base_images(),
            *self.user(),
            *self.healthcheck(),
            *self.secrets(),
            *self.remote_adds(),
            *self.pip_installs(),
            *self.debug_modes(),
        ]

    def _finding(
        self,
        rule: str,
        message: str,
        line: int,
        fix: str,
        key: str,
        severity: Severity | None = None,
    ) -> Finding:
        return self.check.finding(
            rule, message, path=self.path, line=line, fix=fix, key=key, severity=severity
        )

    def base_images(self) -> Iterator[Finding]:
        rules = PinningRules.from_settings(
            self.settings.floating_tags, self.settings.two_part_versions
        )
        for stage in self.parsed.stages:
            if stage.base.lower() == "scratch" or self.parsed.is_stage_name(
                stage.base, stage.index
            ):
                continue
            image = parse_image_reference(stage.base)
            pinning = image.pinning(rules)
            if "$" in stage.base:
                problem = "is chosen by a build argument without a default"
            elif self.settings.require_digest and not image.pinned_by_digest:
                problem = "is not pinned by digest"
            elif not pinning.pinned:
                problem = f"is not pinned ({pinning.reason})"
            else:
                continue
            yield self._finding(
                "unpinned-base-image",
                f"base image {stage.base!r} {problem}: rebuilds can change what runs",
                stage.line,
                "pin an exact version tag, better the digest: FROM image:1.2.3@sha256:<digest>",
                stage.base,
            )

    def user(self) -> Iterator[Finding]:
        final = self.parsed.final_stage
        instruction = self.parsed.inherited(final, "USER")
        if instruction is None:
            root_base = parse_image_reference(self.parsed.lineage(final)[-1].base)
            if "nonroot" in (root_base.tag or "") or self._base_drops_privileges(root_base):
                return
            message, line = (
                "the final stage sets no USER, so the container runs as root",
                final.line,
            )
        elif instruction.arguments.split(":", 1)[0].strip() in ROOT_USERS:
            message, line = f"the final stage runs as {instruction.arguments!r}", instruction.line
        else:
            return
        yield self._finding(
            "root-user",
            message,
            line,
            "create an unprivileged user and end the final stage with `USER app` (or a UID > 0)",
            "root-user",
            severity=Severity.HIGH,
        )

    def _base_drops_privileges(self, base: ImageReference) -> bool:
        """An official image whose own entrypoint switches user before the server starts."""
        final = self.parsed.final_stage
        if self.parsed.inherited(final, "ENTRYPOINT") is not None:
            return False
        cmd = self.parsed.inherited(final, "CMD")
        command = None if cmd is None else cmd.exec_form() or ["/bin/sh", "-c", cmd.arguments]
        return privilege_drop(base, command) is not None

    def healthcheck(self) -> Iterator[Finding]:
        mode = self.settings.healthcheck
        final = self.parsed.final_stage
        instruction = self.parsed.inherited(final, "HEALTHCHECK")
        if mode == "off" or (instruction is not None and instruction.arguments.upper() != "NONE"):
            return
        if mode == "dockerfile-or-probes" and self.probes_declared:
            return
        line = final.line if instruction is None else instruction.line
        yield self._finding(
            "missing-healthcheck",
            "the image declares no HEALTHCHECK and no manifest declares probes: "
            "nothing notices a hung process",
            line,
            'add `HEALTHCHECK CMD ["python", "-m", "app.healthcheck"]` '
            "or liveness and readiness probes",
            "missing-healthcheck",
        )

    def secrets(self) -> Iterator[Finding]:
        allowed = set(self.settings.allowed_env_names)
        for instruction in self.parsed.instructions:
            if instruction.keyword == "ENV":
                names = dockerfile.env_names(instruction.arguments)
            elif instruction.keyword == "ARG":
                names = list(dockerfile.arg_defaults(instruction.arguments))
            else:
                continue
            for name in names:
                if name in allowed or not looks_secret(name):
                    continue
                yield self._finding(
                    "secret-in-image",
                    f"{instruction.keyword} {name} keeps a secret in the image or its history",
                    instruction.line,
                    "pass it at build time with `RUN --mount=type=secret,id=...` "
                    "and at run time from the orchestrator's secret store",
                    f"{instruction.keyword}:{name}",
                    severity=Severity.HIGH,
                )

    def remote_adds(self) -> Iterator[Finding]:
        for instruction in self.parsed.instructions:
            if instruction.keyword != "ADD":
                continue
            words = instruction.exec_form() or dockerfile.split_words(instruction.arguments)
            if any(word.startswith("--checksum") for word in words):
                continue
            sources = [word for word in words if not word.startswith("--")][:-1]
            for source in sources:
                if "://" in source or source.startswith("git@"):
                    yield self._finding(
                        "remote-add",
                        f"ADD fetches {source!r} at build time without verifying it",
                        instruction.line,
                        "download with a checksum check in RUN, or use `ADD --checksum=sha256:...`",
                        source,
                    )

    def pip_installs(self) -> Iterator[Finding]:
        fix = (
            "pin with `name==version`, or install from a hash-pinned lock: "
            "`pip install --require-hashes -r requirements.txt`"
        )
        for instruction in self.parsed.instructions:
            if instruction.keyword != "RUN":
                continue
            exec_form = instruction.exec_form()
            found = (
                pip_commands.installs_from_exec_form(exec_form)
                if exec_form is not None
                else pip_commands.installs(instruction.script)
            )
            for install in found:
                for requirement in install.unpinned():
                    yield self._finding(
                        "unpinned-pip-install",
                        f"`pip install {requirement}` takes the newest version at build time",
                        instruction.line,
                        fix,
                        requirement,
                    )
                if install.resolves_local_dependencies:
                    yield self._finding(
                        "unpinned-pip-install",
                        f"`pip install {install.local[0]}` resolves its dependencies at build time",
                        instruction.line,
                        "install the dependencies from a pinned lock first, "
                        "then the project with --no-deps",
                        f"local:{install.local[0]}",
                    )
                if not install.require_hashes:
                    for name in install.requirement_files:
                        yield from self._requirements_file(name, instruction.line, fix)

    def _requirements_file(self, name: str, line: int, fix: str) -> Iterator[Finding]:
        location = self._locate(name)
        if location is None:
            yield self._finding(
                "unpinned-pip-install",
                f"requirements file {name!r} is not in the project, so its pins cannot be checked",
                line,
                "keep the requirements file next to the Dockerfile, or add --require-hashes",
                f"missing:{name}",
            )
            return
        try:
            text = read_text(location)
        except (OSError, UnicodeDecodeError):
            text = ""
        loose = pip_commands.unpinned_in_requirements_file(
            text, require_hashes=self.settings.require_hashes
        )
        if loose:
            shown = ", ".join(loose[:3]) + (" ..." if len(loose) > 3 else "")
            yield self._finding(
                "unpinned-pip-install",
                f"{name} leaves {len(loose)} requirement(s) unpinned: {shown}",
                line,
                fix,
                f"file:{name}",
            )

    def debug_modes(self) -> Iterator[Finding]:
        """The final stage's command and environment must not be a development mode."""
        final = self.parsed.final_stage
        fix = (
            "run a production server (gunicorn/uvicorn without --reload, several workers) "
            "and keep debug settings out of the image"
        )
        for keyword in ("ENTRYPOINT", "CMD"):
            instruction = self.parsed.inherited(final, keyword)
            if instruction is None:
                continue
            words = instruction.exec_form()
            problems = (
                debug_modes.command_problems(words)
                if words is not None
                else debug_modes.script_problems(instruction.script)
            )
            for problem in problems:
                yield self._finding("debug-mode", problem, instruction.line, fix, problem)
        for stage in reversed(self.parsed.lineage(final)):
            for instruction in stage.instructions:
                if instruction.keyword != "ENV":
                    continue
                for name, value in dockerfile.env_values(instruction.arguments).items():
                    for problem in debug_modes.environment_problems(name, value):
                        yield self._finding("debug-mode", problem, instruction.line, fix, name)
                    if name == "DJANGO_SETTINGS_MODULE":
                        yield from self._django_debug(value, instruction.line, fix)

    def _django_debug(self, module: str, line: int, fix: str) -> Iterator[Finding]:
        location = self._locate(module.replace(".", "/") + ".py")
        if location is None:
            return
        try:
            debug_line = debug_modes.django_debug_line(read_bytes(location))
        except OSError:
            return
        if debug_line is not None:
            yield self._finding(
                "debug-mode",
                f"the image runs with {module} (line {debug_line} sets DEBUG = True): Django "
                "shows tracebacks and settings to anyone who hits an error",
                line,
                fix,
                f"django:{module}",
            )

    def _locate(self, name: str) -> Path | None:
        relative = PurePosixPath(name)
        options = [relative.name] if relative.is_absolute() else [str(relative), relative.name]
        for base in (self.directory, self.ctx.rootdir):
            for option in options:
                candidate = base / option
                if candidate.is_file():
                    return candidate
        return None


def manifests_declare_probes(ctx: CheckContext) -> bool:
    """Whether a Kubernetes manifest gives some container a liveness or readiness probe."""
    for file in manifests.candidate_files(ctx.files):
        try:
            text = read_text(file)
        except (OSError, UnicodeDecodeError):
            continue
        if manifests.is_helm_template(text):
            if "livenessProbe" in text or "readinessProbe" in text:
                return True
            continue
        try:
            documents = manifests.load_documents(text)
        except manifests.ManifestError:
            continue
        for workload in manifests.workloads(documents):
            for container in workload.containers():
                if "livenessProbe" in container or "readinessProbe" in container:
                    return True
    return False
