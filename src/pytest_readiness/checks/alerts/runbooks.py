"""Does an alert's runbook link lead somewhere? URLs are taken as given (no network here);
a repository path must exist inside the project, and a `#heading` anchor must name a heading
of that document, read with the `runbook` check's outline reader."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_readiness.checks.operations import outline
from pytest_readiness.reading import read_text

URL_SCHEMES = ("http://", "https://")


def anchor_of(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def runbook_problem(link: str, rule_file: Path, rootdir: Path) -> str | None:
    """Why `link` does not lead to a runbook, or None when it does (or is a URL)."""
    if link.startswith(URL_SCHEMES):
        return None
    target, _, anchor = link.partition("#")
    root = rootdir.resolve()
    candidates = [(root / target).resolve(), (rule_file.parent / target).resolve()]
    inside = [path for path in candidates if path.is_relative_to(root)]
    if not inside:
        return f"runbook {link!r} points outside the project"
    document = next((path for path in inside if path.is_file()), None)
    if document is None:
        return f"runbook {link!r} does not exist in the project"
    if not anchor:
        return None
    try:
        text = read_text(document, errors="replace")
    except OSError as error:
        return f"runbook {link!r} cannot be read: {error}"
    anchors = {anchor_of(section.title) for section in outline.parse(text).sections}
    if anchor.lower() not in anchors:
        return f"runbook {link!r}: {target} has no heading #{anchor}"
    return None
