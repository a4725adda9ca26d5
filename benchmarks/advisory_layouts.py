"""The same advisories in the three layouts `advisory_db` reads, loaded side by side.

OSV's `PyPI/all.zip` export, a directory of OSV JSON files (github/advisory-database's shape)
and a directory of pypa/advisory-database YAML files, each holding the same synthetic records;
each is loaded (every record parsed, counted per ecosystem) three times and the median printed,
with its ratio to the zip. YAML is read with libyaml's CSafeLoader when PyYAML has it, and the
pure-Python SafeLoader is timed beside it to show why.

Run: .venv/bin/python benchmarks/advisory_layouts.py [records]
"""

from __future__ import annotations

import json
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import yaml
from supply_chain_osv import timed

from pytest_readiness.checks.supply_chain import osv
from pytest_readiness.checks.supply_chain.osv import load_database


def record(index: int) -> dict[str, Any]:
    return {
        "id": f"PYSEC-2099-{index}",
        "details": "A synthetic advisory " + "x" * 200,
        "aliases": [f"CVE-2099-{index}"],
        "modified": "2026-11-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": f"package-{index % 500}"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": f"{index}.1"}]}
                ],
                "versions": [f"{index % 7}.{minor}" for minor in range(10)],
            }
        ],
        "references": [{"type": "WEB", "url": f"https://example.invalid/{i}"} for i in range(5)],
    }


def main(records: int) -> None:
    items = [record(index) for index in range(records)]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(root / "all.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for item in items:
                archive.writestr(f"{item['id']}.json", json.dumps(item))
        for item in items:
            json_file = root / "github" / item["id"] / f"{item['id']}.json"
            json_file.parent.mkdir(parents=True)
            json_file.write_text(json.dumps(item, indent=2), "utf-8")
            yaml_file = root / "pypa" / "vulns" / item["affected"][0]["package"]["name"]
            yaml_file.mkdir(parents=True, exist_ok=True)
            (yaml_file / f"{item['id']}.yaml").write_text(yaml.safe_dump(item), "utf-8")
        layouts = {
            "OSV export (zip)": root / "all.zip",
            "JSON directory": root / "github",
            "pypa YAML directory": root / "pypa",
        }
        times = {
            name: timed(lambda p=path: load_database(p, root)) for name, path in layouts.items()
        }
        fast = osv._StringLoader
        slow = type("PureStringLoader", (yaml.SafeLoader,), {"yaml_implicit_resolvers": {}})
        osv._StringLoader = slow  # type: ignore[misc]
        try:
            times["pypa YAML, pure-Python loader"] = timed(
                lambda: load_database(root / "pypa", root), repeat=1
            )
        finally:
            osv._StringLoader = fast  # type: ignore[misc]
    print(f"{records} records; median of 3 loads (1 for the pure-Python loader)")
    base = times["OSV export (zip)"]
    for name, seconds in times.items():
        print(f"{name:32} {seconds:7.2f} s   x{seconds / base:5.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
