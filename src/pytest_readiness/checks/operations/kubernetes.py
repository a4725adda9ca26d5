"""`kubernetes`: every workload's pod template is fit to run in a cluster.

What the Kubernetes documentation asks of a production workload: liveness and readiness probes
(so the kubelet restarts a hung container and Services send no traffic to one that is not
ready), resource requests and limits (so the scheduler can place it and a leak cannot starve a
node), a non-root user and a read-only root filesystem (the Pod Security Standards'
*restricted* profile), an image that does not move, and enough replicas to survive a node.
Rollouts that keep capacity, autoscalers and preStop delays are `rollout`'s part of the review.
Helm templates are not YAML until rendered, so they are skipped with a note; list rendered
output in `rendered_manifests` to have it checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pytest_readiness.check import Check, CheckContext, CheckError, CheckSkipped
from pytest_readiness.checks.operations import debug_modes, manifests, rollout
from pytest_readiness.checks.operations.images import PinningRules, parse_image_reference
from pytest_readiness.checks.operations.manifests import LocatedMap, Workload, as_mapping
from pytest_readiness.checks.operations.privilege_drop import privilege_drop
from pytest_readiness.model import Category, CheckResult, Finding, Severity
from pytest_readiness.reading import NotRead, read_text

REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})


@dataclass
class KubernetesSettings:
    include: list[str] = field(default_factory=list)
    """Where manifests live (patterns); empty means every YAML file that looks like one."""
    exclude: list[str] = field(default_factory=list)
    """Globs of YAML files that are not manifests to check."""
    not_production: list[str] = field(default_factory=lambda: list(manifests.NOT_PRODUCTION))
    """Globs of manifests for test fixtures, not production deployments: counted, not checked."""
    rendered_manifests: list[str] = field(default_factory=list)
    """Files or directories of rendered output (`helm template ... > out/`), even if untracked."""
    probe_kinds: list[str] = field(
        default_factory=lambda: [
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ReplicationController",
            "Pod",
        ]
    )
    """Kinds whose containers serve and so need probes; a Job runs to completion instead."""
    required_requests: list[str] = field(default_factory=lambda: ["cpu", "memory"])
    """Resources every container must request."""
    required_limits: list[str] = field(default_factory=lambda: ["cpu", "memory"])
    """Resources every container must limit."""
    require_read_only_root: bool = True
    """Containers must set `readOnlyRootFilesystem: true`."""
    autoscaler: Literal["advised", "required", "off"] = "advised"
    """A Deployment/StatefulSet without a HorizontalPodAutoscaler: a low finding (advised),
    one at the check's severity (required), or none (off)."""
    min_replicas: int = 1
    """Replicas a Deployment/StatefulSet needs (or its autoscaler's minReplicas); 1 = off."""
    floating_tags: list[str] = field(default_factory=lambda: ["latest"])
    """Tags that move and so do not pin an image."""
    two_part_versions: list[str] = field(default_factory=list)
    """Images numbered major.minor (beside postgres, debian, ubuntu): `16.4` pins them."""

    def validate(self) -> None:
        if self.min_replicas < 1:
            raise ValueError("min_replicas must be at least 1")


@dataclass
class Located:
    path: str
    workload: Workload


