"""Fixtures for the guidance tests: the real pathways/ folder, and throwaway
copies of it that a test may break on purpose."""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import PATHWAYS_DIR
from assistant.guidance import Guidance, load_guidance


@pytest.fixture(scope="session")
def guidance() -> Guidance:
    return load_guidance(PATHWAYS_DIR)


@pytest.fixture
def pathways_copy(tmp_path: Path) -> Path:
    """A private copy of pathways/ (without phrasings, which belong to extraction)."""
    target = tmp_path / "pathways"
    shutil.copytree(PATHWAYS_DIR, target, ignore=shutil.ignore_patterns("phrasings.yaml", "__pycache__"))
    return target


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace one exact piece of text in a file, failing loudly if it is not there."""
    def replace(file: Path, old: str, new: str) -> None:
        text = file.read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} not found in {file.name}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return replace


def line_containing(file: Path, needle: str) -> int:
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {file}")
