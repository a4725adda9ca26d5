"""`tests-pass`: the project's own tests are part of the verdict; any failure blocks."""

from __future__ import annotations

from pytest_readiness.check import TEST_RUN_ARTIFACT, Check, CheckContext, CheckError
from pytest_readiness.model import Category, CheckResult, Severity, TestRun


class TestsPassCheck(Check):
    __test__ = False

    id = "tests-pass"
    category = Category.QUALITY
    severity = Severity.HIGH
    description = "Every selected test of the project passed"
    deferred = True
    needs_test_run = True

    def run(self, ctx: CheckContext) -> CheckResult:
        run: TestRun = ctx.artifacts[TEST_RUN_ARTIFACT]
        if run.ran == 0:
            raise CheckError("no test of the project ran, so nothing vouches for its behaviour")
        result = CheckResult(metrics={key: float(value) for key, value in run.counts().items()})
        for failure in run.failures:
            result.findings.append(
                self.finding(
                    "test-failed",
                    f"{failure.nodeid}: {failure.message}",
                    path=failure.path,
                    line=failure.line,
                    fix=f"run `pytest {failure.nodeid}` and fix the test or the code",
                    key=failure.nodeid,
                )
            )
        result.summary = f"{run.passed} passed, {run.failed} failed, {run.errors} errors"
        return result
