"""Measure the project's tests with coverage.py, in whichever role this pytest process plays.

As in pytest-cov's engine, each role is one class: `SingleProcess` (no pytest-xdist),
`XdistController` (hands workers a data directory, collects what they saved, combines),
`XdistWorker` (measures its share, saves, reports its data file back) and `PytestCovReader`
(pytest-cov measures already; read its combined data rather than trace the tests twice).
`choose_role` is the one place that tells them apart.

The controller-side roles are `Measurement`s: the deferred check calls `combined()` once every
worker has finished. A worker that went down without reporting its data file is an error there,
never silently less coverage. Data files live in a temporary directory, not in the project.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import coverage
import pytest
from coverage.exceptions import ConfigError

from pytest_readiness.check import CheckError
from pytest_readiness.checks.coverage.early import EARLY_TRACER
from pytest_readiness.checks.coverage.notices import RunNotices, caught
from pytest_readiness.checks.coverage.project_config import new_coverage
from pytest_readiness.checks.coverage.settings import CoverageSettings

ARTIFACT = "coverage"
"""The key under which the controller's `Measurement` waits in the run's artifacts."""
WORKER_INPUT = "readiness_coverage_dir"
WORKER_OUTPUT = "readiness_coverage_data"
WORKER_NOTICES = "readiness_coverage_warnings"


@runtime_checkable
class Measurement(Protocol):
    def combined(self) -> coverage.Coverage:
        """All the run's data in one Coverage object; CheckError when some is missing."""
        ...

    def notices(self) -> RunNotices:
        """coverage.py's warnings in this run, to be judged against the combined data."""
        ...


def combine(
    data_files: list[Path], settings: CoverageSettings, data_dir: Path, notices: list[str]
) -> coverage.Coverage:
    """Merge the saved data files, with the project's `[paths]` remapping, into one object."""
    if not data_files:
        raise CheckError("no coverage data was recorded: did any test run?")
    with caught(notices):
        cov = new_coverage(settings, data_dir / ".coverage")
        try:
            cov.combine(data_paths=[str(path) for path in data_files], strict=True, keep=True)
        except coverage.CoverageException as error:
            raise CheckError(f"coverage data could not be combined: {error}") from error
    return cov


class Tracer:
    """One process's coverage.py measurement, from start to its saved data file."""

    def __init__(self, settings: CoverageSettings, data_dir: Path, *, start: bool = True) -> None:
        self.data_dir = data_dir
        self.notices: list[str] = []
        """coverage.py's warnings in this process, kept from the project's warning filters."""
        with caught(self.notices):
            self.cov = new_coverage(settings, data_dir / ".coverage")
        self.running = False
        self.data_file: Path | None = None
        if start:
            self.start()

    @property
    def sysmon(self) -> bool:
        """Whether `sys.monitoring` traces: then code that is not measured costs next to nothing."""
        try:
            return self.cov.get_option("run:core") == "sysmon"
        except (ConfigError, coverage.CoverageException):  # coverage.py before 7.9 has no `core`
            return False

    def start(self) -> None:
        with caught(self.notices):
            self.cov.start()
        self.running = True

    def finish(self) -> Path | None:
        """Stop and save; the data file, or None when nothing was recorded."""
        if self.running:
            self.running = False
            with caught(self.notices):
                self.cov.stop()
                self.cov.save()
            saved = Path(self.cov.get_data().data_filename())
            self.data_file = saved if saved.exists() else None
        return self.data_file


def adopt_early_tracer(config: pytest.Config) -> Tracer | None:
    tracer = config.stash.get(EARLY_TRACER, None)
    if tracer is not None:
        del config.stash[EARLY_TRACER]
    return tracer


class CentralMeasurement:
    """What the single process and the xdist controller share: a data directory they own,
    the tracer of their own process, and the combining of every data file in the directory."""

    def __init__(self, settings: CoverageSettings) -> None:
        self.settings = settings
        self.data_dir: Path | None = None
        self.tracer: Tracer | None = None
        self.combining: list[str] = []

    def own_data_dir(self, config: pytest.Config, *, trace: bool) -> Path:
        """The directory, taken over from an early tracer or made now (with a tracer if asked)."""
        self.tracer = adopt_early_tracer(config)
        if self.tracer is not None:
            return self.tracer.data_dir
        data_dir = Path(tempfile.mkdtemp(prefix="readiness-coverage-"))
        if trace:
            self.tracer = Tracer(self.settings, data_dir)
        return data_dir

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        try:
            return (yield)
        finally:
            if self.tracer is not None:
                self.tracer.finish()

    def combine_directory(self, expected: list[Path]) -> coverage.Coverage:
        """Combine `expected` files plus any other in the directory (subprocesses, this one)."""
        if self.data_dir is None:
            raise CheckError("coverage measurement never started")
        if self.tracer is not None:
            self.tracer.finish()
        found = set(self.data_dir.glob(".coverage.*"))
        return combine(sorted(found | set(expected)), self.settings, self.data_dir, self.combining)

    def own_notices(self) -> list[list[str]]:
        return [self.tracer.notices] if self.tracer is not None else []

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.tracer is not None:
            self.tracer.finish()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)


