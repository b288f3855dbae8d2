"""What the workspace does, without the web: edit into drafts, check, review, publish, roll back.

Every check goes through the bot's own loader (``assistant.guidance``) on a
copy of the guidance folder with the draft's files laid over it, so what the
workspace accepts, the bot accepts.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.guidance import GuidanceError, Problem, decide, load_guidance, validate
from assistant.guidance.model import Guidance, Recommendation
from assistant.guidance.scenarios import GuidanceByArea, load_scenarios

from . import view
from .accounts import Accounts, Author
from .drafts import Change, Draft, Drafts, now
from .edits import EditError, bump_version, holds_whole_value, read_version, set_version
from .history import History

REVIEW_SETTING = "contact_changes_need_review"  # an area setting: false lets contact-only changes skip review


class Refused(Exception):
    """An action the rules do not allow; the message says why, in plain words."""


@dataclass
class Shown:
    """A problem as an author reads it: the file relative to the guidance folder."""
    file: str
    line: int
    message: str
    fix: str
    severity: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class ImpactRow:
    scenario: str
    name: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    problems: list[Shown]
    impact: list[ImpactRow]
    scenarios: int
    version: str | None

    @property
    def errors(self) -> list[Shown]:
        return [p for p in self.problems if p.is_error]

    @property
    def valid(self) -> bool:
        return not self.errors


def shown(problem: Problem) -> Shown:
    parts = Path(problem.file).parts
    file = str(Path(*parts[1:])) if len(parts) > 1 else problem.file
    return Shown(file, problem.line, problem.message, problem.fix, problem.severity)


def copy_guidance(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".git", "__pycache__", "*.tmp"))


def write_atomically(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, file)


def impact(old_dir: Path, new_dir: Path) -> tuple[list[ImpactRow], int]:
    """Per scenario, which recommendations the new guidance adds, removes or makes more or less urgent
    (the same comparison as `signpost diff`)."""
    old, new = GuidanceByArea(old_dir), GuidanceByArea(new_dir)
    scenarios = {s.file.name: s for s in load_scenarios(old_dir / "scenarios")}
    scenarios.update({s.file.name: s for s in load_scenarios(new_dir / "scenarios")})
    rows = []
    for name in sorted(scenarios):
        scenario = scenarios[name]
        try:
            before = decide(old.get(scenario.area), scenario.facts)
            after = decide(new.get(scenario.area), scenario.facts)
        except (ValueError, GuidanceError) as exc:
            rows.append(ImpactRow(Path(name).stem, scenario.name, note=f"cannot compare: {str(exc).splitlines()[0]}"))
            continue
        b = {p.id: p for p in before.pathways}
        a = {p.id: p for p in after.pathways}
        row = ImpactRow(Path(name).stem, scenario.name,
                        added=[f"{a[p].title} ({a[p].urgency_label})" for p in a if p not in b],
                        removed=[b[p].title for p in b if p not in a],
                        moved=[f"{a[p].title}: {b[p].urgency_label} → {a[p].urgency_label}"
                               for p in a if p in b and a[p].urgency != b[p].urgency])
        if row.added or row.removed or row.moved:
            rows.append(row)
    return rows, len(scenarios)


class Workspace:
    def __init__(self, pathways: Path, knowledge: Path | None, state: Path):
        self.pathways = Path(pathways).resolve()
        self.knowledge = Path(knowledge).resolve() if knowledge else None
        self.state = Path(state).resolve()
        self.state.mkdir(parents=True, exist_ok=True)
        os.chmod(self.state, 0o700)
        self.accounts = Accounts(self.state)
        self.drafts = Drafts(self.state)
        self.history = History(self.state / "history.git", self.pathways)
        self.history.ensure()
        self._publishing = threading.Lock()

    # ---- reading ----------------------------------------------------------

    def guidance(self, area: str | None = None) -> Guidance:
        return load_guidance(self.pathways, area)

    def text(self, rel: str, draft: Draft | None = None) -> str:
        if draft is not None and rel in draft.files:
            return draft.files[rel]
        return (self.pathways / rel).read_text(encoding="utf-8")

    @contextlib.contextmanager
    def tree(self, draft: Draft | None, override: dict[str, str] | None = None) -> Iterator[Path]:
        """A temporary copy of the guidance with the draft's files (and ``override``) laid over it."""
        with tempfile.TemporaryDirectory(prefix="signpost-draft-") as tmp:
            root = Path(tmp) / "pathways"
            copy_guidance(self.pathways, root)
            for rel, text in {**(draft.files if draft else {}), **(override or {})}.items():
                write_atomically(root / rel, text)
            yield root

    def report(self, draft: Draft | None, override: dict[str, str] | None = None,
               with_impact: bool = True) -> Report:
        with self.tree(draft, override) as root:
            guidances, problems = validate(root)
            version = (read_version((root / "guidance.yaml").read_text(encoding="utf-8"))
                       if (root / "guidance.yaml").exists() else None)
            rows: list[ImpactRow] = []
            count = 0
            errors = [p for p in problems if p.is_error]
            if with_impact and not errors:
                try:
                    rows, count = impact(self.pathways, root)
                except GuidanceError as exc:
                    problems = problems + exc.problems
        return Report([shown(p) for p in sorted(problems, key=lambda p: not p.is_error)], rows, count, version)

    # ---- drafts -----------------------------------------------------------

    def draft_for(self, author: Author) -> Draft | None:
        return self.drafts.open_for(author.name)

    def edit(self, author: Author, rel: str, new_text: str, change: Change) -> Draft:
        """Records a change in the author's open draft (starting one if needed)."""
        with self.drafts.lock:
            draft = self.drafts.open_for(author.name)
            if draft is None:
                # the draft starts from the files as they are now, so that is its base
                with self._publishing:
                    self.history.record_outside_changes()
                    draft = self.drafts.new(author.name, self.history.head())
            published = (self.pathways / rel).read_text(encoding="utf-8")
            if new_text == published:
                draft.files.pop(rel, None)
                draft.changes = [c for c in draft.changes if c.file != rel]
            else:
                draft.files[rel] = new_text
                draft.changes = [c for c in draft.changes if c.summary != change.summary] + [change]
            draft.approved_by = draft.approved_at = None  # an edit after approval needs a new look
            self.drafts.save(draft)
            return draft

    def needs_review(self, draft: Draft) -> bool:
        """Always, except contact-only changes where every area concerned says they need none."""
        if not draft.contact_only:
            return True
        areas = {a.file: a for a in view.areas(self.pathways)}
        for rel in draft.files:
            concerned = [areas[rel]] if rel in areas else list(areas.values())
            for area in concerned:
                setting = next((s.value for s in area.settings if s.name == REVIEW_SETTING), True)
                if setting is not False:
                    return True
        return False

    def why_not_approve(self, draft: Draft, user: Author) -> str | None:
        if draft.status != "open":
            return "This draft is no longer open."
        if not user.is_reviewer:
            return "Only a reviewer can approve a change."
        if user.name == draft.author:
            return "You cannot approve your own change: another reviewer needs to look at it."
        if not draft.files:
            return "The draft has no changes."
        if not self.report(draft, with_impact=False).valid:
            return "The draft has errors; they must be fixed before it can be approved."
        return None

    def approve(self, draft: Draft, user: Author) -> None:
        reason = self.why_not_approve(draft, user)
        if reason:
            raise Refused(reason)
        draft.approved_by, draft.approved_at = user.name, now()
        self.drafts.save(draft)

    def why_not_publish(self, draft: Draft, user: Author) -> str | None:
        if draft.status != "open":
            return "This draft is no longer open."
        if not draft.files:
            return "The draft has no changes."
        if user.name != draft.author and user.name != draft.approved_by:
            return "Only the draft's author or its reviewer can publish it."
        if self.needs_review(draft) and not draft.approved_by:
            return "A reviewer other than the author must approve this change first."
        if not self.report(draft, with_impact=False).valid:
            return "The draft has errors; it cannot be published."
        stale = self.history.changed_since(draft.base, list(draft.files))
        if stale:
            return (f"Someone changed {', '.join(stale)} after this draft was started. "
                    "Discard this draft and make the change again on the new version.")  # never overwrite on a guess
        return None

    def publish(self, draft: Draft, user: Author, why: str) -> str:
        with self._publishing:
            self.history.record_outside_changes()
            reason = self.why_not_publish(draft, user)
            if reason:
                raise Refused(reason)
            why = why.strip() or draft.why.strip()
            if not why:
                raise Refused("Say in a few words why this change is made: it goes in the history.")
            files = dict(draft.files)
            files["guidance.yaml"], version = bump_version(files.get("guidance.yaml") or self.text("guidance.yaml"))
            with self.tree(None, files) as root:  # the exact files about to be written, checked once more
                errors = [p for p in validate(root)[1] if p.is_error]
            if errors:
                raise Refused("The change has errors; it cannot be published.")
            self._write(files)
            body = [why, "", *(f"- {c.summary}" for c in draft.changes), "",
                    f"Author: {draft.author}",
                    f"Approved-by: {draft.approved_by or 'not needed (contact-only change)'}",
                    f"Published-by: {user.name}", f"Guidance-version: {version}"]
            subject = f"{version}: " + ("; ".join(c.summary for c in draft.changes)[:150] or "change")
            sha = self.history.commit(draft.author, subject, "\n".join(body))
            draft.status, draft.why, draft.published_commit, draft.published_by = "published", why, sha, user.name
            self.drafts.save(draft)
            return sha

    def discard(self, draft: Draft, user: Author) -> None:
        if user.name != draft.author:
            raise Refused("Only the draft's author can discard it.")
        draft.status = "discarded"
        self.drafts.save(draft)

    def _write(self, files: dict[str, str]) -> None:
        # guidance.yaml last: its new version is the sign the change is complete
        for rel in sorted(files, key=lambda r: r == "guidance.yaml"):
            write_atomically(self.pathways / rel, files[rel])

    # ---- history ----------------------------------------------------------

    def rollback(self, sha: str, user: Author) -> str:
        """Restores the guidance as it was before commit ``sha`` (undoing it and anything after it)."""
        if not user.is_reviewer:
            raise Refused("Only a reviewer can roll back.")
        with self._publishing:
            self.history.record_outside_changes()
            entry, parent = self.history.entry(sha), self.history.parent(sha)
            if entry is None or parent is None:
                raise Refused("There is no earlier version to go back to.")
            old = {name: data.decode("utf-8") for name, data in self.history.files_at(parent).items()}
            current = set(self.history.files_at(self.history.head()))
            if "guidance.yaml" not in old:
                raise Refused("The earlier version has no guidance.yaml, so it cannot be restored.")
            # versions only go up: the restored text gets a version above the current one
            old["guidance.yaml"], version = bump_version(
                set_version(old["guidance.yaml"], read_version(self.text("guidance.yaml"))))
            with tempfile.TemporaryDirectory(prefix="signpost-rollback-") as tmp:
                root = Path(tmp) / "pathways"
                for rel, text in old.items():
                    write_atomically(root / rel, text)
                if any(p.is_error for p in validate(root)[1]):
                    raise Refused("The earlier version does not pass today's checks, "
                                  "so it cannot be restored as it is.")
            self._write(old)
            for gone in current - set(old):
                (self.pathways / gone).unlink(missing_ok=True)
            body = (f"Restores the guidance as it was before {sha[:10]} ({entry.subject}).\n\n"
                    f"Rolled-back-by: {user.name}\nGuidance-version: {version}")
            return self.history.commit(user.name, f"{version}: roll back “{entry.subject}”", body)

    # ---- trying a case ----------------------------------------------------

    def try_case(self, facts: dict[str, Any], area: str | None, draft: Draft | None
                 ) -> tuple[Recommendation, Recommendation | None, list[Shown]]:
        published = decide(self.guidance(area), facts)
        if draft is None or not draft.files:
            return published, None, []
        with self.tree(draft) as root:
            try:
                return published, decide(load_guidance(root, area), facts), []
            except GuidanceError as exc:
                return published, None, [shown(p) for p in exc.problems if p.is_error]



