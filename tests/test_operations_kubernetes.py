"""The `kubernetes` check on real manifests: a good Deployment, each gap, Helm, broken YAML."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_readiness.check import CheckError, CheckSkipped
from pytest_readiness.checks.operations.kubernetes import KubernetesCheck
from pytest_readiness.model import Severity
from tests.conftest import read_report
from tests.operations_projects import by_rule, project, rules, run

GOOD = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  strategy:
    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
      initContainers:
        - name: migrate
          image: app:1.4.2
          resources:
            requests: {cpu: 50m, memory: 32Mi}
            limits: {cpu: 100m, memory: 64Mi}
          securityContext: {readOnlyRootFilesystem: true}
      containers:
        - name: web
          image: registry.example.com/app:1.4.2@sha256:0123
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          readinessProbe: {httpGet: {path: /readyz, port: 8080}}
          lifecycle:
            preStop:
              exec: {command: ["sleep", "5"]}
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 500m, memory: 128Mi}
          securityContext:
            readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 6
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
"""

BAD = """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: busybox:1.36.1
              resources:
                requests: {cpu: 10m, memory: 16Mi}
                limits: {cpu: 10m, memory: 16Mi}
              securityContext:
                runAsNonRoot: true
                readOnlyRootFilesystem: true
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: api
          image: api
          securityContext:
            runAsUser: 0
            readOnlyRootFilesystem: false
          resources:
            requests:
              cpu: 100m
"""


def test_a_production_ready_deployment_passes(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"deploy/web.yaml": GOOD})
    result = run(KubernetesCheck, ctx, min_replicas=2)
    assert result.findings == []
    assert result.metrics == {"manifests": 1.0, "workloads": 1.0, "helm_templates_skipped": 0.0}


def test_each_gap_is_a_finding_at_its_line(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"k8s/all.yml": BAD})
    result = run(KubernetesCheck, ctx)
    assert rules(result) == [
        "missing-probe",
        "missing-probe",
        "missing-resources",
        "missing-resources",
        "no-autoscaler",
        "runs-as-root",
        "unpinned-image",
        "writable-root-filesystem",
    ]
    assert {finding.path for finding in result.findings} == {"k8s/all.yml"}
    root = by_rule(result, "runs-as-root")[0]
    assert (root.line, root.severity) == (33, Severity.HIGH)
    assert by_rule(result, "unpinned-image")[0].line == 32
    assert by_rule(result, "writable-root-filesystem")[0].line == 33
    assert {f.line for f in by_rule(result, "missing-resources")} == {36}
    probes = by_rule(result, "missing-probe")
    assert [(f.line, f.severity) for f in probes] == [(31, Severity.MEDIUM)] * 2
    assert "Deployment api, container api: no livenessProbe" in probes[0].message
    messages = sorted(f.message for f in by_rule(result, "missing-resources"))
    assert messages == [
        "Deployment api, container api: no resource limits for cpu, memory",
        "Deployment api, container api: no resource requests for memory",
    ]


def test_replicas_only_when_configured_and_an_autoscaler_counts(tmp_path: Path) -> None:
    single = GOOD.replace("minReplicas: 3", "minReplicas: 1")
    ctx = project(tmp_path, {"deploy/web.yaml": single})
    assert run(KubernetesCheck, ctx).findings == []
    (finding,) = run(KubernetesCheck, ctx, min_replicas=2).findings
    assert (finding.rule, finding.line) == ("too-few-replicas", 6)
    ctx = project(tmp_path, {"deploy/web.yaml": GOOD.replace("minReplicas: 3", "minReplicas: 2")})
    assert run(KubernetesCheck, ctx, min_replicas=2).findings == []


def test_settings_relax_the_rules(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"k8s/all.yml": BAD})
    relaxed = run(
        KubernetesCheck,
        ctx,
        probe_kinds=[],
        required_requests=["cpu"],
        required_limits=[],
        require_read_only_root=False,
        autoscaler="off",
    )
    assert rules(relaxed) == ["runs-as-root", "unpinned-image"]


def test_helm_templates_are_skipped_with_a_note_and_rendered_output_is_checked(
    tmp_path: Path,
) -> None:
    template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    ctx = project(
        tmp_path,
        {"chart/Chart.yaml": "name: c\n", "chart/templates/deployment.yaml": template},
    )
    with pytest.raises(CheckSkipped, match="1 Helm template"):
        run(KubernetesCheck, ctx)
    (tmp_path / "rendered").mkdir()
    (tmp_path / "rendered" / "all.yaml").write_text(GOOD, "utf-8")
    result = run(KubernetesCheck, ctx, rendered_manifests=["rendered"])
    assert result.findings == []
    assert "1 Helm template(s) skipped" in result.summary
    assert result.metrics["workloads"] == 1.0


def test_rendered_output_outside_the_project_is_read(tmp_path: Path) -> None:
    outside = tmp_path / "build" / "all.yaml"
    outside.parent.mkdir()
    outside.write_text(GOOD.replace("image: app:1.4.2", "image: app"), "utf-8")
    ctx = project(tmp_path / "project", {"README.md": "# p\n"})
    (finding,) = run(KubernetesCheck, ctx, rendered_manifests=[str(outside)]).findings
    assert (finding.rule, finding.path) == ("unpinned-image", outside.as_posix())


