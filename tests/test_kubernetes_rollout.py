"""Rollouts, disruption budgets, autoscalers and preStop delays in the `kubernetes` check."""

from __future__ import annotations

import math
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.operations.kubernetes import KubernetesCheck
from pytest_readiness.checks.operations.manifests import load_documents
from pytest_readiness.checks.operations.rollout import rollout_unavailable, scaled, selects
from pytest_readiness.checks.operations.termination import pre_stop_seconds
from pytest_readiness.model import CheckResult, Severity
from tests.operations_projects import by_rule, project, run

DATA = Path(__file__).parent / "data" / "kubernetes"
KEEPS_CAPACITY = "strategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}"
ROLLOUT_RULES = {
    "rollout-drops-capacity",
    "recreate-strategy",
    "autoscaler-incomplete",
    "no-autoscaler",
    "no-prestop-delay",
    "prestop-exceeds-grace",
}


def _deployment(
    name: str = "api",
    *,
    replicas: int = 4,
    strategy: str = KEEPS_CAPACITY,
    namespace: str = "",
    container: str = "",
) -> str:
    """A Deployment passing every other rule, with the parts under test filled in."""
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  {f"namespace: {namespace}" if namespace else ""}
spec:
  replicas: {replicas}
  {strategy}
  template:
    metadata:
      labels: {{app: {name}, tier: web}}
    spec:
      securityContext: {{runAsNonRoot: true}}
      containers:
        - name: {name}
          image: app:1.0.0
          ports: [{{containerPort: 8080}}]
          livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}
          readinessProbe: {{httpGet: {{path: /readyz, port: 8080}}}}
          resources:
            requests: {{cpu: 100m, memory: 64Mi}}
            limits: {{cpu: 500m, memory: 128Mi}}
          securityContext: {{readOnlyRootFilesystem: true}}
          {container or 'lifecycle: {preStop: {exec: {command: ["sleep", "5"]}}}'}
"""


def _budget(spec: str, namespace: str = "") -> str:
    metadata = f"{{name: pdb, namespace: {namespace}}}" if namespace else "{name: pdb}"
    return f"""
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {metadata}
spec:
  {spec}
"""


def _autoscaler(spec: str, version: str = "autoscaling/v2", target: str = "api") -> str:
    return f"""
---
apiVersion: {version}
kind: HorizontalPodAutoscaler
metadata: {{name: api}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}
  {spec}
