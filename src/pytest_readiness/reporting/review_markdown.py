"""The review in Markdown: the checklist with its marks, its status line and the sign-off table.

Written in the checklist's own shape (sections, `- ✅ item`), so a team can paste it where the
paper checklist used to live, and so a reviewer reads the same words the plugin judged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_readiness.review import CHECKLIST_STATUS

STATUS_MARK = {
    "proven": "✅",
    "attested": "✅",
    "not-applicable": "⏭️",
    "waived": "⚠️",
    "failed": "❌",
    "missing": "❌",
}
SIGN_OFF_GROUP = "Sign-off"


def review_head(review: Mapping[str, Any]) -> list[str]:
    counts = ", ".join(f"{value} {name}" for name, value in review["counts"].items() if value)
    marks = " | ".join(
        f"[{'x' if status == review['status'] else ' '}] {status}" for status in CHECKLIST_STATUS
    )
    return [
        f"### Review ({review['profile']} profile)",
        "",
        f"**Status:** {marks}",
        "",
        f"Items: {counts}",
        "",
    ]


def review_rows(review: Mapping[str, Any], text: Callable[[str], str]) -> list[str]:
    """Per section a heading line and one line per item; `text` escapes for Markdown."""
    rows = []
    for section in review["sections"]:
        number = f"{section['number']}. " if section.get("number") else ""
        rows.append(f"**{number}{text(section['title'])}** ({section['priority']})")
        for item in section["items"]:
            mark = STATUS_MARK.get(item["status"], "❔")
            note = f" — {text(item['problem'])}" if item.get("problem") else ""
            rows.append(f"- {mark} {text(item['says'])} (`{item['id']}`: {item['status']}){note}")
    return rows


def sign_off_rows(review: Mapping[str, Any], text: Callable[[str], str]) -> list[str]:
    """The checklist's sign-off table, filled from the attestations of the sign-off items."""
    rows = ["| Sign-off | By | Date | Until |", "| --- | --- | --- | --- |"]
    for section in review["sections"]:
        for item in section["items"]:
            if item["group"] != SIGN_OFF_GROUP or item["status"] == "not-applicable":
                continue
            attested = [e for e in item["evidence"] if e["kind"] == "attestation"]
            by, date, until = (
                (text(attested[-1]["by"]), attested[-1]["date"], attested[-1]["expires"])
                if attested
                else ("_missing_", "", "")
            )
            rows.append(f"| {text(item['says'])} | {by} | {date} | {until} |")
    return rows if len(rows) > 2 else []
