"""Prove, as ordinary tests, that outbound calls time out and retry correctly.

A scripted misbehaving server (`FaultServer`), a TCP fault proxy in front of any dependency
(`FaultProxy` and its toxics), backoff models of the common retry libraries, assertions that read
the server's or the proxy's record (retries, timeouts, circuit breakers), and hypothesis
strategies of fault schedules.
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
from pytest_readiness.resilience.breakers import Call, assert_circuit_breaker, calls_of
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
from pytest_readiness.resilience.proxy import FaultProxy
from pytest_readiness.resilience.proxy_record import Connection, ProxyRecord
from pytest_readiness.resilience.record import Exchange, Record
from pytest_readiness.resilience.retries import Tolerance, assert_no_unsafe_retries, assert_retries
from pytest_readiness.resilience.server import FaultServer
from pytest_readiness.resilience.strategies import failures, fault_schedules
from pytest_readiness.resilience.timeouts import Finished, assert_finishes, assert_times_out
from pytest_readiness.resilience.toxics import (
    Bandwidth,
    BlackHole,
    Down,
    Latency,
    LimitData,
    ResetPeer,
    Slicer,
    SlowClose,
    Toxic,
)

__all__ = [
    "Backoff",
    "Bandwidth",
    "BlackHole",
    "Bounds",
    "Call",
    "Close",
    "Connection",
    "Constant",
    "DecorrelatedJitter",
    "Down",
    "EqualJitter",
    "Exchange",
    "Expectation",
    "Fault",
    "FaultProxy",
    "FaultServer",
    "Finished",
    "FullJitter",
    "Hang",
    "Latency",
    "LimitData",
    "ProxyRecord",
    "Record",
    "Reset",
    "ResetPeer",
    "Respond",
    "RetryAfter",
    "Script",
    "Slicer",
    "SlowBody",
    "SlowClose",
    "TenacityExponential",
    "TenacityExponentialJitter",
    "TenacityRandomExponential",
    "Tolerance",
    "Toxic",
    "Truncate",
    "UrllibRetry",
    "assert_circuit_breaker",
    "assert_finishes",
    "assert_no_unsafe_retries",
    "assert_retries",
    "assert_schedule_outcome",
    "assert_times_out",
    "calls_of",
    "failures",
    "fault_schedules",
]
