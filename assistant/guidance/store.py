"""Keeps the newest valid guidance for a running bot.

When an author saves a change, the next get() reloads it; if the change has
errors the bot keeps answering from the last good version, the problems wait
on ``last_problems`` (and the health endpoint) and are logged with file:line.
The last good version is also kept on disk (see assistant/reloading.py), so a
restart with a broken file still serves it.
"""
from __future__ import annotations

from pathlib import Path

from assistant import PATHWAYS_DIR
from assistant.reloading import Refusal, Reloading

from .loader import guidance_files, load_guidance
from .model import Guidance
from .problems import GuidanceError, Problem


def _refusals(exc: BaseException) -> list[Refusal]:
    problems = getattr(exc, "problems", [])
    return [Refusal(p.file, p.line, p.message) for p in problems if p.is_error]


def _copy_files(root: Path) -> list[Path]:
    """Everything the loader may read (schema files included), not scenarios."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json")
                  and "scenarios" not in p.relative_to(root).parts)


class GuidanceStore:
    def __init__(self, path: Path = PATHWAYS_DIR, area: str | None = None):
        self.path = Path(path)
        self.area = area
        self.last_problems: list[Problem] = []
        self._reloading: Reloading[Guidance] = Reloading(
            f"guidance[{area or 'default'}]",
            self.path,
            guidance_files,
            self._load,
            version=lambda g: g.version,
            refuse_on=(GuidanceError,),
            describe=self._refused,
            warnings=lambda g: [Refusal(p.file, p.line, p.message) for p in g.warnings],
            copy_files=_copy_files,
        )
        # The first load must succeed, from the files or from the last good copy on disk.
        self.get()

    def _load(self, root: Path) -> Guidance:
        return load_guidance(root, self.area)

    def _refused(self, exc: BaseException) -> list[Refusal]:
        self.last_problems = list(getattr(exc, "problems", []))
        return _refusals(exc)

    def get(self) -> Guidance:
        reloading = self._reloading
        guidance = reloading.get()
        if not reloading.refused:
            self.last_problems = list(guidance.warnings)
        return guidance

    @property
    def serving_last_good_copy(self) -> bool:
        return self._reloading.from_disk_copy

    @property
    def refused(self) -> list[Refusal]:
        return self._reloading.refused

    @property
    def version(self) -> str:
        return self.get().version
