"""Resident memory of a started service: every process in its process group, read from /proc.

The runner starts the service as the leader of its own process group, so the group holds the
service and whatever it forked (workers, a reloader's child); a leak in a worker counts too.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
MIB = 1024 * 1024


def group_rss_mb(pgid: int, proc: Path = PROC) -> float | None:
    """The summed RSS of the group's live processes in MiB; None where /proc cannot tell."""
    if not proc.is_dir():
        return None
    page = os.sysconf("SC_PAGE_SIZE")
    pages = 0
    members = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[2]) != pgid or stat[0] == "Z":
                continue
            pages += int((entry / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        members += 1
    return pages * page / MIB if members else None
