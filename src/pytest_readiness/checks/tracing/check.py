"""`tracing`: is distributed tracing set up? A static heuristic, low severity by default.

Two questions, answered from the files alone: does the service depend on the OpenTelemetry SDK
(or a distro / instrumentation package) at run time, and is an exporter configured — in code
(an `opentelemetry.exporter` import), by `opentelemetry-instrument` in the container's command,
or by `OTEL_*` settings in the Dockerfile or the Kubernetes manifests. A project can trace
through a vendor agent this does not know: that is what the low severity and waivers are for.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement

from pytest_readiness.check import Check, CheckContext, CheckSkipped
from pytest_readiness.checks.service_signs import service_evidence
from pytest_readiness.files import ProjectFile, matches
from pytest_readiness.model import Category, CheckResult, Severity
from pytest_readiness.reading import read_text

SDK = re.compile(r"^opentelemetry-(sdk|distro|instrumentation(-.+)?)$")
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
NOT_RUNTIME = re.compile(r"(dev|test|doc|lint|ci|typing|bench)", re.IGNORECASE)
EXPORTER_IN_CODE = re.compile(r"opentelemetry\.exporter|SpanExporter\b")
EXPORTER_IN_DEPLOYMENT = re.compile(
    r"OTEL_(EXPORTER_OTLP_(TRACES_)?ENDPOINT|TRACES_EXPORTER)|opentelemetry-instrument\b"
)
DEPLOYMENT_FILES = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "Containerfile", "*.yaml",
                    "*.yml", "Procfile", ".env.example")  # fmt: skip


@dataclass
class TracingSettings:
    exclude: list[str] = field(default_factory=lambda: ["tests", "test", "testing", "docs"])
    """Files not looked at for an exporter (tests and docs do not configure production)."""


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class TracingCheck(Check):
    id = "tracing"
    category = Category.OPERATIONS
    severity = Severity.LOW
    description = "OpenTelemetry is a runtime dependency and an exporter is configured"
    Settings = TracingSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        settings: TracingSettings = self.settings
        if service_evidence(ctx.files) is None:
            raise CheckSkipped(
                "no Dockerfile, Procfile or Kubernetes workload says this project runs as a "
                "service; tracing is asked of services"
            )
        packages = sorted(self._runtime_packages(ctx))
        sdk = [name for name in packages if SDK.match(name)]
        files = [f for f in ctx.files.all if not matches(f.path, settings.exclude)]
        exporter = next((f for f in files if self._configures_exporter(f)), None)
        result = CheckResult(metrics={"otel_packages": float(len(sdk))})
        if not sdk:
            result.findings.append(
                self.finding(
                    "no-tracing",
                    "no OpenTelemetry SDK, distro or instrumentation package among the "
                    "runtime dependencies",
                    fix="depend on opentelemetry-distro (or -sdk plus the instrumentations of "
                    "your frameworks) and start the service under opentelemetry-instrument",
                    key="sdk",
                )
            )
        if exporter is None:
            result.findings.append(
                self.finding(
                    "no-exporter",
                    "no trace exporter configured: no opentelemetry.exporter import, no "
                    "OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_TRACES_EXPORTER in the deployment files",
                    fix="set OTEL_EXPORTER_OTLP_ENDPOINT (and OTEL_SERVICE_NAME) in the "
                    "Deployment or Dockerfile, or configure an OTLP exporter in code",
                    key="exporter",
                )
            )
        where = f"; exporter configured in {exporter.path}" if exporter else ""
        result.summary = f"OpenTelemetry packages: {', '.join(sdk) if sdk else 'none'}{where}"
        return result

    def _runtime_packages(self, ctx: CheckContext) -> set[str]:
        names: set[str] = set()
        pyproject = ctx.rootdir / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(read_text(pyproject))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                data = {}  # the dependencies check reports an unreadable pyproject.toml
            for text in data.get("project", {}).get("dependencies", []) or []:
                try:
                    names.add(_normalised(Requirement(str(text)).name))
                except InvalidRequirement:
                    continue
        for file in ctx.files.all:
            if "/" in file.path or not re.fullmatch(r"requirements[^/]*\.(txt|in)", file.path):
                continue
            if NOT_RUNTIME.search(file.path):
                continue
            for line in _text(file).splitlines():
                match = REQUIREMENT_NAME.match(line)
                if match and not line.lstrip().startswith(("#", "-")):
                    names.add(_normalised(match.group(1)))
        return names

    @staticmethod
    def _configures_exporter(file: ProjectFile) -> bool:
        name = file.path.rsplit("/", 1)[-1]
        if file.path.endswith(".py"):
            pattern = EXPORTER_IN_CODE
        elif matches(name, DEPLOYMENT_FILES):
            pattern = EXPORTER_IN_DEPLOYMENT
        else:
            return False
        return bool(pattern.search(_text(file)))


def _text(file: ProjectFile) -> str:
    try:
        return read_text(file, errors="replace")
    except OSError:
        return ""  # too large or not a regular file: listed in files_over_cap
