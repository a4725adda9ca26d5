"""Kubernetes manifests: multi-document YAML read with line numbers, and the pod specs in them.

PyYAML's safe loader builds plain data; the mapping constructor here also records the line of
each mapping and of each of its keys, so a finding can point at the container or the field.
Workload kinds are mapped to where their pod template lives, so the check does not care
whether a pod comes from a Deployment, a CronJob or a bare Pod.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from pytest_readiness.files import ProjectFile, ProjectFiles, matches
from pytest_readiness.model import CheckResult
from pytest_readiness.reading import read_text

POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
YAML_SUFFIXES = (".yaml", ".yml")
NOT_PRODUCTION = ("tests", "test", "testing", "examples", "docs")
"""Where build files and manifests are fixtures, demos or documentation, not what ships (a
pattern is any part of the path)."""


def split_production(
    files: Sequence[ProjectFile], not_production: Sequence[str]
) -> tuple[list[ProjectFile], int]:
    """The files that build or deploy what ships, and how many were left out as fixtures."""
    kept = [file for file in files if not matches(file.path, not_production)]
    return kept, len(files) - len(kept)


def fixtures_note(count: int) -> str:
    """What a skip message says about the files `split_production` left out."""
    return f" ({count} under test, example or docs directories left out)" if count else ""


def count_left_out(result: CheckResult, metric: str, count: int) -> None:
    """Say in the metrics and the summary how many files were left out as test fixtures."""
    if count:
        result.metrics[metric] = float(count)
        result.summary += (
            f"; {count} under test, example or docs directories left out (not_production)"
        )


_GO_TEMPLATE = re.compile(r"(?<!\$)\{\{")


class ManifestError(ValueError):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


class LocatedMap(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: MappingNode) -> Iterator[LocatedMap]:
    mapping = LocatedMap()
    mapping.line = node.start_mark.line + 1
    yield mapping
    for key, value in loader.construct_mapping(node).items():
        mapping[str(key)] = value
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode):
            mapping.key_lines[str(key_node.value)] = key_node.start_mark.line + 1


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_documents(text: str) -> list[Any]:
    """Every document of a YAML stream; ManifestError with the line when it is not YAML."""
    documents = []
    loader: _LineLoader | None = None
    try:
        loader = _LineLoader(text)
        while loader.check_data():  # type: ignore[no-untyped-call]
            documents.append(loader.get_data())
    except yaml.YAMLError as error:
        raise ManifestError(_error_line(text, error), _problem(error)) from None
    finally:
        if loader is not None:
            loader.dispose()
    return documents


def _error_line(text: str, error: yaml.YAMLError) -> int:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    position = getattr(error, "position", None)
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def _problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.reader.ReaderError):
        return f"character {error.character:#x} is not allowed in YAML"
    return str(getattr(error, "problem", None) or error)


@dataclass(frozen=True)
class Workload:
    """A resource that runs pods, with the pod spec its template holds."""

    kind: str
    name: str
    resource: LocatedMap
    pod_spec: LocatedMap

    @property
    def line(self) -> int:
        return self.resource.line

    def containers(self, *, init: bool = False) -> list[LocatedMap]:
        key = "initContainers" if init else "containers"
        found = self.pod_spec.get(key)
        if not isinstance(found, list):
            return []
        return [item for item in found if isinstance(item, LocatedMap)]


def resources(documents: Sequence[Any]) -> Iterator[LocatedMap]:
    """The Kubernetes objects in the documents; `kind: List` items are opened up."""
    for document in documents:
        if not isinstance(document, LocatedMap):
            continue
        if document.get("kind") == "List" and isinstance(document.get("items"), list):
            yield from resources(document["items"])
        elif isinstance(document.get("kind"), str) and "apiVersion" in document:
            yield document


def workloads(documents: Sequence[Any]) -> Iterator[Workload]:
    for resource in resources(documents):
        kind = resource["kind"]
        path = POD_SPEC_PATHS.get(kind)
        if path is None:
            continue
        pod_spec = _follow(resource, path)
        if pod_spec is None:
            continue
        metadata = resource.get("metadata")
        name = metadata.get("name", "?") if isinstance(metadata, dict) else "?"
        yield Workload(kind, str(name), resource, pod_spec)


def _follow(mapping: LocatedMap, path: tuple[str, ...]) -> LocatedMap | None:
    current: Any = mapping
    for key in path:
        if not isinstance(current, LocatedMap):
            return None
        current = current.get(key)
    return current if isinstance(current, LocatedMap) else None


def candidate_files(
    files: ProjectFiles, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> list[ProjectFile]:
    """YAML files that could be manifests: the cheap text test comes before any parsing."""
    return [
        file
        for file in files.select(include=include, exclude=exclude, suffixes=YAML_SUFFIXES)
        if _mentions_kubernetes(file)
    ]


def _mentions_kubernetes(file: ProjectFile) -> bool:
    try:
        text = read_text(file, errors="replace")
    except OSError:
        return False
    return "apiVersion" in text and "kind" in text


def is_helm_template(text: str) -> bool:
    """Go-templated YAML (a chart's `templates/`) is not YAML until `helm template` renders it."""
    return bool(_GO_TEMPLATE.search(text))


def as_mapping(value: Any) -> LocatedMap:
    """`value` if it is a mapping, else an empty one: a manifest's optional sections, read
    without a type check at every step."""
    return value if isinstance(value, LocatedMap) else LocatedMap()
