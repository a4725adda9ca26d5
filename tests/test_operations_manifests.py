"""Multi-document YAML with line numbers, and pod specs found in every workload kind."""

from __future__ import annotations

import contextlib
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.operations import manifests
from pytest_readiness.checks.operations.manifests import LocatedMap, ManifestError
from tests.operations_projects import project

POD = """
spec:
  containers:
    - name: app
      image: app:1.0.0
"""


def load(text: str) -> list[object]:
    return manifests.load_documents(textwrap.dedent(text).lstrip("\n"))


def test_mappings_know_their_lines_and_their_keys_lines() -> None:
    (document,) = load(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: app:1.0.0
        """
    )
    assert isinstance(document, LocatedMap)
    assert document.line == 1
    assert document.line_of("spec") == 5
    container = document["spec"]["containers"][0]
    assert (container.line, container.line_of("image")) == (7, 8)
    assert container.line_of("missing") == 7


@pytest.mark.parametrize(
    ("kind", "wrapper"),
    [
        ("Pod", POD),
        ("Deployment", "spec:\n  template:" + textwrap.indent(POD, "    ")),
        ("StatefulSet", "spec:\n  template:" + textwrap.indent(POD, "    ")),
        ("DaemonSet", "spec:\n  template:" + textwrap.indent(POD, "    ")),
        ("Job", "spec:\n  template:" + textwrap.indent(POD, "    ")),
        (
            "CronJob",
            "spec:\n  jobTemplate:\n    spec:\n      template:" + textwrap.indent(POD, "        "),
        ),
    ],
)
def test_every_workload_kind_yields_its_pod_spec(kind: str, wrapper: str) -> None:
    text = f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: w\n{wrapper}"
    (workload,) = manifests.workloads(manifests.load_documents(text))
    assert (workload.kind, workload.name) == (kind, "w")
    assert [c["name"] for c in workload.containers()] == ["app"]
    assert workload.containers(init=True) == []


def test_documents_lists_and_non_workloads() -> None:
    documents = load(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        ---
        # an empty document and a scalar one are ignored
        ---
        just text
        ---
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Pod
            metadata: {name: listed}
            spec: {containers: [{name: c, image: "x:1"}]}
        """
    )
    kinds = [resource["kind"] for resource in manifests.resources(documents)]
    assert kinds == ["Service", "Pod"]
    assert [w.name for w in manifests.workloads(documents)] == ["listed"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("apiVersion: v1\nkind: Pod\nspec: [unclosed\n", 4),
        ("apiVersion: v1\nkind: Pod\n  bad: indent\n", 3),
        ("a: 1\n---\nb: *undefined\n", 3),
        ("key: [1, 2]: 3\n", 1),
    ],
)
def test_malformed_yaml_raises_with_a_line(text: str, line: int) -> None:
    with pytest.raises(ManifestError) as raised:
        manifests.load_documents(text)
    assert raised.value.line == line
    assert raised.value.problem


def test_unhashable_key_is_a_manifest_error_not_a_crash() -> None:
    with pytest.raises(ManifestError):
        manifests.load_documents("? [a, b]\n: value\n")


def test_control_character_is_a_manifest_error_at_its_line() -> None:
    with pytest.raises(ManifestError) as raised:
        manifests.load_documents("apiVersion: v1\nkind: Pod\nname: a\x1fb\n")
    assert raised.value.line == 3
    assert "0x1f" in raised.value.problem


def test_candidates_are_yaml_files_that_mention_kubernetes(tmp_path: Path) -> None:
    ctx = project(
        tmp_path,
        {
            "deploy/app.yaml": "apiVersion: v1\nkind: Pod\n",
            "deploy/values.yml": "replicas: 2\n",
            ".github/workflows/ci.yml": "on: push\n",
            "notes.txt": "apiVersion kind",
        },
    )
    assert [file.path for file in manifests.candidate_files(ctx.files)] == ["deploy/app.yaml"]


def test_helm_templates_are_recognised_but_github_expressions_are_not() -> None:
    assert manifests.is_helm_template("image: {{ .Values.image }}\n")
    assert not manifests.is_helm_template("run: echo ${{ github.sha }}\n")


@given(st.lists(st.sampled_from(["Pod", "Service", "ConfigMap"]), min_size=1, max_size=6))
def test_each_document_is_found_at_its_line(kinds: list[str]) -> None:
    chunks = [
        f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: n{i}\n" for i, kind in enumerate(kinds)
    ]
    documents = manifests.load_documents("---\n".join(chunks))
    found = list(manifests.resources(documents))
    assert [resource["kind"] for resource in found] == kinds
    assert [resource.line for resource in found] == [1 + 5 * i for i in range(len(kinds))]


yaml_text = st.lists(
    st.one_of(
        st.sampled_from(
            ["---", "kind: Pod", "apiVersion: v1", "spec:", "  - a", "  b: [", "? x", "&a b", "*a"]
        ),
        st.text(max_size=20),
    ),
    max_size=10,
).map("\n".join)


@given(yaml_text)
def test_any_text_loads_or_raises_a_manifest_error(text: str) -> None:
    with contextlib.suppress(ManifestError):
        list(manifests.workloads(manifests.load_documents(text)))
        return
    with pytest.raises(ManifestError) as raised:
        manifests.load_documents(text)
    assert 1 <= raised.value.line <= max(1, len(text.splitlines()) + 1)