# ---- the fixed-shape forms and the rule editor --------------------------------

def contact_text(text: str, contact: view.ContactView, field_name: str, value: str, verified: Any) -> str:
    """The file's text with one contact's way of reaching it and its last_verified date changed."""
    from .edits import insert_after, key_column, set_value, yaml_scalar
    if field_name not in view.REACH_KEYS:
        raise Refused(f"A contact is reached by one of: {', '.join(view.REACH_KEYS)}.")
    column = key_column(text, contact.line, "name")
    # values first, then new lines (inserting below `name:` would move the lines after it)
    if field_name in contact.lines:
        text = set_value(text, contact.lines[field_name], field_name, yaml_scalar(value))
    if "last_verified" in contact.lines:
        text = set_value(text, contact.lines["last_verified"], "last_verified", yaml_scalar(verified))
    if field_name not in contact.lines:
        text = insert_after(text, contact.line, column, field_name, yaml_scalar(value))
    if "last_verified" not in contact.lines:
        text = insert_after(text, contact.line, column, "last_verified", yaml_scalar(verified))
    return text


def setting_text(text: str, area: view.AreaView, name: str, value: Any) -> str:
    from .edits import insert_after, set_value, yaml_scalar
    current = next((s for s in area.settings if s.name == name), None)
    if current is None:
        raise Refused(f"There is no setting called {name}.")
    if current.from_area:
        return set_value(text, current.line, name, yaml_scalar(value))
    if not area.settings_line:
        raise Refused(f"{area.file} has no settings: block to add {name} to.")
    return insert_after(text, area.settings_line, 2, name, yaml_scalar(value))


