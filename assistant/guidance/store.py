"""Keeps the newest valid guidance for a running bot.

When an author saves a change, the next get() reloads it; if the change has
errors the bot keeps answering from the last good version and the problems
wait on ``last_problems`` for someone to read.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

from assistant import PATHWAYS_DIR

from .loader import guidance_files, load_guidance
from .model import Guidance
from .problems import GuidanceError, Problem


class GuidanceStore:
    def __init__(self, path: Path = PATHWAYS_DIR, area: Optional[str] = None):
        self.path = Path(path)
        self.area = area
        self.last_problems: list[Problem] = []
        self._lock = threading.Lock()
        self._stamp: Optional[tuple] = None
        self._guidance: Optional[Guidance] = None
        self.get()  # the first load must succeed: there is nothing to fall back to

    def _current_stamp(self) -> tuple:
        stamp = []
        for file in guidance_files(self.path):
            try:
                st = file.stat()
                stamp.append((str(file), st.st_mtime_ns, st.st_size))
            except OSError:
                stamp.append((str(file), None, None))
        return tuple(stamp)

    def get(self) -> Guidance:
        with self._lock:
            stamp = self._current_stamp()
            if stamp != self._stamp:
                try:
                    self._guidance = load_guidance(self.path, self.area)
                    self.last_problems = list(self._guidance.warnings)
                except GuidanceError as exc:
                    if self._guidance is None:
                        raise
                    self.last_problems = exc.problems
                self._stamp = stamp
            assert self._guidance is not None
            return self._guidance

    @property
    def version(self) -> str:
        return self.get().version
