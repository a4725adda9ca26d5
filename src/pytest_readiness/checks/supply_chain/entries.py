"""What the inventory is made of: requirements as declared, packages as locked.

Both carry the file and line they came from, because every finding and every parse error
points the user at the place to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

from packaging.requirements import Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from pytest_readiness.check import CheckError

Origin = Literal["runtime", "optional", "group", "requirements", "constraints"]
Source = Literal["registry", "vcs", "url", "local"]

_VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
_COMMIT = re.compile(r"^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$")
_TOML_LINE = re.compile(r"line (\d+)")


def bad_file(path: str, line: int | None, problem: str) -> CheckError:
    """The error for an input the checks cannot read, naming the file and line to fix."""
    where = path if line is None else f"{path}:{line}"
    return CheckError(f"{where}: {problem}")


def display_path(root: Path, path: Path) -> str:
    """Relative to the rootdir where possible, `/`-separated, as findings report paths."""
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def toml_error_line(error: Exception) -> int | None:
    """The line tomllib names in its message (Python 3.11 has no attribute for it)."""
    found = _TOML_LINE.search(str(error))
    return int(found.group(1)) if found else None


def is_pep440(version: str) -> bool:
    """Whether `version` can be ordered (and so looked up in an advisory's ranges)."""
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def applies_here(requirement: Requirement) -> bool:
    """Whether the requirement is installed on this interpreter and platform (no extra asked)."""
    return requirement.marker is None or requirement.marker.evaluate({"extra": ""})


def exact_version(requirement: Requirement) -> str | None:
    """The single version a specifier allows (`==1.2` or `===x`), or None for a range.

    `==1.*` is a range, not a pin, whatever it looks like.
    """
    specifiers = list(requirement.specifier)
    if len(specifiers) != 1:
        return None
    (specifier,) = specifiers
    if specifier.operator == "===":
        return specifier.version
    if specifier.operator == "==" and not specifier.version.endswith(".*"):
        return specifier.version
    return None


def immutable_url(url: str) -> bool:
    """Whether a direct reference names exactly one artifact: a VCS commit or a hashed archive."""
    parts = urlsplit(url)
    if url.startswith(_VCS_SCHEMES):
        _, _, revision = parts.path.rpartition("@")
        return bool(revision) and "/" not in revision and bool(_COMMIT.match(revision))
    fragment = parts.fragment
    return any(item.startswith(("sha256=", "sha384=", "sha512=")) for item in fragment.split("&"))


def archive_release(url: str) -> tuple[str, str] | None:
    """(name, version) from the wheel or sdist file name a URL ends in, None for anything else."""
    filename = PurePosixPath(urlsplit(url).path).name
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        elif filename.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(filename)
        else:
            return None
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return canonicalize_name(name), str(version)


def is_local_reference(text: str) -> bool:
    """A path or file URL: the project's own code or a vendored file, not a registry download."""
    return text.startswith((".", "/", "file:", "~")) or (
        "://" not in text and ("/" in text or "\\" in text)
    )


@dataclass(frozen=True)
class Declared:
    """A requirement as the project states it, in pyproject.toml or a requirements file."""

    text: str
    path: str
    line: int
    origin: Origin
    requirement: Requirement | None = None
    """None for a bare URL or path line, which is not PEP 508."""
    url: str | None = None
    group: str = ""
    hashes: tuple[str, ...] = ()
    editable: bool = False
    egg_name: str = ""

    @property
    def name(self) -> str:
        if self.requirement is not None:
            return canonicalize_name(self.requirement.name)
        if self.egg_name:
            return canonicalize_name(self.egg_name)
        release = archive_release(self.url or "")
        return release[0] if release else ""

    @property
    def version(self) -> str | None:
        if self.requirement is None or self.requirement.url:
            return None
        return exact_version(self.requirement)

    @property
    def direct_url(self) -> str | None:
        if self.requirement is not None and self.requirement.url:
            return self.requirement.url
        return self.url

    @property
    def local(self) -> bool:
        url = self.direct_url
        return url is not None and is_local_reference(url)


@dataclass(frozen=True)
class Locked:
    """One package entry of a lock file, resolved to a version and (usually) artifact hashes."""

    name: str
    version: str | None
    path: str
    line: int
    source: Source
    hashed: bool

    @property
    def local(self) -> bool:
        return self.source == "local"
