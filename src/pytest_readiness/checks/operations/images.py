"""Container image references (`registry:5000/team/app:1.2.3@sha256:...`) split into their parts.

Both the Dockerfile `FROM` lines and the Kubernetes `image:` fields name images the same way;
whether an image is pinned is decided here once so the two checks agree.
"""

from __future__ import annotations

from dataclasses import dataclass

DIGEST_PREFIX = "sha256:"


@dataclass(frozen=True)
class ImageReference:
    name: str
    tag: str | None
    digest: str | None

    @property
    def pinned_by_digest(self) -> bool:
        return self.digest is not None and self.digest.startswith(DIGEST_PREFIX)

    def floating(self, floating_tags: frozenset[str]) -> bool:
        """Whether the reference can move under the same text: no digest and no exact tag."""
        if self.pinned_by_digest:
            return False
        return self.tag is None or self.tag.lower() in floating_tags


def parse_image_reference(text: str) -> ImageReference:
    """Split a reference; a colon before the last `/` belongs to a registry port, not a tag."""
    reference, _, digest = text.strip().partition("@")
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash:
        return ImageReference(reference[:colon], reference[colon + 1 :] or None, digest or None)
    return ImageReference(reference, None, digest or None)
