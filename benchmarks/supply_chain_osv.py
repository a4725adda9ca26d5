"""How long the offline `vulnerabilities` audit takes on a database the size of OSV's PyPI export.

OSV's `PyPI/all.zip` holds about 17,000 records. This writes a synthetic zip of that size
(realistic record shape: aliases, summary, one ECOSYSTEM range, a versions list), then times
loading it and matching a pinned set against it, cold and from the check's result cache.

Run: python benchmarks/supply_chain_osv.py [records] [pins]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from pytest_readiness.cache import ContentCache
from pytest_readiness.check import CheckContext
from pytest_readiness.checks.supply_chain import VulnerabilitiesCheck
from pytest_readiness.checks.supply_chain.vulnerabilities import VulnerabilitiesSettings
from pytest_readiness.files import ProjectFiles


def record(index: int, packages: int) -> dict[str, object]:
    name = f"package-{index % packages}"
    return {
        "id": f"PYSEC-2099-{index}",
        "modified": "2026-11-01T00:00:00Z",
        "aliases": [f"CVE-2099-{index}", f"GHSA-{index:04x}-xxxx-xxxx"],
        "summary": "A synthetic advisory " + "x" * 200,
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [{"introduced": f"{index % 7}.0"}, {"fixed": f"{index % 7}.5"}],
                    }
                ],
                "versions": [f"{index % 7}.{minor}" for minor in range(5)],
            }
        ],
    }


def timed(action: Callable[[], None], repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(records: int, pins: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "project"
        (root / "osv" / "PyPI").mkdir(parents=True)
        with zipfile.ZipFile(root / "osv" / "PyPI" / "all.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for index in range(records):
                zf.writestr(f"PYSEC-2099-{index}.json", json.dumps(record(index, 5000)))
        lines = [f"package-{index}==9.{index % 3}" for index in range(pins)]
        (root / "requirements.txt").write_text("\n".join(lines) + "\n", "utf-8")
        settings = VulnerabilitiesSettings(advisory_db="osv", advisory_db_max_age_days=0)

        def run(cache: ContentCache) -> None:
            ctx = CheckContext(rootdir=root, files=ProjectFiles(root), cache=cache)
            VulnerabilitiesCheck(settings).run(ctx)

        cold = timed(lambda: run(ContentCache(None)))
        warm_cache = ContentCache(Path(scratch) / "cache")
        run(warm_cache)
        warm = timed(lambda: run(warm_cache))
        size = (root / "osv" / "PyPI" / "all.zip").stat().st_size / 1e6
        print(f"{records} records ({size:.1f} MB zip), {pins} pins")
        print(f"cold (load + match): {cold:.2f} s   cached: {warm * 1000:.0f} ms")


if __name__ == "__main__":
    arguments = [int(value) for value in sys.argv[1:3]]
    main(*(arguments + [17000, 300][len(arguments) :]))
