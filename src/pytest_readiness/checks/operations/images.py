"""Container image references (`registry:5000/team/app:1.2.3@sha256:...`) split into their parts.

Both the Dockerfile `FROM` lines and the Kubernetes `image:` fields name images the same way;
whether an image is pinned is decided here once, with the reason, so the two checks agree.
A tag pins when it names one release: a full version (`3.12.7-slim`), a major.minor version
for images numbered that way (`postgres:16.4`), a calendar version (`2024.11`), a date stamp
(`bookworm-20240926`) or a commit. Anything shorter names a series that moves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

DIGEST_PREFIX = "sha256:"
OFFICIAL_NAMESPACE = "library"
"""Where Docker puts a bare name: `postgres` is `library/postgres`, the official image."""

TWO_PART_VERSIONS = {"postgres": 10, "debian": 7, "ubuntu": 0}
"""Official images whose releases are numbered major.minor, and the first major numbered so:
PostgreSQL since 10 (`16.4`; `9.3` was a series of 9.3.x), Debian point releases since 7
(`12.7`), Ubuntu (`22.04`)."""

_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)")
_YEAR = re.compile(r"(?:19|20)\d\d")
_DATE_STAMP = re.compile(
    r"(?:^|[-_.])(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?=$|[-_.])"
)
_COMMIT = re.compile(r"(?:sha-|git-)?(?=[0-9a-f]*\d)[0-9a-f]{7,40}")


def docker_name(name: str) -> str:
    """The repository as Docker resolves it: `postgres` is `library/postgres`.

    A name whose first part is a registry (`host.domain/`, `host:port/`, `localhost/`) is that
    registry's, unless its path is `library/<name>`: a mirror of the default registry keeps
    that path, and so names the official image.
    """
    parts = name.lower().split("/")
    if len(parts) == 1:
        return f"{OFFICIAL_NAMESPACE}/{parts[0]}"
    first = parts[0]
    if "." in first or ":" in first or first == "localhost":
        path = parts[1:]
        official = len(path) == 2 and path[0] == OFFICIAL_NAMESPACE
        return "/".join(path) if official else "/".join(parts)
    return "/".join(parts)


@dataclass(frozen=True)
class Pinning:
    """Whether a reference names one image for good, and why (said in the finding)."""

    pinned: bool
    reason: str


@dataclass(frozen=True)
class PinningRules:
    floating_tags: frozenset[str]
    two_part_versions: dict[str, int]
    """Repositories (as `docker_name` spells them) whose major.minor tags pin, from which major."""

    @classmethod
    def from_settings(
        cls, floating_tags: Iterable[str], two_part_versions: Iterable[str]
    ) -> PinningRules:
        since = {docker_name(name): 0 for name in two_part_versions}
        since.update((docker_name(name), major) for name, major in TWO_PART_VERSIONS.items())
        return cls(frozenset(tag.lower() for tag in floating_tags), since)


@dataclass(frozen=True)
class ImageReference:
    name: str
    tag: str | None
    digest: str | None

    @property
    def pinned_by_digest(self) -> bool:
        return self.digest is not None and self.digest.startswith(DIGEST_PREFIX)

    @property
    def product(self) -> str:
        """The last part of the name: `postgres` of `registry.example.com/db/postgres`."""
        return self.name.rsplit("/", 1)[-1]

    def pinning(self, rules: PinningRules) -> Pinning:
        if self.pinned_by_digest:
            return Pinning(True, "pinned by digest")
        if self.tag is None:
            return Pinning(False, "no tag means 'latest', which moves with every release")
        if self.tag.lower() in rules.floating_tags:
            return Pinning(False, f"{self.tag!r} is a moving tag")
        since = rules.two_part_versions.get(docker_name(self.name))
        return classify_tag(self.tag, self.product, two_part_since=since)


def classify_tag(tag: str, product: str, *, two_part_since: int | None = None) -> Pinning:
    """Whether the tag names one release of `product`.

    `two_part_since`: the first major from which `product` numbers releases major.minor (so
    `16.4` is one release); None when it does not.
    """
    lowered = tag.lower()
    if _DATE_STAMP.search(lowered):
        return Pinning(True, f"{tag!r} is date-stamped")
    if _COMMIT.fullmatch(lowered):
        return Pinning(True, f"{tag!r} names a commit")
    version = _VERSION.match(lowered)
    if version is None:
        if any(character.isdigit() for character in lowered):
            return Pinning(False, f"{tag!r} names the OS or a variant, not a {product} version")
        return Pinning(False, f"{tag!r} names no {product} version: it moves with every release")
    parts = version.group(1).split(".")
    if len(parts) >= 3:
        return Pinning(True, f"{tag!r} names an exact release")
    if len(parts) == 2 and two_part_since is not None and int(parts[0]) >= two_part_since:
        return Pinning(True, f"{tag!r} names an exact {product} release (numbered major.minor)")
    if len(parts) == 2 and _YEAR.fullmatch(parts[0]):
        return Pinning(True, f"{tag!r} is a calendar version")
    kind = "major" if len(parts) == 1 else "minor"
    series = ".".join(parts)
    return Pinning(False, f"{tag!r} is a {kind} version: each pull may bring a newer {series}.x")


def parse_image_reference(text: str) -> ImageReference:
    """Split a reference; a colon before the last `/` belongs to a registry port, not a tag."""
    reference, _, digest = text.strip().partition("@")
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash:
        return ImageReference(reference[:colon], reference[colon + 1 :] or None, digest or None)
    return ImageReference(reference, None, digest or None)
