"""The published guidance's history: a git repository kept in the state folder.

Its work tree is the guidance folder itself, so whatever the workspace
publishes is a commit saying who, when and why; a diff and a rollback are
plain git. The repository lives outside the guidance folder (and outside the
project's own repository), so it never commits anything else.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

EMAIL_DOMAIN = "signpost-workspace.invalid"


class HistoryError(RuntimeError):
    pass


@dataclass(frozen=True)
class Entry:
    sha: str
    author: str
    when: str
    subject: str
    body: str


class History:
    def __init__(self, git_dir: Path, work_tree: Path):
        self.git_dir = Path(git_dir)
        self.work_tree = Path(work_tree)

    def git(self, *args: str, check: bool = True, author: str | None = None) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update({"GIT_DIR": str(self.git_dir), "GIT_WORK_TREE": str(self.work_tree),
                    "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.git_dir)})
        who = author or "signpost-workspace"
        env.update({"GIT_AUTHOR_NAME": who, "GIT_AUTHOR_EMAIL": f"{who}@{EMAIL_DOMAIN}",
                    "GIT_COMMITTER_NAME": who, "GIT_COMMITTER_EMAIL": f"{who}@{EMAIL_DOMAIN}"})
        done = subprocess.run(["git", *args], cwd=self.work_tree, env=env, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise HistoryError(f"git {args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def ensure(self) -> None:
        """Creates the history on first start, recording the guidance as found."""
        if not (self.git_dir / "HEAD").exists():
            self.git_dir.mkdir(parents=True, exist_ok=True)
            self.git("init", "-q", "-b", "main")
            self.git("config", "core.bare", "false")
        if not self.git("rev-parse", "--verify", "-q", "HEAD", check=False).strip():
            self.git("add", "-A", ".")
            self.git("commit", "-q", "--allow-empty", "-m", "The guidance as found when the workspace started")
        self.record_outside_changes()

    def record_outside_changes(self) -> None:
        """Edits made by hand (not through the workspace) get their own commit, so nothing is lost or mixed in."""
        if self.git("status", "--porcelain", "--", ".").strip():
            self.git("add", "-A", ".")
            self.git("commit", "-q", "-m", "Changes made outside the workspace (found before publishing)")

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def commit(self, author: str, subject: str, body: str) -> str:
        self.git("add", "-A", ".")
        self.git("commit", "-q", "--allow-empty", "-m", subject, "-m", body, author=author)
        return self.head()

    def log(self, limit: int = 100) -> list[Entry]:
        out = self.git("log", f"-n{limit}", "--format=%H%x1f%an%x1f%aI%x1f%s%x1f%b%x1e")
        entries = []
        for record in out.split("\x1e"):
            parts = record.strip("\n").split("\x1f")
            if len(parts) == 5:
                entries.append(Entry(*parts))
        return entries

    def entry(self, sha: str) -> Entry | None:
        return next((e for e in self.log(1000) if e.sha == sha), None)

    def diff(self, sha: str) -> str:
        return self.git("show", "--format=", "--no-color", "--no-ext-diff", sha)

    def parent(self, sha: str) -> str | None:
        return self.git("rev-parse", "--verify", "-q", f"{sha}^", check=False).strip() or None

    def files_at(self, sha: str) -> dict[str, bytes]:
        names = [n for n in self.git("ls-tree", "-r", "--name-only", sha).splitlines() if n]
        return {name: self.show_file(sha, name) for name in names}

    def show_file(self, sha: str, name: str) -> bytes:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env["GIT_DIR"] = str(self.git_dir)
        return subprocess.run(["git", "show", f"{sha}:{name}"], env=env, capture_output=True, check=True).stdout

    def changed_since(self, base: str, names: list[str]) -> list[str]:
        if not names:
            return []
        return [n for n in self.git("diff", "--name-only", base, "HEAD", "--", *names).splitlines() if n]
