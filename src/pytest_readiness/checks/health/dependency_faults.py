"""The faults a health entry puts on its dependency: each applied, then lifted again.

`down` stops the stand-in process and starts it again on its port. `slow` and `black-hole` need
no process to die: a `FaultProxy` between the service and the stand-in holds every answer longer
than the service should wait, or swallows the requests so that nothing ever comes back — the
faults only a timeout on the service's own call survives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pytest_readiness.checks.health.settings import DependencyFaultName
from pytest_readiness.resilience.proxy import FaultProxy
from pytest_readiness.resilience.toxics import BlackHole, Latency, Toxic
from pytest_readiness.runner import Service


class DependencyFault(Protocol):
    """A fault on the dependency, applied and then lifted before the next one."""

    name: DependencyFaultName

    @property
    def condition(self) -> str:
        """The dependency's state while faulted, for "while its dependency is ..."."""

    @property
    def lifted(self) -> str:
        """How the fault ended, for "after its dependency came back (...)"."""

    def apply(self) -> None: ...

    def lift(self) -> None:
        """Raises StartupError when a stand-in does not come back."""


@dataclass
class StandInStopped:
    """`down`: the stand-in process stopped, then started again on its own port."""

    stand_in: Service
    port: int
    restart_timeout_s: float
    """How long the stand-in may take to listen again: its start is not the service's delay."""
    name: DependencyFaultName = field(default="down", init=False)
    condition: str = field(default="down", init=False)
    lifted: str = field(default="the stand-in restarted", init=False)

    def apply(self) -> None:
        self.stand_in.stop()

    def lift(self) -> None:
        self.stand_in.start()
        self.stand_in.wait_until_accepting(self.port, self.restart_timeout_s)


@dataclass
class ProxyFault:
    """`slow` or `black-hole`: a toxic on the proxy in front of the stand-in, then cleared."""

    proxy: FaultProxy
    name: DependencyFaultName
    toxic: Toxic
    condition: str

    @property
    def lifted(self) -> str:
        return f'fault "{self.name}" cleared'

    def apply(self) -> None:
        self.proxy.set(self.toxic)

    def lift(self) -> None:
        self.proxy.clear()


def proxy_fault(proxy: FaultProxy, name: DependencyFaultName, slow_s: float) -> ProxyFault:
    """The proxy's toxic for a configured fault name (`slow` or `black-hole`)."""
    if name == "slow":
        return ProxyFault(
            proxy,
            name,
            Latency(slow_s, direction="downstream"),
            f'slow (fault "slow": every answer held {slow_s:g} s)',
        )
    if name == "black-hole":
        return ProxyFault(
            proxy,
            name,
            BlackHole(direction="both"),
            'silent (fault "black-hole": requests accepted, never answered)',
        )
    raise ValueError(f"{name!r} is not a proxy fault")
