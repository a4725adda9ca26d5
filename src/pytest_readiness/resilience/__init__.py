"""Prove, as ordinary tests, that outbound calls time out and retry correctly.

A scripted misbehaving server (`FaultServer`), backoff models of the common retry libraries,
assertions that read the server's record, and hypothesis strategies of fault schedules.
"""

from pytest_readiness.resilience.backoff import (
    Backoff,
    Bounds,
    Constant,
    DecorrelatedJitter,
    EqualJitter,
    FullJitter,
    TenacityExponential,
    TenacityExponentialJitter,
    TenacityRandomExponential,
    UrllibRetry,
)
from pytest_readiness.resilience.faults import (
    Close,
    Expectation,
    Fault,
    Hang,
    Reset,
    Respond,
    RetryAfter,
    Script,
    SlowBody,
    Truncate,
)
from pytest_readiness.resilience.properties import assert_schedule_outcome
from pytest_readiness.resilience.record import Exchange, Record
from pytest_readiness.resilience.retries import Tolerance, assert_no_unsafe_retries, assert_retries
from pytest_readiness.resilience.server import FaultServer
from pytest_readiness.resilience.strategies import failures, fault_schedules
from pytest_readiness.resilience.timeouts import Finished, assert_finishes, assert_times_out

__all__ = [
    "Backoff",
    "Bounds",
    "Close",
    "Constant",
    "DecorrelatedJitter",
    "EqualJitter",
    "Exchange",
    "Expectation",
    "Fault",
    "FaultServer",
    "Finished",
    "FullJitter",
    "Hang",
    "Record",
    "Reset",
    "Respond",
    "RetryAfter",
    "Script",
    "SlowBody",
    "TenacityExponential",
    "TenacityExponentialJitter",
    "TenacityRandomExponential",
    "Tolerance",
    "Truncate",
    "UrllibRetry",
    "assert_finishes",
    "assert_no_unsafe_retries",
    "assert_retries",
    "assert_schedule_outcome",
    "assert_times_out",
    "failures",
    "fault_schedules",
]
