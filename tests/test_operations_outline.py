"""Document outlines: headings of both Markdown kinds and reStructuredText, code fences ignored."""

from __future__ import annotations

import textwrap

from hypothesis import given
from hypothesis import strategies as st

from pytest_readiness.checks.operations import outline


def parse(text: str) -> outline.Outline:
    return outline.parse(textwrap.dedent(text).lstrip("\n"))


def test_atx_setext_and_fences() -> None:
    document = parse(
        """
        Runbook
        =======

        ## Incident response ##

        ```bash
        # restart the pods
        kubectl rollout restart deployment/app
        ```

        ### Paging
        Page the on-call engineer.

        Escalation
        ----------
        Call the lead.

        ---

        The end.
        """
    )
    titles = [(section.title, section.level, section.line) for section in document.sections]
    assert titles == [
        ("Runbook", 1, 1),
        ("Incident response", 2, 4),
        ("Paging", 3, 11),
        ("Escalation", 2, 14),
    ]
    incident = document.find("incident")
    assert incident is not None
    assert "Page the on-call engineer." in incident.body
    assert "Call the lead." not in incident.body
    assert "# restart the pods" in incident.body


def test_restructuredtext_overlined_title_and_sections() -> None:
    document = parse(
        """
        =========
        Changelog
        =========

        1.0.0
        -----
        First release.
        """
    )
    assert [section.title for section in document.sections] == ["Changelog", "1.0.0"]
    assert document.body_lines() == ["", "First release."]


def test_front_matter_is_neither_heading_nor_content() -> None:
    document = parse(
        """
        ---
        title: Runbook
        layout: page
        ---
        # Runbook
        """
    )
    assert [section.title for section in document.sections] == ["Runbook"]
    assert document.body_lines() == []


def test_find_takes_alternatives_and_ignores_case() -> None:
    document = parse("# Notes\n\n## How to Roll Back\n\nsteps\n")
    found = document.find("rollback | roll back")
    assert found is not None
    assert found.title == "How to Roll Back"
    assert document.find("escalation") is None


def test_placeholders_are_whole_words_and_do_not_count_as_content() -> None:
    pattern = outline.placeholder_pattern(["TODO", "lorem ipsum"])
    assert pattern is not None
    assert pattern.search("- TODO: add contacts")
    assert pattern.search("Lorem   Ipsum dolor")
    assert not pattern.search("the todos-app and TODOLIST")
    assert outline.content_words(["TODO TODO", "Lorem ipsum"], pattern) == 0
    assert outline.content_words(["Restart the pod"], pattern) == 3
    assert outline.placeholder_pattern([]) is None


words = st.from_regex(r"[A-Za-z][a-z]{1,8}", fullmatch=True)


@given(st.lists(st.tuples(st.integers(1, 6), words, words), max_size=10))
def test_generated_atx_documents_round_trip(sections: list[tuple[int, str, str]]) -> None:
    text = "".join(f"{'#' * level} {title}\n\n{body}\n\n" for level, title, body in sections)
    document = outline.parse(text)
    assert [(s.level, s.title, s.line) for s in document.sections] == [
        (level, title, 1 + 4 * index) for index, (level, title, _) in enumerate(sections)
    ]
    assert outline.content_words(document.body_lines(), None) == len(sections)
