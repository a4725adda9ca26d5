"""Rollouts, disruptions, autoscaling and termination of the manifests' workloads.

What keeps a replicated service answering while it changes: a rolling update that never takes
serving pods away (`maxUnavailable` resolved as the Deployment controller does) or a
PodDisruptionBudget that keeps one; a HorizontalPodAutoscaler that has bounds, a metric and a
target it can measure; and a `preStop` delay, because the kubelet sends SIGTERM while the
endpoints controller is still removing the pod from its Services ("Termination of Pods"),
judged in `termination`. The `kubernetes` check reports these through `RolloutReview`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_readiness.check import Check
from pytest_readiness.checks.operations.manifests import LocatedMap, Workload, as_mapping
from pytest_readiness.checks.operations.termination import (
    grace_period_seconds,
    termination_problem,
)
from pytest_readiness.model import Finding, Severity

DEFAULT_ROLLING = "25%"
"""The Deployment default of both `maxSurge` and `maxUnavailable`."""
DEFAULT_HPA_MIN = 1
UTILIZATION_RESOURCES = frozenset({"cpu", "memory"})
SCALED_KINDS = frozenset({"Deployment", "StatefulSet"})
"""Workloads expected to have an autoscaler (`autoscaler` setting)."""
_PERCENT = re.compile(r"^\s*(\d+)%\s*$")


def scaled(value: Any, total: int, *, round_up: bool) -> int | None:
    """An int-or-percentage field as Kubernetes resolves it against `total` pods; None when it
    is neither (the API server rejects it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    match = _PERCENT.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    share = int(match[1]) * total
    return -(-share // 100) if round_up else share // 100


def rollout_unavailable(strategy: Mapping[str, Any], replicas: int) -> int | None:
    """Pods a RollingUpdate may take down at once: `maxUnavailable` rounded down, `maxSurge` up,
    and 1 when both come to 0 (the Deployment controller's `ResolveFenceposts`)."""
    rolling = as_mapping(strategy.get("rollingUpdate"))
    surge = scaled(rolling.get("maxSurge", DEFAULT_ROLLING), replicas, round_up=True)
    unavailable = scaled(rolling.get("maxUnavailable", DEFAULT_ROLLING), replicas, round_up=False)
    if surge is None or unavailable is None:
        return None
    return 1 if surge == 0 and unavailable == 0 else unavailable


def selects(selector: Any, labels: Mapping[str, Any]) -> bool:
    """A label selector against a pod's labels; a missing selector selects nothing, `{}` all."""
    if not isinstance(selector, Mapping):
        return False
    wanted = selector.get("matchLabels") or {}
    if not isinstance(wanted, Mapping) or any(
        str(labels.get(key)) != str(value) or key not in labels for key, value in wanted.items()
    ):
        return False
    expressions = selector.get("matchExpressions") or []
    return isinstance(expressions, list) and all(_holds(item, labels) for item in expressions)


def _holds(expression: Any, labels: Mapping[str, Any]) -> bool:
    if not isinstance(expression, Mapping):
        return False
    key, operator = str(expression.get("key")), expression.get("operator")
    values = {str(value) for value in expression.get("values") or []}
    present = key in labels
    if operator == "In":
        return present and str(labels[key]) in values
    if operator == "NotIn":
        return not present or str(labels[key]) not in values
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    return False


def _namespace(resource: Mapping[str, Any]) -> str:
    return str(as_mapping(resource.get("metadata")).get("namespace") or "")


def _name(resource: Mapping[str, Any]) -> str:
    return str(as_mapping(resource.get("metadata")).get("name", "?"))


@dataclass(frozen=True)
class DisruptionBudget:
    name: str
    namespace: str
    spec: LocatedMap

    def keeps_one(self, replicas: int) -> bool:
        """Whether it keeps at least one of `replicas` pods during a voluntary disruption
        (percentages rounded up, as the disruption controller does)."""
        if "minAvailable" in self.spec:
            least = scaled(self.spec["minAvailable"], replicas, round_up=True)
            return least is not None and least >= 1
        if "maxUnavailable" in self.spec:
            most = scaled(self.spec["maxUnavailable"], replicas, round_up=True)
            return most is not None and most < replicas
        return False


@dataclass(frozen=True)
class Metric:
    """One metric an autoscaler follows; `utilization` ones need the resource requested."""

    resource: str
    container: str
    utilization: bool


@dataclass(frozen=True)
class Autoscaler:
    """A HorizontalPodAutoscaler of autoscaling/v1, v2 (or v2beta1/v2beta2)."""

    path: str
    resource: LocatedMap
    spec: LocatedMap

    @property
    def name(self) -> str:
        return _name(self.resource)

    @property
    def namespace(self) -> str:
        return _namespace(self.resource)

    @property
    def target(self) -> tuple[str, str]:
        reference = as_mapping(self.spec.get("scaleTargetRef"))
        return str(reference.get("kind", "?")), str(reference.get("name", "?"))

    @property
    def v1(self) -> bool:
        return str(self.resource.get("apiVersion")) == "autoscaling/v1"

    def bound(self, key: str) -> int | None:
        value = self.spec.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def minimum(self) -> int:
        return self.bound("minReplicas") or DEFAULT_HPA_MIN

    def metrics(self) -> list[Metric]:
        """The metrics it follows; with none given, the API's default of 80 % CPU."""
        if self.v1 or not self.spec.get("metrics"):
            return [Metric("cpu", "", utilization=True)]
        found = []
        for item in self.spec.get("metrics") or []:
            kind = as_mapping(item).get("type")
            if kind == "Resource":
                source = as_mapping(item.get("resource"))
            elif kind == "ContainerResource":
                source = as_mapping(item.get("containerResource"))
            else:
                continue
            target = as_mapping(source.get("target"))
            utilization = (
                target.get("type") == "Utilization" or "targetAverageUtilization" in source
            )
            found.append(
                Metric(str(source.get("name")), str(source.get("container", "")), utilization)
            )
        return found


class Safeguards:
    """The PodDisruptionBudgets and autoscalers of all the manifests, and what else is there:
    an autoscaler or a budget may sit in another file than the workload it guards."""

    def __init__(
        self, objects: Sequence[tuple[str, LocatedMap]], workloads: Sequence[Workload]
    ) -> None:
        self.workloads = {(w.kind, w.name, _namespace(w.resource)): w for w in workloads}
        self.budgets: list[DisruptionBudget] = []
        self.autoscalers: list[Autoscaler] = []
        self.present: set[tuple[str, str, str]] = set()
        for path, resource in objects:
            kind = str(resource.get("kind"))
            self.present.add((kind, _name(resource), _namespace(resource)))
            spec = as_mapping(resource.get("spec"))
            if kind == "PodDisruptionBudget":
                self.budgets.append(DisruptionBudget(_name(resource), _namespace(resource), spec))
            elif kind == "HorizontalPodAutoscaler":
                self.autoscalers.append(Autoscaler(path, resource, spec))

    def autoscaler_of(self, workload: Workload) -> Autoscaler | None:
        namespace = _namespace(workload.resource)
        for autoscaler in self.autoscalers:
            if (*autoscaler.target, autoscaler.namespace) == (
                workload.kind,
                workload.name,
                namespace,
            ):
                return autoscaler
        return None

    def replicas(self, workload: Workload) -> tuple[int, int]:
        """The fewest and the most pods it runs: its autoscaler's bounds, else `replicas`."""
        autoscaler = self.autoscaler_of(workload)
        if autoscaler is not None:
            most = autoscaler.bound("maxReplicas") or autoscaler.minimum
            return autoscaler.minimum, max(most, autoscaler.minimum)
        value = as_mapping(workload.resource.get("spec")).get("replicas", 1)
        count = value if isinstance(value, int) and not isinstance(value, bool) else 1
        return count, count

    def budget_for(self, workload: Workload, replicas: int) -> DisruptionBudget | None:
        """A budget of its namespace that selects its pods and keeps one of them."""
        template = as_mapping(as_mapping(workload.resource.get("spec")).get("template"))
        labels = as_mapping(as_mapping(template.get("metadata")).get("labels"))
        namespace = _namespace(workload.resource)
        for budget in self.budgets:
            if budget.namespace != namespace or not budget.keeps_one(replicas):
                continue
            if selects(budget.spec.get("selector"), labels):
                return budget
        return None


class RolloutReview:
    """The rollout, autoscaling and termination findings of the `kubernetes` check."""

    def __init__(self, check: Check, safeguards: Safeguards, autoscaler: str) -> None:
        self.check = check
        self.safeguards = safeguards
        self.autoscaler = autoscaler

    def workload(
        self, path: str, workload: Workload, serving_kinds: Sequence[str]
    ) -> Iterator[Finding]:
        yield from self._rollout(path, workload)
        yield from self._missing_autoscaler(path, workload)
        if workload.kind in serving_kinds:
            yield from self._termination(path, workload)

    def _rollout(self, path: str, workload: Workload) -> Iterator[Finding]:
        if workload.kind not in SCALED_KINDS:
            return
        spec = as_mapping(workload.resource.get("spec"))
        strategy = as_mapping(spec.get("strategy"))
        where = f"{workload.kind} {workload.name}"
        key = f"{workload.kind}/{workload.name}"
        if _recreated(workload):
            yield self.check.finding(
                "recreate-strategy",
                f"{where}: strategy Recreate stops every pod before starting the new ones, so "
                "each rollout is an outage",
                path=path,
                line=spec.line_of("strategy"),
                fix="use a RollingUpdate with maxUnavailable: 0 and maxSurge: 1 (keep Recreate "
                "only where two versions must never run at once, and accept the outage)",
                key=key,
            )
            return
        fewest, most = self.safeguards.replicas(workload)
        if fewest <= 1 or self.safeguards.budget_for(workload, fewest) is not None:
            return
        if workload.kind == "StatefulSet":
            yield self._capacity(
                path,
                spec.line_of("replicas") if spec else workload.line,
                key,
                f"{where} runs {fewest} pods and no PodDisruptionBudget keeps one of them: a "
                "node drain may evict them all at once",
            )
            return
        down = rollout_unavailable(strategy, most)
        if down == 0:
            return
        rolling = as_mapping(strategy.get("rollingUpdate"))
        given = rolling.get("maxUnavailable", DEFAULT_ROLLING)
        how = (
            f"maxUnavailable {given!r} is neither a count nor a percentage"
            if down is None
            else f"a rolling update may take {down} of {most} pod(s) down at once "
            f"(maxUnavailable {given})"
        )
        yield self._capacity(
            path,
            rolling.line_of("maxUnavailable")
            if rolling
            else spec.line_of("strategy") or workload.line,
            key,
            f"{where}: {how}, and no PodDisruptionBudget keeps a pod",
        )

    def _capacity(self, path: str, line: int, key: str, message: str) -> Finding:
        return self.check.finding(
            "rollout-drops-capacity",
            message,
            path=path,
            line=line,
            fix="set strategy.rollingUpdate.maxUnavailable: 0 (with maxSurge: 1), and add a "
            "PodDisruptionBudget with minAvailable: 1 selecting the pods (it guards node drains)",
            key=key,
        )

    def _missing_autoscaler(self, path: str, workload: Workload) -> Iterator[Finding]:
        if self.autoscaler == "off" or workload.kind not in SCALED_KINDS:
            return
        if self.safeguards.autoscaler_of(workload) is not None or _recreated(workload):
            return
        yield self.check.finding(
            "no-autoscaler",
            f"{workload.kind} {workload.name} has no HorizontalPodAutoscaler: its replicas stay "
            "fixed whatever the load",
            severity=Severity.LOW if self.autoscaler == "advised" else None,
            path=path,
            line=workload.line,
            fix="add a HorizontalPodAutoscaler (autoscaling/v2) with minReplicas, maxReplicas "
            'and a metric; or set kubernetes.autoscaler = "off" where load is fixed',
            key=f"{workload.kind}/{workload.name}",
        )

    def _termination(self, path: str, workload: Workload) -> Iterator[Finding]:
        grace = grace_period_seconds(workload.pod_spec)
        for container in workload.containers():
            if "ports" not in container and "readinessProbe" not in container:
                continue
            problem = termination_problem(container, grace)
            if problem is None:
                continue
            rule, message, severity, fix = problem
            name = container.get("name", "?")
            yield self.check.finding(
                rule,
                f"{workload.kind} {workload.name}, container {name}: {message}",
                severity=severity,
                path=path,
                line=container.line_of("lifecycle"),
                fix=fix,
                key=f"{workload.kind}/{workload.name}/{name}:{rule}",
            )

    def autoscalers(self) -> Iterator[Finding]:
        for autoscaler in self.safeguards.autoscalers:
            for line, problem, key in self._incomplete(autoscaler):
                yield self.check.finding(
                    "autoscaler-incomplete",
                    f"HorizontalPodAutoscaler {autoscaler.name}: {problem}",
                    path=autoscaler.path,
                    line=line,
                    fix="give it minReplicas (≥ 2 for a service), a larger maxReplicas, an "
                    "explicit metric, a target in the manifests and resource requests for "
                    "what it measures",
                    key=f"{autoscaler.name}:{key}",
                )

    def _incomplete(self, autoscaler: Autoscaler) -> Iterator[tuple[int, str, str]]:
        spec = autoscaler.spec
        least, most = autoscaler.bound("minReplicas"), autoscaler.bound("maxReplicas")
        if least is None:
            yield spec.line_of("maxReplicas"), "no minReplicas (it defaults to 1)", "min"
        if most is None:
            yield spec.line, "no maxReplicas (the API server rejects it)", "max"
        elif most <= (least or DEFAULT_HPA_MIN):
            yield (
                spec.line_of("maxReplicas"),
                f"maxReplicas {most} is not above minReplicas {least or DEFAULT_HPA_MIN}: it "
                "never scales",
                "bounds",
            )
        if autoscaler.v1 and "targetCPUUtilizationPercentage" not in spec:
            yield spec.line, "no targetCPUUtilizationPercentage (a silent 80 % CPU)", "metrics"
        elif not autoscaler.v1 and not spec.get("metrics"):
            yield spec.line, "no metrics (a silent 80 % CPU)", "metrics"
        yield from self._target(autoscaler)

    def _target(self, autoscaler: Autoscaler) -> Iterator[tuple[int, str, str]]:
        kind, name = autoscaler.target
        line = autoscaler.spec.line_of("scaleTargetRef")
        if (kind, name, autoscaler.namespace) not in self.safeguards.present:
            yield line, f"its target {kind} {name} is not in the manifests", "target"
            return
        workload = self.safeguards.workloads.get((kind, name, autoscaler.namespace))
        if workload is None:
            return
        for metric in autoscaler.metrics():
            if not metric.utilization or metric.resource not in UTILIZATION_RESOURCES:
                continue
            bare = [
                str(container.get("name", "?"))
                for container in workload.containers()
                if (not metric.container or container.get("name") == metric.container)
                and metric.resource not in _requests(container)
            ]
            if bare:
                yield (
                    autoscaler.spec.line_of("metrics") or line,
                    f"scales on {metric.resource} utilization but container(s) "
                    f"{', '.join(bare)} of {kind} {name} request no {metric.resource}: the "
                    "utilization is undefined and the autoscaler does not act on it",
                    f"requests:{metric.resource}",
                )


def _recreated(workload: Workload) -> bool:
    """A Deployment whose old and new pods must never run together: a singleton by design (an
    operator, a scheduler), so an autoscaler is no advice for it."""
    strategy = as_mapping(as_mapping(workload.resource.get("spec")).get("strategy"))
    return workload.kind == "Deployment" and strategy.get("type") == "Recreate"


def _requests(container: Mapping[str, Any]) -> LocatedMap:
    return as_mapping(as_mapping(container.get("resources")).get("requests"))