def parse_setting(raw: str, current: Any) -> Any:
    """A form's text as the setting's type (the type of its current value)."""
    raw = raw.strip()
    if isinstance(current, bool):
        if raw not in ("true", "false"):
            raise Refused("Choose yes or no.")
        return raw == "true"
    if isinstance(current, int):
        try:
            return int(raw)
        except ValueError:
            raise Refused("Write a whole number.") from None
    if isinstance(current, (list, dict)):
        raise Refused("This setting is a list; change it in the YAML file for now.")
    return raw


def question_text(text: str, question: view.QuestionView, wording: str, why: str, labels: list[str]) -> str:
    """facts.yaml's text with one question's wording, its "why" and its buttons' labels changed."""
    from .edits import set_inline_value, set_value, yaml_scalar
    if len(labels) != len(question.options):
        raise Refused("Give a label for every answer button.")
    if not wording.strip() or any(not label.strip() for label in labels):
        raise Refused("The question and every button need some words.")
    if not holds_whole_value(text, question.line, "question", question.question) or (
            question.why_line and not holds_whole_value(text, question.why_line, "why", question.why)):
        raise Refused("This question is written over several lines, which the form cannot change; "
                      "edit facts.yaml itself.")
    try:
        text = set_value(text, question.line, "question", yaml_scalar(wording.strip()))
        if question.why_line:
            text = set_value(text, question.why_line, "why", yaml_scalar(why.strip()))
        for option, label in zip(question.options, labels, strict=True):
            text = set_inline_value(text, option.line, "label", yaml_scalar(label.strip()))
    except EditError as exc:
        raise Refused(f"This question is written in a way the form cannot change ({exc}); "
                      "edit facts.yaml itself.") from exc
    return text
