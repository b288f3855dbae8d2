"""Problems found in the guidance, and the error that carries them.

Every problem names the file and line an author must open and says how to fix
it, because the people reading these are safeguarding leads, not programmers.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str
    fix: str
    severity: str = "error"  # "error" stops the guidance loading; "warning" does not

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}\n    fix: {self.fix}"


class GuidanceError(Exception):
    """The guidance cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.is_error]
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"the guidance has {len(errors)} error(s):\n{shown}{more}")


class Collector:
    """Gathers problems while loading so that one run reports all of them."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, file: str | Path) -> str:
        try:
            return str(Path(file).relative_to(self.root.parent))
        except ValueError:
            return str(file)

    def error(self, file: str | Path, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(self.rel(file), line, message, fix, "error"))

    def warning(self, file: str | Path, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(self.rel(file), line, message, fix, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)