class KubernetesCheck(Check):
    id = "kubernetes"
    category = Category.OPERATIONS
    severity = Severity.MEDIUM
    description = (
        "Kubernetes workloads: probes, requests and limits, non-root, pinned images, "
        "rollouts that keep capacity, autoscalers, preStop delays"
    )
    Settings = KubernetesSettings

    def run(self, ctx: CheckContext) -> CheckResult:
        sources, left_out = self._sources(ctx)
        if not sources:
            fixtures = manifests.fixtures_note(left_out)
            raise CheckSkipped(f"no Kubernetes manifests in the project{fixtures}")
        result = CheckResult()
        located: list[Located] = []
        objects: list[tuple[str, LocatedMap]] = []
        helm = []
        for path, absolute in sources:
            try:
                text = read_text(absolute)
            except NotRead:
                continue
            except (OSError, UnicodeDecodeError) as error:
                result.findings.append(self._unparseable(path, 1, f"cannot be read: {error}"))
                continue
            if manifests.is_helm_template(text):
                helm.append(path)
                continue
            try:
                documents = manifests.load_documents(text)
            except manifests.ManifestError as error:
                result.findings.append(self._unparseable(path, error.line, error.problem))
                continue
            located.extend(Located(path, item) for item in manifests.workloads(documents))
            objects.extend((path, resource) for resource in manifests.resources(documents))
        if not located and not result.findings:
            note = f"; {len(helm)} Helm template(s) skipped, render them" if helm else ""
            raise CheckSkipped(f"no workloads with a pod template in the manifests{note}")
        safeguards = rollout.Safeguards(objects, [item.workload for item in located])
        review = rollout.RolloutReview(self, safeguards, self.settings.autoscaler)
        for item in located:
            result.findings.extend(self._review(item, safeguards))
            result.findings.extend(
                review.workload(item.path, item.workload, self.settings.probe_kinds)
            )
        result.findings.extend(review.autoscalers())
        result.metrics = {
            "manifests": float(len(sources) - len(helm)),
            "workloads": float(len(located)),
            "helm_templates_skipped": float(len(helm)),
        }
        result.summary = (
            f"{len(result.findings)} finding(s) in {len(located)} workload(s)"
            if result.findings
            else f"{len(located)} workload(s) pass"
        )
        if helm:
            result.summary += (
                f"; {len(helm)} Helm template(s) skipped (list rendered output in "
                "rendered_manifests to check them)"
            )
        manifests.count_left_out(result, "manifests_left_out", left_out)
        return result

    def _sources(self, ctx: CheckContext) -> tuple[list[tuple[str, Path]], int]:
        """The manifests to check, and how many were left out as test fixtures."""
        settings: KubernetesSettings = self.settings
        candidates, left_out = manifests.split_production(
            manifests.candidate_files(ctx.files, settings.include, settings.exclude),
            settings.not_production,
        )
        found = {file.path: file.absolute for file in candidates}
        for entry in settings.rendered_manifests:
            target = ctx.rootdir / entry
            if target.is_dir():
                chosen = [
                    p for p in sorted(target.rglob("*")) if p.suffix in manifests.YAML_SUFFIXES
                ]
            elif target.is_file():
                chosen = [target]
            else:
                raise CheckError(
                    f"rendered manifest {entry!r} (kubernetes.rendered_manifests) does not exist"
                )
            for path in chosen:
                found[_display_path(path, ctx.rootdir)] = path
        return sorted(found.items()), left_out

    def _unparseable(self, path: str, line: int, problem: str) -> Finding:
        return self.finding(
            "unparseable-manifest",
            f"not valid YAML ({problem}); its workloads cannot be checked",
            severity=Severity.HIGH,
            path=path,
            line=line,
            fix="fix the YAML (`kubectl apply --dry-run=client -f FILE` shows the same error)",
            key=problem,
        )

    def _review(self, item: Located, safeguards: rollout.Safeguards) -> Iterator[Finding]:
        settings: KubernetesSettings = self.settings
        workload = item.workload
        pod_context = as_mapping(workload.pod_spec.get("securityContext"))
        for container in workload.containers():
            review = ContainerReview(self, item.path, workload, container, pod_context)
            if workload.kind in settings.probe_kinds:
                yield from review.probes()
            yield from review.all_rules()
        for container in workload.containers(init=True):
            yield from ContainerReview(
                self, item.path, workload, container, pod_context
            ).all_rules()
        yield from self._replicas(item, safeguards)

    def _replicas(self, item: Located, safeguards: rollout.Safeguards) -> Iterator[Finding]:
        minimum = self.settings.min_replicas
        workload = item.workload
        if minimum <= 1 or workload.kind not in REPLICATED_KINDS:
            return
        spec = as_mapping(workload.resource.get("spec"))
        replicas, _ = safeguards.replicas(workload)
        if replicas >= minimum:
            return
        yield self.finding(
            "too-few-replicas",
            f"{workload.kind} {workload.name} runs {replicas} replica(s), fewer than {minimum}: "
            "one node or pod failure takes it down",
            path=item.path,
            line=spec.line_of("replicas") if spec else workload.line,
            fix=f"set `replicas: {minimum}` (or an autoscaler with `minReplicas: {minimum}`) "
            "and a PodDisruptionBudget",
            key=f"{workload.kind}/{workload.name}",
        )


