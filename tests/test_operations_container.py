"""The `container` check on real Dockerfiles: good, bad in each rule's way, and malformed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_readiness.check import CheckSkipped
from pytest_readiness.checks.operations.container import ContainerCheck
from pytest_readiness.model import Severity
from tests.conftest import read_report
from tests.operations_projects import by_rule, project, rules, run

GOOD = """
# syntax=docker/dockerfile:1
ARG PYTHON=3.12.7
FROM python:${PYTHON}-slim AS build
WORKDIR /src
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt \\
    && pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.12.7-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000
RUN useradd --uid 10001 app
COPY --from=build /wheels /wheels
RUN pip install --no-deps /wheels/*.whl
USER 10001:10001
HEALTHCHECK --interval=30s CMD ["python", "-c", "print('ok')"]
CMD ["python", "-m", "app"]
"""

MINIMAL = "FROM python:3.12.7\nUSER app\nHEALTHCHECK CMD true\n"

BAD = """
FROM python AS build
ARG GITHUB_TOKEN
ENV DB_PASSWORD=hunter2 LOG_LEVEL=info
ADD https://example.com/tool.tar.gz /opt/
RUN pip install requests flask==3.0.3 && pip install .
FROM build
USER root
"""


def test_a_well_built_image_passes(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"Dockerfile": GOOD, "requirements.txt": "x==1 --hash=sha256:ab\n"})
    result = run(ContainerCheck, ctx)
    assert result.findings == []
    assert result.metrics == {"dockerfiles": 1.0, "stages": 2.0}


def test_each_rule_fires_on_a_bad_image(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"services/api/Dockerfile": BAD})
    result = run(ContainerCheck, ctx)
    assert rules(result) == [
        "missing-healthcheck",
        "remote-add",
        "root-user",
        "secret-in-image",
        "secret-in-image",
        "unpinned-base-image",
        "unpinned-pip-install",
        "unpinned-pip-install",
    ]
    root = by_rule(result, "root-user")[0]
    assert (root.path, root.line, root.severity) == ("services/api/Dockerfile", 7, Severity.HIGH)
    secrets = by_rule(result, "secret-in-image")
    assert {finding.severity for finding in secrets} == {Severity.HIGH}
    assert [finding.line for finding in secrets] == [2, 3]
    assert all("hunter2" not in finding.message for finding in result.findings)
    assert by_rule(result, "unpinned-base-image")[0].severity is Severity.MEDIUM
    pip = sorted(finding.message for finding in by_rule(result, "unpinned-pip-install"))
    assert "`pip install .` resolves its dependencies at build time" in pip
    assert "`pip install requests` takes the newest version at build time" in pip


def test_no_user_at_all_runs_as_root_but_a_nonroot_base_does_not(tmp_path: Path) -> None:
    ctx = project(
        tmp_path,
        {
            "a/Dockerfile": "FROM python:3.12.7\nHEALTHCHECK CMD true\n",
            "b/Containerfile": f"FROM reg.example/distroless/python3:nonroot@sha256:{'0' * 64}\n"
            "HEALTHCHECK CMD true\n",
        },
    )
    result = run(ContainerCheck, ctx)
    assert [(f.rule, f.path, f.line) for f in result.findings] == [("root-user", "a/Dockerfile", 1)]


def test_user_and_healthcheck_are_inherited_from_the_stage_built_on(tmp_path: Path) -> None:
    text = "FROM python:3.12.7 AS base\nUSER app\nHEALTHCHECK CMD true\nFROM base\nCMD run\n"
    result = run(ContainerCheck, project(tmp_path, {"Dockerfile": text}))
    assert result.findings == []


def test_healthcheck_none_and_probe_settings(tmp_path: Path) -> None:
    ctx = project(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.12.7\nUSER app\nHEALTHCHECK NONE\n",
            "deploy/pod.yaml": """
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: app
                      image: app:1.0.0
                      livenessProbe: {httpGet: {path: /healthz, port: 8080}}
            """,
        },
    )
    assert rules(run(ContainerCheck, ctx)) == []
    strict = run(ContainerCheck, ctx, healthcheck="dockerfile")
    assert [(f.rule, f.line) for f in strict.findings] == [("missing-healthcheck", 3)]
    assert rules(run(ContainerCheck, ctx, healthcheck="off")) == []


def test_base_image_from_a_build_argument_without_default(tmp_path: Path) -> None:
    ctx = project(
        tmp_path, {"Dockerfile": "ARG BASE\nFROM $BASE\nUSER app\nHEALTHCHECK CMD true\n"}
    )
    (finding,) = run(ContainerCheck, ctx).findings
    assert finding.rule == "unpinned-base-image"
    assert "build argument without a default" in finding.message


def test_digest_requirement_and_scratch(tmp_path: Path) -> None:
    text = (
        "FROM golang:1.23.2 AS build\nFROM scratch\nCOPY --from=build /app /app\n"
        'USER 65532\nHEALTHCHECK CMD ["/app", "health"]\n'
    )
    ctx = project(tmp_path, {"Dockerfile": text})
    assert run(ContainerCheck, ctx).findings == []
    strict = run(ContainerCheck, ctx, require_digest=True)
    assert [(f.rule, f.line) for f in strict.findings] == [("unpinned-base-image", 1)]


def test_requirements_files_are_read_to_check_their_pins(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.12.7\nUSER app\nHEALTHCHECK CMD true\n"
        "RUN pip install -r /app/requirements.txt && pip install -r missing.txt\n"
    )
    ctx = project(
        tmp_path,
        {"Dockerfile": dockerfile, "requirements.txt": "a==1\nb>=2\nc\n"},
    )
    messages = sorted(f.message for f in run(ContainerCheck, ctx).findings)
    assert messages == [
        "/app/requirements.txt leaves 2 requirement(s) unpinned: b>=2, c",
        "requirements file 'missing.txt' is not in the project, so its pins cannot be checked",
    ]
    hashed = run(ContainerCheck, ctx, require_hashes=True)
    assert "leaves 3 requirement(s) unpinned" in sorted(f.message for f in hashed.findings)[0]


def test_remote_add_with_checksum_and_allowed_names(tmp_path: Path) -> None:
    text = (
        "FROM python:3.12.7\nUSER app\nHEALTHCHECK CMD true\n"
        "ADD --checksum=sha256:abc https://example.com/a.tgz /a\n"
        "ADD local.tgz /b\n"
        "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D PUBLIC_TOKEN_URL=x\n"
    )
    ctx = project(tmp_path, {"Dockerfile": text})
    assert rules(run(ContainerCheck, ctx)) == []
    ctx = project(tmp_path, {"Dockerfile": text + "ARG NPM_TOKEN\n"})
    assert rules(run(ContainerCheck, ctx)) == ["secret-in-image"]
    assert rules(run(ContainerCheck, ctx, allowed_env_names=["NPM_TOKEN"])) == []


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("FROM python:3.12.7\nRUNN echo\n", 2, "unknown instruction 'RUNN'"),
        ("FROM python:3.12.7\nRUN <<EOF\necho\n", 2, "never closed"),
        ("# just a comment\n", 1, "no FROM"),
    ],
)
def test_malformed_dockerfile_is_a_high_finding_naming_file_and_line(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    ctx = project(tmp_path, {"Dockerfile": text, "ok/Dockerfile": MINIMAL})
    result = run(ContainerCheck, ctx)
    (finding,) = result.findings
    assert (finding.rule, finding.path, finding.line) == (
        "unparseable-dockerfile",
        "Dockerfile",
        line,
    )
    assert finding.severity is Severity.HIGH
    assert problem in finding.message


def test_undecodable_file_is_a_finding(tmp_path: Path) -> None:
    ctx = project(tmp_path, {})
    (tmp_path / "Dockerfile").write_bytes(b"FROM python:3\n\xff\xfe\n")
    (finding,) = run(ContainerCheck, ctx).findings
    assert finding.rule == "unparseable-dockerfile"


def test_no_build_files_skips_and_docs_are_not_build_files(tmp_path: Path) -> None:
    ctx = project(
        tmp_path, {"docs/Dockerfile.md": "# about our image\n", "Dockerfile.dockerignore": "*"}
    )
    with pytest.raises(CheckSkipped, match="no Dockerfile"):
        run(ContainerCheck, ctx)


def test_gate_fails_the_item_on_a_root_image_and_reports_it(pytester: pytest.Pytester) -> None:
    (pytester.path / "Dockerfile").write_text(BAD, "utf-8")
    result = pytester.runpytest(
        "--readiness", "--readiness-only", "--readiness-select", "container",
        "--readiness-report", "r.json",
    )  # fmt: skip
    result.assert_outcomes(failed=1)
    (record,) = read_report(pytester.path / "r.json")["checks"]
    assert (record["id"], record["outcome"], record["category"]) == (
        "container",
        "failed",
        "operations",
    )
    assert {"root-user", "secret-in-image"} <= {f["rule"] for f in record["findings"]}


def test_build_files_under_test_directories_are_counted_not_checked(tmp_path: Path) -> None:
    ctx = project(
        tmp_path,
        {"Dockerfile": MINIMAL, "tests/docker/Dockerfile": BAD, "pkg/testing/Dockerfile": BAD},
    )

    default = run(ContainerCheck, ctx)
    configured = run(ContainerCheck, ctx, not_production=[])

    assert default.findings == []
    assert default.metrics["build_files_left_out"] == 2
    assert "2 under test, example or docs directories left out" in default.summary
    assert {f.path for f in configured.findings} == {
        "tests/docker/Dockerfile",
        "pkg/testing/Dockerfile",
    }


def test_only_test_fixtures_is_a_skip_that_says_so(tmp_path: Path) -> None:
    ctx = project(tmp_path, {"tests/docker/Dockerfile": BAD})

    with pytest.raises(CheckSkipped, match="1 under test, example or docs directories left out"):
        run(ContainerCheck, ctx)


def test_base_images_float_unless_a_tag_names_one_release(tmp_path: Path) -> None:
    text = """
        FROM python:3.12-slim AS build
        FROM postgres:alpine3.14 AS db
        FROM debian:bookworm-20240926 AS os
        FROM python:3 AS tools
        FROM postgres:16.4
        HEALTHCHECK CMD ["pg_isready"]
    """
    result = run(ContainerCheck, project(tmp_path, {"Dockerfile": text}))
    found = [(f.rule, f.line, f.message) for f in result.findings]
    assert found == [
        (
            "unpinned-base-image",
            1,
            "base image 'python:3.12-slim' is not pinned ('3.12-slim' is a minor version: "
            "each pull may bring a newer 3.12.x): rebuilds can change what runs",
        ),
        (
            "unpinned-base-image",
            2,
            "base image 'postgres:alpine3.14' is not pinned ('alpine3.14' names the OS or a "
            "variant, not a postgres version): rebuilds can change what runs",
        ),
        (
            "unpinned-base-image",
            4,
            "base image 'python:3' is not pinned ('3' is a major version: each pull may bring "
            "a newer 3.x): rebuilds can change what runs",
        ),
    ]
    in_house = "FROM registry.example.com/base/db:4.2\nUSER app\nHEALTHCHECK CMD true\n"
    ctx = project(tmp_path, {"Dockerfile": in_house})
    assert rules(run(ContainerCheck, ctx)) == ["unpinned-base-image"]
    assert (
        run(ContainerCheck, ctx, two_part_versions=["registry.example.com/base/db"]).findings == []
    )


@pytest.mark.parametrize(
    ("tail", "root"),
    [
        ("", False),
        ('CMD ["postgres", "-c", "max_connections=200"]\n', False),
        ('CMD ["-c", "shared_buffers=256MB"]\n', False),
        ('CMD ["bash"]\n', True),
        ("CMD postgres -c max_connections=200\n", True),
        ('ENTRYPOINT ["/app/start.sh"]\nCMD ["postgres"]\n', True),
        ("USER root\n", True),
    ],
)
def test_an_official_image_that_leaves_root_runs_its_server_unprivileged(
    tmp_path: Path, tail: str, root: bool
) -> None:
    text = "FROM postgres:16.4\nHEALTHCHECK CMD pg_isready\n" + tail
    result = run(ContainerCheck, project(tmp_path, {"Dockerfile": text}))
    assert rules(result) == (["root-user"] if root else [])


def test_privilege_drop_follows_the_stages_and_trusts_only_the_official_image(
    tmp_path: Path,
) -> None:
    staged = (
        "FROM mirror.example.com/library/redis:7.4.1 AS cache\nCOPY redis.conf /etc/redis.conf\n"
        'FROM cache\nCMD ["/etc/redis.conf"]\nHEALTHCHECK CMD redis-cli ping\n'
    )
    assert run(ContainerCheck, project(tmp_path, {"Dockerfile": staged})).findings == []
    lookalike = "FROM myorg/postgres:16.4.1\nHEALTHCHECK CMD pg_isready\n"
    result = run(ContainerCheck, project(tmp_path, {"Dockerfile": lookalike}))
    assert rules(result) == ["root-user"]
