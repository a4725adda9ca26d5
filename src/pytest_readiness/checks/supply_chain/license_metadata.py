"""A distribution's licence as its metadata states it, in the order the metadata specs rank them.

PEP 639's `License-Expression` is authoritative; older packages state their licence in trove
classifiers, and the oldest only in the free-text `License` field (a name, or the whole licence
text). The two older forms are mapped to SPDX ids by the tables below; what cannot be mapped
stays unknown, and the check reports it rather than guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import PackageMetadata

from pytest_readiness.checks.supply_chain.spdx import Expression, parse

CLASSIFIERS = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "BSD License": "BSD-3-Clause",
    "Apache Software License": "Apache-2.0",
    "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF-2.0",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "GNU General Public License (GPL)": "GPL-2.0-or-later",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Library or Lesser General Public License (LGPL)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "The Unlicense (Unlicense)": "Unlicense",
    "zlib/libpng License": "Zlib",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "Artistic License": "Artistic-2.0",
}
"""The trove classifier's last part (after `License ::` and `OSI Approved ::`) → SPDX id.
Ambiguous ones take the family's usual member (`BSD License` → BSD-3-Clause)."""
_UNINFORMATIVE = frozenset({"OSI Approved", "DFSG approved", "Freely Distributable"})

NAMES = {
    "mit": "MIT",
    "expat": "MIT",
    "bsd": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause",
    "modified bsd": "BSD-3-Clause",
    "3-clause bsd": "BSD-3-Clause",
    "bsd 3-clause": "BSD-3-Clause",
    "bsd-3": "BSD-3-Clause",
    "simplified bsd": "BSD-2-Clause",
    "2-clause bsd": "BSD-2-Clause",
    "bsd 2-clause": "BSD-2-Clause",
    "apache": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache2": "Apache-2.0",
    "apache software": "Apache-2.0",
    "apache software 2.0": "Apache-2.0",
    "asl 2": "Apache-2.0",
    "isc": "ISC",
    "psf": "PSF-2.0",
    "python software foundation": "PSF-2.0",
    "mpl 2.0": "MPL-2.0",
    "mozilla public 2.0": "MPL-2.0",
    "lgpl": "LGPL-2.0-or-later",
    "lgplv2": "LGPL-2.0-only",
    "lgplv2+": "LGPL-2.0-or-later",
    "lgplv3": "LGPL-3.0-only",
    "lgplv3+": "LGPL-3.0-or-later",
    "gpl": "GPL-2.0-or-later",
    "gplv2": "GPL-2.0-only",
    "gplv2+": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later",
    "agplv3": "AGPL-3.0-only",
    "agplv3+": "AGPL-3.0-or-later",
    "unlicense": "Unlicense",
    "public domain": "Unlicense",
}
"""Free-text licence names, lower-cased with "license", "version", "the", punctuation and
repeated words gone (`The MIT License (MIT)` is `mit`)."""

_TEXTS = (
    ("Permission is hereby granted, free of charge", "MIT"),
    ("Apache License", "Apache-2.0"),
    ("Neither the name", "BSD-3-Clause"),
    ("Redistribution and use in source and binary forms", "BSD-2-Clause"),
    ("GNU LESSER GENERAL PUBLIC LICENSE", "LGPL-3.0-or-later"),
    ("GNU AFFERO GENERAL PUBLIC LICENSE", "AGPL-3.0-or-later"),
    ("GNU GENERAL PUBLIC LICENSE", "GPL-3.0-or-later"),
    ("Mozilla Public License Version 2.0", "MPL-2.0"),
    ("Permission to use, copy, modify, and/or distribute this software", "ISC"),
)
"""A whole licence text pasted into `License`: a phrase only that licence has → its id."""
_NOISE = re.compile(r"\b(the|licen[cs]e[sd]?|version|v(?=\d))\b|[,()]", re.IGNORECASE)


@dataclass(frozen=True)
class LicenseReading:
    """What a distribution says about its licence, and where that was read."""

    source: str
    """`License-Expression`, `classifiers` or `License` (or `none`)."""
    raw: str
    expression: Expression | None
    """None: nothing stated, or not something that maps to SPDX."""


def read_license(metadata: PackageMetadata) -> LicenseReading:
    """The licence from PEP 639's field, else the trove classifiers, else the free text."""
    declared = _field(metadata, "License-Expression")
    if declared:
        return LicenseReading("License-Expression", str(declared), parse(str(declared)))
    classified = from_classifiers([str(item) for item in metadata.get_all("Classifier") or []])
    if classified.expression is not None:
        return classified
    free_text = (_field(metadata, "License") or "").strip()
    if free_text and free_text.upper() not in ("UNKNOWN", "NONE"):
        return LicenseReading("License", _shorten(free_text), _from_text(free_text))
    return classified


def from_classifiers(classifiers: list[str]) -> LicenseReading:
    """The licence the `License ::` classifiers state; several are read as AND (cautious).

    Unknown when there is none, or when one of them is not in the table.
    """
    names = [
        item.split("::", 1)[1].strip().removeprefix("OSI Approved :: ")
        for item in classifiers
        if item.startswith("License ::")
    ]
    names = [name for name in names if name and name not in _UNINFORMATIVE]
    if not names:
        return LicenseReading("none", "", None)
    if not all(name in CLASSIFIERS for name in names):
        return LicenseReading("classifiers", "; ".join(names), None)
    ids = sorted({CLASSIFIERS[name] for name in names})
    return LicenseReading("classifiers", "; ".join(names), parse(" AND ".join(ids)))


def _field(metadata: PackageMetadata, name: str) -> str | None:
    values = metadata.get_all(name) or []
    return str(values[0]) if values else None


def _from_text(text: str) -> Expression | None:
    first = text.splitlines()[0].strip()
    if "\n" not in text.strip():
        direct = parse(first)
        if direct is not None:
            return direct
        key = " ".join(dict.fromkeys(_NOISE.sub(" ", first).lower().split()))
        return parse(NAMES[key]) if key in NAMES else None
    for phrase, spdx in _TEXTS:
        if phrase.lower() in text.lower():
            return parse(spdx)
    return None


def _shorten(text: str) -> str:
    first = text.splitlines()[0].strip()
    return first if len(first) <= 60 and "\n" not in text else f"{first[:57]}..."