class ContainerReview:
    """The per-container rules, with the pod's security context as the fallback."""

    def __init__(
        self,
        check: KubernetesCheck,
        path: str,
        workload: Workload,
        container: LocatedMap,
        pod_context: LocatedMap,
    ) -> None:
        self.check = check
        self.settings: KubernetesSettings = check.settings
        self.path = path
        self.container = container
        self.pod_context = pod_context
        self.context = as_mapping(container.get("securityContext"))
        name = container.get("name", "?")
        self.where = f"{workload.kind} {workload.name}, container {name}"
        self.key = f"{workload.kind}/{workload.name}/{name}"

    def _finding(
        self,
        rule: str,
        message: str,
        fix: str,
        key: str,
        line: int | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return self.check.finding(
            rule,
            f"{self.where}: {message}",
            path=self.path,
            line=line or self.container.line,
            fix=fix,
            key=f"{self.key}:{key}",
            severity=severity,
        )

    def all_rules(self) -> Iterator[Finding]:
        yield from self.resources()
        yield from self.user()
        yield from self.root_filesystem()
        yield from self.image()
        yield from self.debug_modes()

    def debug_modes(self) -> Iterator[Finding]:
        """The container's command and environment must not be a development mode."""
        fix = "run a production server (no --reload, no debugger) and keep debug settings off"
        words: list[str] = []
        for key in ("command", "args"):
            value = self.container.get(key)
            if isinstance(value, list):
                words.extend(str(word) for word in value)
        line = self.container.line_of("command" if "command" in self.container else "args")
        shell = (
            len(words) > 2 and words[0].rsplit("/", 1)[-1] in ("sh", "bash") and words[1] == "-c"
        )
        problems = (
            debug_modes.script_problems(" ".join(words[2:]))
            if shell
            else debug_modes.command_problems(words)
        )
        for problem in problems:
            yield self._finding("debug-mode", problem, fix, problem, line)
        for variable in self.container.get("env") or []:
            if isinstance(variable, LocatedMap) and isinstance(variable.get("value"), str | int):
                name, value = str(variable.get("name")), str(variable["value"])
                for problem in debug_modes.environment_problems(name, value):
                    yield self._finding("debug-mode", problem, fix, name, variable.line)

    def probes(self) -> Iterator[Finding]:
        for probe in ("livenessProbe", "readinessProbe"):
            if probe not in self.container:
                yield self._finding(
                    "missing-probe",
                    f"no {probe}",
                    f"add a {probe} (an httpGet on the health endpoint, or exec/tcpSocket)",
                    probe,
                )

    def resources(self) -> Iterator[Finding]:
        resources = as_mapping(self.container.get("resources"))
        for section, required in (
            ("requests", self.settings.required_requests),
            ("limits", self.settings.required_limits),
        ):
            given = as_mapping(resources.get(section))
            missing = [name for name in required if name not in given]
            if missing:
                yield self._finding(
                    "missing-resources",
                    f"no resource {section} for {', '.join(missing)}",
                    f"set resources.{section} for {', '.join(missing)} from measured usage",
                    section,
                    line=self.container.line_of("resources"),
                )

    def user(self) -> Iterator[Finding]:
        non_root = self._setting("runAsNonRoot")
        user = self._setting("runAsUser")
        if (isinstance(user, int) and user > 0) or (non_root is True and user != 0):
            return
        if user is None and self._image_drops_privileges():
            return
        yield self._finding(
            "runs-as-root",
            "may run as root (no runAsNonRoot: true and no runAsUser > 0)",
            "set securityContext.runAsNonRoot: true and a runAsUser > 0 in the pod or container",
            "root",
            line=self.container.line_of("securityContext"),
            severity=Severity.HIGH,
        )

    def root_filesystem(self) -> Iterator[Finding]:
        if not self.settings.require_read_only_root:
            return
        if self.context.get("readOnlyRootFilesystem") is True:
            return
        yield self._finding(
            "writable-root-filesystem",
            "the root filesystem is writable",
            "set securityContext.readOnlyRootFilesystem: true; mount an emptyDir where it writes",
            "readOnlyRootFilesystem",
            line=self.container.line_of("securityContext"),
        )

    def image(self) -> Iterator[Finding]:
        image = self.container.get("image")
        if not isinstance(image, str):
            return
        rules = PinningRules.from_settings(
            self.settings.floating_tags, self.settings.two_part_versions
        )
        pinning = parse_image_reference(image).pinning(rules)
        if pinning.pinned:
            return
        yield self._finding(
            "unpinned-image",
            f"image {image!r} is not pinned ({pinning.reason}): each pull may run different code",
            "use an exact version tag or a digest (image:1.2.3@sha256:...)",
            f"image:{image}",
            line=self.container.line_of("image"),
        )

    def _image_drops_privileges(self) -> bool:
        """An official image whose own entrypoint leaves root: no `command:` replaces it,
        `args` run its server, and the capabilities to switch user are not dropped."""
        image = self.container.get("image")
        if not isinstance(image, str) or "command" in self.container:
            return False
        dropped = as_mapping(self.context.get("capabilities")).get("drop")
        names = {str(name).upper().removeprefix("CAP_") for name in dropped or []}
        if not isinstance(dropped, list | None) or names & {"ALL", "SETUID", "SETGID"}:
            return False
        args = self.container.get("args")
        command = [str(word) for word in args] if isinstance(args, list) else None
        return privilege_drop(parse_image_reference(image), command) is not None

    def _setting(self, key: str) -> Any:
        """A securityContext field: the container's wins over the pod's."""
        if key in self.context:
            return self.context[key]
        return self.pod_context.get(key)


def _display_path(path: Path, rootdir: Path) -> str:
    """Relative to the rootdir as findings are, or absolute for output kept elsewhere."""
    try:
        return path.relative_to(rootdir).as_posix()
    except ValueError:
        return path.as_posix()
