"""`[tool.readiness.coverage]`: the thresholds the project's measured coverage is held to.

`fail_under`, `precision` and `branch` default to what coverage.py's own configuration says
(`[tool.coverage.report]` / `.coveragerc`), so a project that already set them gets the same
answer from the gate as from `coverage report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

MAX_PRECISION = 10


@dataclass
class CoverageSettings:
    fail_under: float | None = None
    """Minimum total percent; unset means coverage.py's `[report] fail_under`, or 80 (the
    review's default) when that is unset too."""
    file_minimum: float | None = None
    """Minimum percent for every measured file; unset means no per-file rule."""
    branch: bool | None = None
    """Count branches; unset means whatever coverage.py's `[run] branch` measured."""
    include: list[str] = field(default_factory=list)
    """Only report files matching these globs (relative to the rootdir); empty: coverage's own."""
    omit: list[str] = field(default_factory=list)
    """Leave out files matching these globs (relative to the rootdir); empty: coverage's own."""
    precision: int | None = None
    """Decimals shown and compared; unset means coverage.py's `[report] precision` (default 0)."""
    baseline: str = ".readiness/coverage-baseline.json"
    """The ratchet file, relative to the rootdir; the ratchet applies once it exists."""
    tolerance: float = 0.0
    """Percentage points the total may fall below the baseline before the check fails."""
    critical_paths: dict[str, float] = field(default_factory=dict)
    """Globs (relative to the rootdir) of critical code, each with the minimum percent its
    files must reach together, e.g. `{"src/pay/*" = 85}`."""

    def validate(self) -> None:
        for name in ("fail_under", "file_minimum"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                raise ValueError(f"{name} must be between 0 and 100, got {value}")
        for pattern, minimum in self.critical_paths.items():
            if not 0 <= minimum <= 100:
                raise ValueError(f"critical_paths.{pattern} must be between 0 and 100")
        if self.precision is not None and not 0 <= self.precision <= MAX_PRECISION:
            raise ValueError(f"precision must be between 0 and {MAX_PRECISION}")
        if not 0 <= self.tolerance <= 100:
            raise ValueError(f"tolerance must be between 0 and 100, got {self.tolerance}")
        baseline = PurePosixPath(self.baseline)
        if not self.baseline or baseline.is_absolute() or ".." in baseline.parts:
            raise ValueError("baseline must be a path inside the project, relative to the rootdir")
