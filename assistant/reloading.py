"""One way to reload an author's files: guidance, knowledge and phrasings all use it.

A ``Reloading`` notices an edited file on the next ``get()`` (by modification
time and size), loads it, and either accepts it or refuses it. A refused edit
keeps the last good version serving, is logged once with file:line (never
anything a user typed: these are the authors' files) and is kept on
``refused`` for the health endpoint. Every accepted version is also copied to
a state folder on disk (``SIGNPOST_STATE_DIR``, default ``.rasa/last-good``),
so a restart with a broken file still serves the last good version and says so.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from assistant import PROJECT_ROOT

T = TypeVar("T")
log = logging.getLogger("signpost.reloading")


@dataclass(frozen=True)
class Refusal:
    """Why an edit was refused: where to look and what is wrong."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "message": self.message}


def state_dir() -> Path:
    return Path(os.environ.get("SIGNPOST_STATE_DIR") or PROJECT_ROOT / ".rasa" / "last-good")


# Every live reloader, so the health endpoint can report them all.
_registry: dict[str, Reloading] = {}
_registry_lock = threading.Lock()


def registered() -> dict[str, Reloading]:
    with _registry_lock:
        return dict(_registry)


class Reloading(Generic[T]):
    """Serves the newest valid version of files under ``source`` (a folder or one file).

    ``load(root)`` reads a version from ``root`` (the source, or the copy on
    disk); it raises one of ``refuse_on`` for an invalid edit, which
    ``describe`` turns into refusals. Any other error is a bug and propagates.
    """

    def __init__(
        self,
        name: str,
        source: Path,
        files: Callable[[Path], list[Path]],
        load: Callable[[Path], T],
        *,
        version: Callable[[T], str],
        refuse_on: tuple[type[BaseException], ...],
        describe: Callable[[BaseException], list[Refusal]],
        warnings: Callable[[T], list[Refusal]] = lambda _value: [],
        keep_on_disk: bool = True,
        copy_files: Callable[[Path], list[Path]] | None = None,
    ) -> None:
        self.name = name
        self.source = Path(source)
        self._files = files
        # What the copy on disk needs to load (may be more than what decides a reload).
        self._copy_files = copy_files or files
        self._load = load
        self._version = version
        self._refuse_on = refuse_on
        self._describe = describe
        self._warnings = warnings
        self.keep_on_disk = keep_on_disk
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._value: T | None = None
        self.refused: list[Refusal] = []
        self.warnings: list[Refusal] = []
        self.from_disk_copy = False   # serving the copy kept on disk, not the source
        self.loaded_at: float | None = None
        key = hashlib.sha256(str(self.source.resolve()).encode()).hexdigest()[:10]
        self.key = f"{name}-{key}"
        with _registry_lock:
            _registry[self.key] = self

    # -- where the files are -------------------------------------------------
    @property
    def _base(self) -> Path:
        return self.source if self.source.is_dir() else self.source.parent

    def _stamp_now(self) -> tuple:
        stamp: list[tuple[str, int | None, int | None]] = []
        for file in self._files(self.source):
            try:
                st = file.stat()
                stamp.append((str(file), st.st_mtime_ns, st.st_size))
            except OSError:
                stamp.append((str(file), None, None))
        return tuple(stamp)

    @property
    def copy_dir(self) -> Path:
        return state_dir() / self.key

    def _copy_root(self, folder: Path) -> Path:
        return folder if self.source.is_dir() else folder / self.source.name

    # -- serving -----------------------------------------------------------------
    def get(self) -> T:
        with self._lock:
            stamp = self._stamp_now()
            if self._value is not None and stamp == self._stamp:
                return self._value
            try:
                value = self._load(self.source)
            except self._refuse_on as exc:
                refusals = self._describe(exc) or [Refusal(str(self.source), 0, str(exc))]
                if self._value is None:
                    fallback = self._load_copy()
                    if fallback is None:
                        self._log_refused(refusals, serving=None)
                        raise
                    self._value = fallback
                    self.from_disk_copy = True
                    self.loaded_at = time.time()
                self.refused = refusals
                self._stamp = stamp
                self._log_refused(refusals, serving=self._version(self._value))
                return self._value
            self._value = value
            self._stamp = stamp
            self.refused = []
            self.from_disk_copy = False
            self.loaded_at = time.time()
            self.warnings = self._warnings(value)
            for warning in self.warnings:
                log.warning("%s: problem in %s (loaded anyway)", self.name, warning)
            if self.keep_on_disk:
                self._save_copy(stamp)
            return value

    def _log_refused(self, refusals: list[Refusal], serving: str | None) -> None:
        still = (f"still serving version {serving}" + (" (the last good copy kept on disk)" if self.from_disk_copy
                                                        else "")) if serving else "nothing to serve"
        for refusal in refusals:
            log.error("%s: edit refused at %s; %s", self.name, refusal, still)

    def status(self) -> dict[str, object]:
        """What the health endpoint shows for this source."""
        value = self._value
        return {
            "source": str(self.source),
            "version": self._version(value) if value is not None else None,
            "serving_last_good_copy": self.from_disk_copy,
            "refused_edit": [r.as_dict() for r in self.refused],
            "refused_edit_text": [str(r) for r in self.refused],
            "warnings": [str(w) for w in self.warnings],
        }

    # -- the copy on disk ----------------------------------------------------
    def _save_copy(self, stamp: tuple) -> None:
        """Copies the accepted files next to each other, replacing the old copy in one rename."""
        target = self.copy_dir
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            meta_path = target / "meta.json"
            if meta_path.exists() and json.loads(meta_path.read_text()).get("stamp") == repr(stamp):
                return
            staging = Path(tempfile.mkdtemp(prefix=f".{self.key}-", dir=target.parent))
            for file in self._copy_files(self.source):
                if file.is_file():
                    dest = staging / file.relative_to(self._base)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(file, dest)
            version = self._version(self._value) if self._value is not None else None
            (staging / "meta.json").write_text(json.dumps(
                {"source": str(self.source), "version": version, "saved_at": time.time(), "stamp": repr(stamp)}))
            old = target.with_name(target.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():
                target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:  # a read-only disk must not stop the answers
            log.warning("%s: could not keep the last good copy in %s (%s)", self.name, target, exc.strerror)

    def _load_copy(self) -> T | None:
        folder = self.copy_dir
        if not (folder / "meta.json").exists():
            return None
        try:
            return self._load(self._copy_root(folder))
        except self._refuse_on:
            log.error("%s: the last good copy in %s does not load either", self.name, folder)
            return None