def test_missing_rendered_manifest_is_an_error(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"deploy/web.yaml": GOOD})
    with pytest.raises(CheckError, match=r"out/all\.yaml"):
        run(KubernetesCheck, ctx, rendered_manifests=["out/all.yaml"])


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n", 5),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n name: b\n", 5),
        ("apiVersion: v1\nkind: Pod\nspec: {a: 1\n", 4),
    ],
)
def test_malformed_manifest_is_a_high_finding_with_file_and_line(
    tmp_path: Path, text: str, line: int
) -> None:
    ctx = project(tmp_path, {"deploy/bad.yaml": text, "deploy/web.yaml": GOOD})
    (finding,) = run(KubernetesCheck, ctx).findings
    assert (finding.rule, finding.path, finding.line) == (
        "unparseable-manifest",
        "deploy/bad.yaml",
        line,
    )
    assert finding.severity is Severity.HIGH
    assert "not valid YAML" in finding.message


def test_nothing_to_check_is_a_skip(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"config.yaml": "debug: true\n"})
    with pytest.raises(CheckSkipped, match="no Kubernetes manifests"):
        run(KubernetesCheck, ctx)
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
    ctx = project(tmp_path, {"svc.yaml": service})
    with pytest.raises(CheckSkipped, match="no workloads"):
        run(KubernetesCheck, ctx)


def test_gate_reports_findings_of_a_deployment(pytester: pytest.Pytester) -> None:
    (pytester.path / "deploy").mkdir()
    (pytester.path / "deploy" / "all.yml").write_text(BAD.lstrip("\n"), "utf-8")
    (pytester.path / "deploy" / "broken.yaml").write_text("apiVersion: v1\nkind: [\n", "utf-8")
    result = pytester.runpytest(
        "--readiness", "--readiness-only", "--readiness-select", "kubernetes",
        "--readiness-report", "r.json",
    )  # fmt: skip
    result.assert_outcomes(failed=1)
    report = read_report(pytester.path / "r.json")
    assert report["verdict"] == "not-ready"
    (record,) = report["checks"]
    located = {(f["rule"], f["path"], f["line"]) for f in record["findings"]}
    assert ("unparseable-manifest", "deploy/broken.yaml", 3) in located
    assert ("runs-as-root", "deploy/all.yml", 33) in located


@pytest.mark.parametrize("fixture", ["tests/fixtures/bad.yaml", "docs/deployment.yaml"])
def test_manifests_under_test_or_docs_directories_are_counted_not_checked(
    tmp_path: Path, fixture: str
) -> None:
    ctx = project(tmp_path, {"deploy/app.yaml": GOOD, fixture: BAD})

    default = run(KubernetesCheck, ctx)
    configured = run(KubernetesCheck, ctx, not_production=[])

    assert default.findings == []
    assert default.metrics["manifests_left_out"] == 1
    assert "1 under test, example or docs directories left out" in default.summary
    assert {f.path for f in configured.findings} == {fixture}


def _pod(containers: str) -> str:
    return (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        + textwrap.indent(textwrap.dedent(containers).strip("\n"), "    ")
        + "\n"
    )


def test_images_float_unless_a_tag_names_one_release(tmp_path: Path) -> None:
    manifest = _pod(
        """
        - {name: a, image: "python:slim"}
        - {name: b, image: "postgres:16"}
        - {name: c, image: "registry.example.com/example-service:1.0.0"}
        - {name: d, image: "postgres:16.4"}
        - {name: e, image: "ubuntu:jammy-20240911.1"}
        """
    )
    ctx = project(tmp_path, {"deploy/pod.yaml": manifest})
    result = run(KubernetesCheck, ctx, probe_kinds=[], required_requests=[], required_limits=[])
    found = [(f.line, f.message) for f in by_rule(result, "unpinned-image")]
    assert found == [
        (
            6,
            "Pod p, container a: image 'python:slim' is not pinned ('slim' names no python "
            "version: it moves with every release): each pull may run different code",
        ),
        (
            7,
            "Pod p, container b: image 'postgres:16' is not pinned ('16' is a major version: "
            "each pull may bring a newer 16.x): each pull may run different code",
        ),
    ]
    in_house = _pod('- {name: a, image: "registry.example.com/team/db:4.2"}')
    ctx = project(tmp_path, {"deploy/pod.yaml": in_house})
    assert rules(run(KubernetesCheck, ctx, probe_kinds=[])) == [
        "missing-resources",
        "missing-resources",
        "runs-as-root",
        "unpinned-image",
        "writable-root-filesystem",
    ]
    relaxed = run(
        KubernetesCheck, ctx, probe_kinds=[], two_part_versions=["registry.example.com/team/db"]
    )
    assert "unpinned-image" not in rules(relaxed)


@pytest.mark.parametrize(
    ("container", "root"),
    [
        ('{name: db, image: "postgres:16.4"}', False),
        (
            '{name: db, image: "mirror.example/library/postgres:16.4", args: ["-c", "fsync=on"]}',
            False,
        ),
        ('{name: db, image: "redis:7.4.1", args: ["/etc/redis/redis.conf"]}', False),
        ('{name: db, image: "postgres:16.4", command: ["docker-entrypoint.sh", "postgres"]}', True),
        ('{name: db, image: "postgres:16.4", args: ["sleep", "3600"]}', True),
        ('{name: db, image: "postgres:16.4", securityContext: {runAsUser: 0}}', True),
        (
            '{name: db, image: "postgres:16.4", '
            "securityContext: {capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}}",
            True,
        ),
        ('{name: db, image: "myorg/postgres:16.4.1"}', True),
    ],
)
def test_an_official_image_that_leaves_root_is_not_runs_as_root(
    tmp_path: Path, container: str, root: bool
) -> None:
    ctx = project(tmp_path, {"deploy/pod.yaml": _pod(f"- {container}")})
    result = run(KubernetesCheck, ctx, probe_kinds=[])
    assert bool(by_rule(result, "runs-as-root")) is root
