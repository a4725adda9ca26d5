"""pytest-readiness: a production-readiness review as pytest tests, with a gate verdict."""

from pytest_readiness.check import Check, CheckContext, CheckError, CheckSkipped
from pytest_readiness.items import ReadinessRiskWarning
from pytest_readiness.model import Category, CheckResult, Finding, Outcome, Severity
from pytest_readiness.verdict import Verdict

__version__ = "0.1.0"

__all__ = [
    "Category",
    "Check",
    "CheckContext",
    "CheckError",
    "CheckResult",
    "CheckSkipped",
    "Finding",
    "Outcome",
    "ReadinessRiskWarning",
    "Severity",
    "Verdict",
    "__version__",
]