"""


GOOD_HPA = _autoscaler(
    "minReplicas: 2\n  maxReplicas: 6\n  metrics: [{type: Resource, resource: "
    "{name: cpu, target: {type: Utilization, averageUtilization: 70}}}]"
)


def _rollout(tmp_path: Path, text: str, **settings: Any) -> CheckResult:
    ctx = project(tmp_path, {"deploy/all.yaml": text})
    result = run(KubernetesCheck, ctx, **settings)
    result.findings = [f for f in result.findings if f.rule in ROLLOUT_RULES]
    return result


def _rules(result: CheckResult) -> list[str]:
    return sorted(finding.rule for finding in result.findings)


# --- the arithmetic, as Kubernetes does it ---------------------------------------------------


@given(st.integers(0, 100), st.integers(0, 500))
def test_percentages_round_down_for_unavailable_and_up_for_surge(percent: int, total: int) -> None:
    exact = Fraction(percent * total, 100)
    assert scaled(f"{percent}%", total, round_up=False) == math.floor(exact)
    assert scaled(f"{percent}%", total, round_up=True) == math.ceil(exact)
    assert scaled(percent, total, round_up=True) == percent


@pytest.mark.parametrize("value", ["abc", "5", "%", "1.5%", True, None, 2.5])
def test_values_neither_count_nor_percentage_are_none(value: Any) -> None:
    assert scaled(value, 10, round_up=False) is None


@pytest.mark.parametrize(
    ("rolling", "replicas", "down"),
    [
        ({}, 2, 0),  # 25 % of 2 rounds down to 0
        ({}, 3, 0),
        ({}, 4, 1),
        ({}, 10, 2),
        ({"maxUnavailable": 0}, 10, 0),
        ({"maxUnavailable": "50%"}, 3, 1),
        ({"maxUnavailable": "0%", "maxSurge": "0%"}, 4, 1),  # both 0: the controller takes 1
        ({"maxUnavailable": "10%", "maxSurge": 0}, 4, 1),
        ({"maxUnavailable": "x"}, 4, None),
    ],
)
def test_pods_a_rollout_may_take_down(rolling: dict[str, Any], replicas: int, down: int) -> None:
    (document,) = load_documents(f"rollingUpdate: {rolling}\n" if rolling else "{}\n")
    assert rollout_unavailable(document, replicas) == down


@pytest.mark.parametrize(
    ("selector", "chosen"),
    [
        ("{matchLabels: {app: api}}", True),
        ("{matchLabels: {app: api, tier: db}}", False),
        ("{}", True),  # policy/v1: an empty selector selects every pod of the namespace
        ("{matchExpressions: [{key: tier, operator: In, values: [web, api]}]}", True),
        ("{matchExpressions: [{key: tier, operator: NotIn, values: [web]}]}", False),
        ("{matchExpressions: [{key: zone, operator: NotIn, values: [a]}]}", True),
        ("{matchExpressions: [{key: app, operator: Exists}]}", True),
        ("{matchExpressions: [{key: app, operator: DoesNotExist}]}", False),
        ("{matchExpressions: [{key: app, operator: Near}]}", False),
        ("{matchLabels: {app: api}, matchExpressions: [{key: x, operator: Exists}]}", False),
    ],
)
def test_label_selectors(selector: str, chosen: bool) -> None:
    (parsed,) = load_documents(selector)
    assert selects(parsed, {"app": "api", "tier": "web"}) is chosen
    assert selects(None, {"app": "api"}) is False


@pytest.mark.parametrize(
    ("lifecycle", "seconds"),
    [
        ("{preStop: {sleep: {seconds: 7}}}", 7.0),
        ('{preStop: {exec: {command: ["sleep", "5"]}}}', 5.0),
        ('{preStop: {exec: {command: ["/bin/sleep", "2.5"]}}}', 2.5),
        ('{preStop: {exec: {command: ["sh", "-c", "sleep 10 && nginx -s quit"]}}}', 10.0),
        ('{preStop: {exec: {command: ["/bin/bash", "-ec", "echo bye; sleep 3"]}}}', 3.0),
        ('{preStop: {exec: {command: ["sleep 4"]}}}', None),  # exec runs no shell
        ('{preStop: {exec: {command: ["nginx", "-s", "quit"]}}}', None),
        ('{preStop: {exec: {command: ["sh", "-c", "nosleep 3"]}}}', None),
        ("{preStop: {httpGet: {path: /drain, port: 8080}}}", None),
        ("{postStart: {exec: {command: [sleep, '1']}}}", None),
    ],
)
def test_pre_stop_delays(lifecycle: str, seconds: float | None) -> None:
    (container,) = load_documents(f"lifecycle: {lifecycle}\n")
    assert pre_stop_seconds(container) == seconds


@given(
    st.integers(0, 3600),
    st.sampled_from(["{n}", "{n}s", "{n}.5"]),
    st.sampled_from(
        ['["sleep", "{t}"]', '["/bin/sh", "-c", "echo draining; sleep {t} && kill 1"]']
    ),
)
def test_any_sleep_length_is_read_back(seconds: int, form: str, command: str) -> None:
    text = form.format(n=seconds)
    (container,) = load_documents(
        "lifecycle: {preStop: {exec: {command: " + command.format(t=text) + "}}}\n"
    )
    assert pre_stop_seconds(container) == float(text.rstrip("s"))


@given(
    st.dictionaries(st.sampled_from(["app", "tier", "zone"]), st.sampled_from(["a", "b"])),
    st.dictionaries(st.sampled_from(["app", "tier", "zone"]), st.sampled_from(["a", "b"])),
)
def test_match_labels_select_exactly_the_supersets(
    wanted: dict[str, str], labels: dict[str, str]
) -> None:
    assert selects({"matchLabels": wanted}, labels) is (wanted.items() <= labels.items())


# --- rolling updates and disruption budgets --------------------------------------------------


def test_an_explicit_zero_unavailable_rollout_with_an_autoscaler_passes(tmp_path: Path) -> None:
    strategy = "strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}"
    result = _rollout(tmp_path, _deployment(strategy=strategy) + GOOD_HPA)
    assert result.findings == []


def test_the_default_rollout_takes_pods_down_at_four_replicas(tmp_path: Path) -> None:
    text = _deployment(replicas=4, strategy="")
    (finding,) = _rollout(tmp_path, text, autoscaler="off").findings
    assert finding.rule == "rollout-drops-capacity"
    assert finding.severity is Severity.MEDIUM
    assert "may take 1 of 4 pod(s) down at once (maxUnavailable 25%)" in finding.message
    text = _deployment(replicas=3, strategy="")
    assert _rollout(tmp_path, text, autoscaler="off").findings == []


def test_the_autoscalers_maximum_decides_how_many_go_down(tmp_path: Path) -> None:
    (finding,) = _rollout(tmp_path, _deployment(replicas=1, strategy="") + GOOD_HPA).findings
    assert "may take 1 of 6 pod(s) down" in finding.message
    # minReplicas 1: nothing to keep when it runs one pod.
    single = GOOD_HPA.replace("minReplicas: 2", "minReplicas: 1")
    assert _rollout(tmp_path, _deployment(replicas=1, strategy="") + single).findings == []


@pytest.mark.parametrize(
    ("budget", "kept"),
    [
        (_budget("minAvailable: 1\n  selector: {matchLabels: {app: api}}"), True),
        (_budget("minAvailable: 10%\n  selector: {matchLabels: {app: api}}"), True),
        (_budget("maxUnavailable: 1\n  selector: {matchLabels: {app: api}}"), True),
        (_budget("maxUnavailable: 80%\n  selector: {matchLabels: {app: api}}"), False),
        (_budget("minAvailable: 0\n  selector: {matchLabels: {app: api}}"), False),
        (_budget("minAvailable: 1\n  selector: {matchLabels: {app: web}}"), False),
        (_budget("minAvailable: 1"), False),  # no selector: no pod
        (_budget("selector: {matchLabels: {app: api}}"), False),  # neither field
        (_budget("minAvailable: 1\n  selector: {matchLabels: {app: api}}", "other"), False),
    ],
)
def test_a_budget_keeping_a_pod_of_the_template_counts(
    tmp_path: Path, budget: str, kept: bool
) -> None:
    strategy = "strategy: {rollingUpdate: {maxUnavailable: 2}}"
    result = _rollout(tmp_path, _deployment(strategy=strategy) + budget, autoscaler="off")
    assert _rules(result) == ([] if kept else ["rollout-drops-capacity"])


def test_budgets_and_workloads_match_by_namespace(tmp_path: Path) -> None:
    text = _deployment(namespace="shop", strategy="strategy: {rollingUpdate: {maxUnavailable: 1}}")
    budget = _budget("minAvailable: 1\n  selector: {matchLabels: {app: api}}", "shop")
    assert _rollout(tmp_path, text + budget, autoscaler="off").findings == []


def test_recreate_is_an_outage_whatever_the_replicas_and_wants_no_autoscaler(
    tmp_path: Path,
) -> None:
    text = _deployment(replicas=1, strategy="strategy: {type: Recreate}")
    (finding,) = _rollout(tmp_path, text).findings  # a singleton: no autoscaler advised
    assert finding.rule == "recreate-strategy"
    assert "each rollout is an outage" in finding.message
    assert finding.line == 8


def test_a_statefulset_needs_a_budget(tmp_path: Path) -> None:
    """The ZooKeeper tutorial of the Kubernetes docs ships a budget; without it, a finding."""
    text = (DATA / "zookeeper.yaml").read_text()
    assert by_rule(_rollout(tmp_path, text), "rollout-drops-capacity") == []
    without = text.replace("kind: PodDisruptionBudget", "kind: ConfigMap")
    (finding,) = by_rule(_rollout(tmp_path, without), "rollout-drops-capacity")
    assert finding.rule == "rollout-drops-capacity"
    assert "StatefulSet zk runs 3 pods and no PodDisruptionBudget keeps one" in finding.message


# --- autoscalers ------------------------------------------------------------------------------


def test_the_docs_autoscaler_walkthrough_passes_the_autoscaler_rules(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"deploy/php.yaml": ""})
    shutil.copy(DATA / "php-apache.yaml", tmp_path / "deploy" / "php.yaml")
    result = run(KubernetesCheck, ctx)
    found = _rules(result)
    assert "autoscaler-incomplete" not in found
    assert "no-autoscaler" not in found
    (delay,) = by_rule(result, "no-prestop-delay")
    assert delay.severity is Severity.LOW
    assert "Deployment php-apache, container php-apache: no preStop delay" in delay.message


@pytest.mark.parametrize(
    ("autoscaler", "problem"),
    [
        (
            _autoscaler("maxReplicas: 5\n  targetCPUUtilizationPercentage: 70", "autoscaling/v1"),
            "no minReplicas (it defaults to 1)",
        ),
        (_autoscaler("minReplicas: 2\n  maxReplicas: 5"), "no metrics (a silent 80 % CPU)"),
        (
            _autoscaler("minReplicas: 2\n  maxReplicas: 5", version="autoscaling/v1"),
            "no targetCPUUtilizationPercentage (a silent 80 % CPU)",
        ),
        (
            _autoscaler(
                "minReplicas: 3\n  maxReplicas: 3\n  targetCPUUtilizationPercentage: 60",
                version="autoscaling/v1",
            ),
            "maxReplicas 3 is not above minReplicas 3: it never scales",
        ),
        (
            GOOD_HPA.replace("Deployment, name: api}", "Deployment, name: apii}"),
            "its target Deployment apii is not in the manifests",
        ),
        (
            GOOD_HPA.replace("name: cpu", "name: memory"),
            "scales on memory utilization but container(s) api of Deployment api request no "
            "memory: the utilization is undefined and the autoscaler does not act on it",
        ),
    ],
)
def test_an_incomplete_autoscaler_is_a_finding(
    tmp_path: Path, autoscaler: str, problem: str
) -> None:
    text = _deployment(replicas=2, container="lifecycle: {preStop: {sleep: {seconds: 5}}}")
    if "memory" in problem:
        text = text.replace(", memory: 64Mi", "")
    result = _rollout(tmp_path, text + autoscaler)
    found = by_rule(result, "autoscaler-incomplete")
    assert [f.message for f in found] == [f"HorizontalPodAutoscaler api: {problem}"]
    assert found[0].severity is Severity.MEDIUM
    assert found[0].path == "deploy/all.yaml"


def test_a_container_resource_metric_needs_only_its_container(tmp_path: Path) -> None:
    metric = (
        "minReplicas: 2\n  maxReplicas: 4\n  metrics: [{type: ContainerResource, "
        "containerResource: {name: cpu, container: api, target: {type: Utilization}}}]"
    )
    result = _rollout(tmp_path, _deployment(replicas=2) + _autoscaler(metric))
    assert result.findings == []


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("advised", Severity.LOW), ("required", Severity.MEDIUM), ("off", None)],
)
def test_a_workload_without_autoscaler(
    tmp_path: Path, setting: str, expected: Severity | None
) -> None:
    result = _rollout(tmp_path, _deployment(replicas=2), autoscaler=setting)
    assert [f.severity for f in result.findings] == ([expected] if expected else [])


# --- preStop and the grace period ------------------------------------------------------------


def test_a_serving_container_without_prestop_delay_is_low(tmp_path: Path) -> None:
    text = _deployment(replicas=2, container="lifecycle: {}") + GOOD_HPA
    (finding,) = _rollout(tmp_path, text).findings
    assert (finding.rule, finding.severity) == ("no-prestop-delay", Severity.LOW)
    worker = text.replace("ports: [{containerPort: 8080}]", "args: [worker]").replace(
        "readinessProbe", "startupProbe"
    )
    assert _rollout(tmp_path, worker).findings == []


def test_a_prestop_sleep_as_long_as_the_grace_period_is_medium(tmp_path: Path) -> None:
    container = 'lifecycle: {preStop: {exec: {command: ["sh", "-c", "sleep 30"]}}}'
    text = _deployment(replicas=2, container=container) + GOOD_HPA
    (finding,) = _rollout(tmp_path, text).findings
    assert (finding.rule, finding.severity) == ("prestop-exceeds-grace", Severity.MEDIUM)
    assert "the preStop sleep of 30 s uses up the 30 s grace period" in finding.message
    longer = text.replace(
        "securityContext: {runAsNonRoot: true}",
        "terminationGracePeriodSeconds: 45\n      securityContext: {runAsNonRoot: true}",
    )
    assert _rollout(tmp_path, longer).findings == []
