"""The fallback walk (no git) honours `.gitignore` files the way git does."""

from __future__ import annotations

from pathlib import Path

from pytest_readiness.files import ProjectFiles


def _write(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n")


def test_walk_honours_gitignore_patterns(tmp_path: Path) -> None:
    _write(
        tmp_path,
        [
            "a.log",
            "keep.log",
            "top.txt",
            "sub/top.txt",
            "build/x.py",
            "sub/build/y.py",
            "src/app.py",
        ],
    )
    (tmp_path / ".gitignore").write_text("# comment\n*.log\nbuild/\n/top.txt\n!keep.log\n\n")
    listed = [file.path for file in ProjectFiles(tmp_path).all]
    assert listed == [".gitignore", "keep.log", "src/app.py", "sub/top.txt"]


def test_nested_gitignore_applies_below_its_directory(tmp_path: Path) -> None:
    _write(tmp_path, ["pkg/generated.py", "pkg/app.py", "generated.py", "pkg/deep/generated.py"])
    (tmp_path / "pkg" / ".gitignore").write_text("generated.py\n")
    listed = [file.path for file in ProjectFiles(tmp_path).all]
    assert listed == ["generated.py", "pkg/.gitignore", "pkg/app.py"]


def test_directory_only_pattern_leaves_files_of_that_name(tmp_path: Path) -> None:
    _write(tmp_path, ["out/a.py", "lib/out"])
    (tmp_path / ".gitignore").write_text("out/\n")
    listed = [file.path for file in ProjectFiles(tmp_path).all]
    assert listed == [".gitignore", "lib/out"]


def test_anchored_pattern_with_a_slash_matches_from_its_directory(tmp_path: Path) -> None:
    _write(tmp_path, ["docs/_build/index.html", "src/docs/_build/keep.py"])
    (tmp_path / ".gitignore").write_text("docs/_build\n")
    listed = [file.path for file in ProjectFiles(tmp_path).all]
    assert listed == [".gitignore", "src/docs/_build/keep.py"]
