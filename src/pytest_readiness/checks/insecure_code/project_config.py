"""The project's own bandit configuration, found where bandit users keep it.

A project that already tuned bandit (skipped tests, excluded directories, plugin options) must get
the same answer from the gate as from `bandit -r`, so the check reads, in this order:
the `config` setting, the `configfile` named in `.bandit`, `[tool.bandit]` in `pyproject.toml`;
and from `.bandit` (an INI file with a `[bandit]` section) its `skips`, `tests`, `exclude` and
`targets`, as bandit's command line does.
"""

from __future__ import annotations

import configparser
import dataclasses
import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pytest_readiness.cache import content_key
from pytest_readiness.check import CheckError
from pytest_readiness.checks.insecure_code.bandit_api import bandit
from pytest_readiness.reading import read_bytes, read_text


@dataclass(frozen=True)
class BanditSetup:
    """What bandit needs to run as the project configured it; plain data for worker processes."""

    config_file: str | None = None
    """Absolute path of a YAML or TOML bandit config, None for bandit's defaults."""
    tests: tuple[str, ...] = ()
    """Test ids to run (all when empty): the config file's `tests` plus `.bandit`'s."""
    skips: tuple[str, ...] = ()
    excluded_paths: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    written_targets: tuple[str, ...] = ()
    """`targets` as `.bandit` spells them (`./src`): bandit matches excludes on paths built so."""
    config_digest: str = ""

    def profile(self) -> dict[str, set[str]]:
        """Bandit's test selection, as `BanditManager(profile=...)` takes it."""
        return {"include": set(self.tests), "exclude": set(self.skips)}

    def excludes(self, path: str) -> bool:
        """Bandit's rule: a glob match, or the pattern as a substring, of the path bandit sees."""
        seen = self.bandit_path(path)
        for pattern in self.excluded_paths:
            cleaned = pattern.strip()
            if cleaned and (fnmatch.fnmatch(seen, cleaned) or cleaned in seen):
                return True
        return False

    def bandit_path(self, path: str) -> str:
        """The path as `bandit -r <target>` walks to it: `./src/a.py` under the default `.`."""
        for written in self.written_targets or (".",):
            root = written.rstrip("/") or "."
            clean = root.removeprefix("./") if root != "." else "."
            if clean == ".":
                return f"{root}/{path}"
            if path == clean or path.startswith(f"{clean}/"):
                return root + path[len(clean) :]
        return path


def discover(rootdir: Path, explicit: str = "") -> BanditSetup:
    """Read the project's bandit configuration; a broken one stops the check (fail closed)."""
    ini = _read_ini(rootdir / ".bandit")
    config_file = _config_file(rootdir, explicit, ini.get("configfile", ""))
    options = _ConfigOptions()
    digest_parts: list[bytes] = []
    if config_file is not None:
        options = _read_config(config_file)
        digest_parts.append(read_bytes(config_file))
    setup = BanditSetup(
        config_file=str(config_file) if config_file is not None else None,
        tests=tuple(sorted({*options.tests, *_split(ini.get("tests", ""))})),
        skips=tuple(sorted({*options.skips, *_split(ini.get("skips", ""))})),
        excluded_paths=(*options.exclude_dirs, *_split(ini.get("exclude", ""))),
        targets=tuple(
            target.removeprefix("./").rstrip("/") or "."
            for target in _split(ini.get("targets", ""))
        ),
        written_targets=_split(ini.get("targets", "")),
    )
    _validate_profile(setup)
    digest = content_key(repr(setup), *digest_parts)
    return dataclasses.replace(setup, config_digest=digest)


def _read_ini(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
        return dict(parser.items("bandit"))
    except (configparser.Error, UnicodeDecodeError) as error:
        raise CheckError(f".bandit cannot be read: {error}") from error


def _config_file(rootdir: Path, explicit: str, from_ini: str) -> Path | None:
    for named, origin in ((explicit, "the `config` setting"), (from_ini, ".bandit's configfile")):
        if named:
            path = rootdir / named
            if not path.is_file():
                raise CheckError(f"bandit config {named!r} named by {origin} does not exist")
            return path
    pyproject = rootdir / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(read_text(pyproject))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise CheckError(f"pyproject.toml cannot be read: {error}") from error
        if isinstance(data.get("tool"), dict) and "bandit" in data["tool"]:
            return pyproject
    return None


@dataclass(frozen=True)
class _ConfigOptions:
    exclude_dirs: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    skips: tuple[str, ...] = ()


def _read_config(config_file: Path) -> _ConfigOptions:
    try:
        config = bandit().config.BanditConfig(config_file=str(config_file))
    except bandit().utils.ConfigError as error:
        raise CheckError(f"bandit config {config_file.name} is invalid: {error}") from error
    values: dict[str, tuple[str, ...]] = {}
    for option in ("exclude_dirs", "tests", "skips"):
        value = config.get_option(option) or []
        if not isinstance(value, list):
            raise CheckError(f"bandit config {config_file.name}: {option} must be a list")
        values[option] = tuple(str(entry) for entry in value)
    return _ConfigOptions(**values)


def _validate_profile(setup: BanditSetup) -> None:
    profile = setup.profile()
    manager = bandit().extension_loader.MANAGER
    unknown = sorted(
        test for test in profile["include"] | profile["exclude"] if not manager.check_id(test)
    )
    if unknown:
        raise CheckError(f"bandit configuration names unknown tests: {', '.join(unknown)}")
    both = sorted(profile["include"] & profile["exclude"])
    if both:
        raise CheckError(f"bandit configuration both selects and skips: {', '.join(both)}")


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())