class SingleProcess(CentralMeasurement):
    """No pytest-xdist: trace this process, combine its data file (and any subprocesses')."""

    def pytest_configure(self, config: pytest.Config) -> None:
        self.data_dir = self.own_data_dir(config, trace=True)

    def combined(self) -> coverage.Coverage:
        return self.combine_directory([])

    def notices(self) -> RunNotices:
        return RunNotices(self.own_notices(), self.combining)


class XdistController(CentralMeasurement):
    """The pytest-xdist controller hands out the data directory, collects and combines.

    It runs no test, but when started early it traces its own import of the conftest files,
    whose module-level lines the workers run before their tracers start (as pytest-cov does).
    """

    def __init__(self, settings: CoverageSettings) -> None:
        super().__init__(settings)
        self.data_files: list[Path] = []
        self.worker_notices: list[list[str]] = []
        self.lost_workers: list[str] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        self.data_dir = self.own_data_dir(config, trace=False)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKER_INPUT] = str(self.data_dir)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        output: dict[str, Any] = getattr(node, "workeroutput", None) or {}
        if WORKER_OUTPUT not in output:
            reason = f" ({error})" if error else ""
            self.lost_workers.append(f"{node.gateway.id}{reason}")
        elif output[WORKER_OUTPUT]:
            self.data_files.append(Path(output[WORKER_OUTPUT]))
            self.worker_notices.append(list(output.get(WORKER_NOTICES, [])))

    def combined(self) -> coverage.Coverage:
        if self.lost_workers:
            raise CheckError(
                f"pytest-xdist worker(s) {', '.join(self.lost_workers)} ended without saving "
                "coverage data, so the tests they ran are not measured"
            )
        if not self.data_files:
            raise CheckError("no pytest-xdist worker reported coverage data")
        return self.combine_directory(self.data_files)

    def notices(self) -> RunNotices:
        return RunNotices(self.own_notices() + self.worker_notices, self.combining)


class XdistWorker:
    """A pytest-xdist worker: trace the tests it runs, save, and tell the controller the file."""

    def __init__(self, settings: CoverageSettings) -> None:
        self.settings = settings
        self.tracer: Tracer | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        data_dir = config.workerinput.get(WORKER_INPUT)  # type: ignore[attr-defined]
        if data_dir is not None:
            self.tracer = Tracer(self.settings, Path(data_dir))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        """Save before xdist's `pytest_sessionfinish` sends `workeroutput` to the controller."""
        try:
            return (yield)
        finally:
            if self.tracer is not None:
                data_file = self.tracer.finish()
                output = session.config.workeroutput  # type: ignore[attr-defined]
                output[WORKER_OUTPUT] = str(data_file or "")
                output[WORKER_NOTICES] = self.tracer.notices


class PytestCovReader:
    """pytest-cov (`--cov`) is measuring: use its combined data, as its report does."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def combined(self) -> coverage.Coverage:
        plugin = self.config.pluginmanager.getplugin("_cov")
        controller = getattr(plugin, "cov_controller", None)
        cov = getattr(controller, "cov", None)
        if cov is None:
            raise CheckError("pytest-cov is active but holds no coverage data")
        failed = getattr(controller, "failed_workers", [])
        if failed:
            names = ", ".join(str(node.gateway.id) for node in failed)
            raise CheckError(
                f"pytest-xdist worker(s) {names} returned no coverage data to pytest-cov"
            )
        assert isinstance(cov, coverage.Coverage)
        return cov

    def notices(self) -> RunNotices:
        """pytest-cov shows its own processes' warnings; nothing is left here to judge."""
        return RunNotices()


def pytest_cov_active(config: pytest.Config) -> bool:
    return config.pluginmanager.hasplugin("_cov") and not config.getoption("no_cov", False)


def distributing(config: pytest.Config) -> bool:
    """The same test pytest-xdist uses to decide whether this process is a controller."""
    return (
        config.getoption("dist", "no") != "no"
        and bool(config.getoption("tx", None))
        and not config.getoption("collectonly", False)
    )


def choose_role(config: pytest.Config, settings: CoverageSettings) -> object | None:
    """The role object for this process, or None where another tool does the work."""
    is_worker = hasattr(config, "workerinput")
    if pytest_cov_active(config):
        return None if is_worker else PytestCovReader(config)
    if is_worker:
        return XdistWorker(settings)
    if distributing(config):
        return XdistController(settings)
    return SingleProcess(settings)


class CoverageSession:
    """What the gate registers in every process: picks the role and hands it to pytest."""

    def __init__(self, settings: CoverageSettings, artifacts: dict[str, Any]) -> None:
        self.settings = settings
        self.artifacts = artifacts

    def pytest_configure(self, config: pytest.Config) -> None:
        role = choose_role(config, self.settings)
        if role is None:
            return
        config.pluginmanager.register(role, f"readiness-coverage-{type(role).__name__}")
        if isinstance(role, Measurement):
            self.artifacts[ARTIFACT] = role
