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
from assistant.guidance.scenarios import (
    GuidanceByArea,
    Scenario,
    ScenarioChange,
    compare_scenarios,
    load_scenarios,
    run_scenario,
)
from assistant.guidance.schema import other_files
from assistant.knowledge.validate import validate_knowledge

from . import view
from .accounts import Accounts, Author
from .drafts import Change, Draft, Drafts, now
from .edits import EditError, bump_version, holds_whole_value, read_version, set_version
from .history import History

REVIEW_SETTING = "contact_changes_need_review"  # an area setting: false lets contact-only changes skip review
# A draft names a knowledge article as "knowledge/NAME.md"; every other name is inside the guidance folder.
KNOWLEDGE_PREFIX = "knowledge/"
KNOWLEDGE_TRAILER = "Knowledge-commit"


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


class KnowledgeProblem(Problem):
    """A problem in a knowledge article, its file named as a draft names it ("knowledge/FILE")."""


def shown(problem: Problem) -> Shown:
    if isinstance(problem, KnowledgeProblem):
        return Shown(problem.file, problem.line, problem.message, problem.fix, problem.severity)
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


def _same_case(a: Scenario, b: Scenario) -> bool:
    return (a.name, a.area, a.facts, a.expect, a.expect_not, a.expect_first, a.expect_urgency) == \
           (b.name, b.area, b.facts, b.expect, b.expect_not, b.expect_first, b.expect_urgency)


def _row(change: ScenarioChange) -> ImpactRow:
    return ImpactRow(change.key, change.scenario.name,
                     added=[f"{p.title} ({p.urgency_label})" for p in change.added],
                     removed=[p.title for p in change.removed],
                     moved=[f"{a.title}: {b.urgency_label} → {a.urgency_label}" for b, a in change.moved],
                     note=f"cannot compare: {change.error}" if change.error else "")


def impact(old_dir: Path, new_dir: Path) -> tuple[list[ImpactRow], int]:
    """Per scenario, which recommendations the new guidance adds, removes or makes more or less urgent:
    `signpost diff`'s comparison (compare_scenarios) for every worked example the draft leaves as it
    is. One the draft edits or adds is compared as it was (old file, old guidance) with as it is (new
    file, new guidance), and always listed, with whether it gets what it expects."""
    old, new = GuidanceByArea(old_dir), GuidanceByArea(new_dir)
    before_cases = {s.file.name: s for s in load_scenarios(old_dir / "scenarios")}
    after_cases = {s.file.name: s for s in load_scenarios(new_dir / "scenarios")}
    kept = [s for name, s in sorted(after_cases.items()) if name in before_cases and _same_case(before_cases[name], s)]
    rows = {f"{c.key}.yaml": _row(c) for c in compare_scenarios(old.get, new.get, kept) if c.changed}
    for name in sorted(before_cases.keys() | after_cases.keys()):
        was, scenario = before_cases.get(name), after_cases.get(name)
        if scenario is None and was is not None:
            rows[name] = ImpactRow(Path(name).stem, was.name, note="worked example removed")
        elif scenario is not None and (was is None or not _same_case(was, scenario)):
            rows[name] = _edited_row(was, scenario, old, new)
    return [rows[name] for name in sorted(rows)], len(after_cases)


def _edited_row(was: Scenario | None, scenario: Scenario, old: GuidanceByArea, new: GuidanceByArea) -> ImpactRow:
    try:
        before = decide(old.get(was.area), was.facts).pathways if was is not None else []
        after = decide(new.get(scenario.area), scenario.facts).pathways
    except (ValueError, GuidanceError) as exc:
        return ImpactRow(scenario.file.stem, scenario.name, note=f"cannot compare: {str(exc).splitlines()[0]}")
    b = {p.id: p for p in before}
    a = {p.id: p for p in after}
    row = _row(ScenarioChange(scenario, added=tuple(p for p in after if p.id not in b),
                              removed=tuple(p for p in before if p.id not in a),
                              moved=tuple((b[p.id], p) for p in after if p.id in b and p.urgency != b[p.id].urgency)))
    failures = run_scenario(scenario, new).failures
    row.note = ("new worked example" if was is None else "worked example edited") + (
        f"; it fails: {'; '.join(failures)}" if failures else "; it gets what it expects")
    return row


def knowledge_problems(folder: Path, touched: set[str]) -> list[Problem]:
    """The knowledge checks (`signpost knowledge validate`) as guidance problems named
    "knowledge/FILE": every error, and the warnings of the articles the draft touches."""
    found: list[Problem] = []
    for p in validate_knowledge(folder):
        name = KNOWLEDGE_PREFIX + Path(p.file).name
        if p.severity == "error" or name in touched:
            found.append(KnowledgeProblem(name, p.line, p.message, p.fix or "see knowledge/README.md for the layout",
                                          p.severity))
    return found


def check_tree(root: Path, touched: set[str], with_knowledge: bool) -> list[Problem]:
    """Every problem the bot's loaders find in a laid-over copy: the guidance, its other files
    (scenarios, phrasings) and, when the draft touches them, the knowledge articles beside it."""
    problems = validate(root)[1] + [p for p in other_files(root)
                                    if p.is_error or _rel(p.file) in touched]
    if with_knowledge and (root.parent / "knowledge").is_dir():
        problems += knowledge_problems(root.parent / "knowledge", touched)
    edited = sorted(r for r in touched if r.startswith("scenarios/") and r.endswith(".yaml"))
    broken = {_rel(p.file) for p in problems if p.is_error}
    if edited and not broken & set(edited) and not any(p.is_error for p in validate(root)[1]):
        problems += _scenario_warnings(root, edited)
    return list(dict.fromkeys(problems))


def _scenario_warnings(root: Path, edited: list[str]) -> list[Problem]:
    """An edited worked example that the guidance does not satisfy is said so (a warning: the
    example or the guidance may be the one to change, the author judges which)."""
    try:
        cases = {f"scenarios/{s.file.name}": s for s in load_scenarios(root / "scenarios")}
    except GuidanceError as exc:
        return list(exc.problems)
    guidances = GuidanceByArea(root)
    found = []
    for rel in edited:
        if rel in cases:
            for failure in run_scenario(cases[rel], guidances).failures:
                found.append(Problem(f"{root.name}/{rel}", 1, f"the worked example fails: {failure}",
                                     "change what it expects, or the guidance, so they agree", "warning"))
    return found


def _rel(file: str) -> str:
    parts = Path(file).parts
    return str(Path(*parts[1:])) if len(parts) > 1 else file


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
        # the articles have their own history (a git work tree is one folder); each publish that
        # changes them names its knowledge commit in the guidance commit ("Knowledge-commit: SHA")
        self.knowledge_history = History(self.state / "knowledge.git", self.knowledge) if self.knowledge else None
        if self.knowledge_history:
            self.knowledge_history.ensure()
        self._publishing = threading.Lock()

    # ---- reading ----------------------------------------------------------

    def guidance(self, area: str | None = None) -> Guidance:
        return load_guidance(self.pathways, area)

    def path_of(self, rel: str) -> Path:
        """The published file a draft's name stands for ("knowledge/NAME.md" is an article)."""
        if rel.startswith(KNOWLEDGE_PREFIX):
            if self.knowledge is None:
                raise Refused("This workspace was started without a knowledge folder.")
            return self.knowledge / rel[len(KNOWLEDGE_PREFIX):]
        return self.pathways / rel

    def exists(self, rel: str, draft: Draft | None = None) -> bool:
        return (draft is not None and rel in draft.files) or self.path_of(rel).is_file()

    def text(self, rel: str, draft: Draft | None = None) -> str:
        if draft is not None and rel in draft.files:
            return draft.files[rel]
        return self.path_of(rel).read_text(encoding="utf-8")

    @contextlib.contextmanager
    def tree(self, draft: Draft | None, override: dict[str, str] | None = None) -> Iterator[Path]:
        """A temporary copy of the guidance with the draft's files (and ``override``) laid over it.
        The knowledge articles are copied beside it (ROOT/../knowledge) as the bot would read them."""
        with tempfile.TemporaryDirectory(prefix="signpost-draft-") as tmp:
            root = Path(tmp) / "pathways"
            copy_guidance(self.pathways, root)
            if self.knowledge is not None:
                copy_guidance(self.knowledge, Path(tmp) / "knowledge")
            for rel, text in {**(draft.files if draft else {}), **(override or {})}.items():
                write_atomically(Path(tmp) / rel if rel.startswith(KNOWLEDGE_PREFIX) else root / rel, text)
            yield root

    def report(self, draft: Draft | None, override: dict[str, str] | None = None,
               with_impact: bool = True) -> Report:
        touched = set(draft.files if draft else ()) | set(override or ())
        with self.tree(draft, override) as root:
            problems = check_tree(root, touched, with_knowledge=any(r.startswith(KNOWLEDGE_PREFIX) for r in touched))
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
                    if self.knowledge_history:
                        self.knowledge_history.record_outside_changes()
                        draft.knowledge_base = self.knowledge_history.head()
            source = self.path_of(rel)
            published = source.read_text(encoding="utf-8") if source.is_file() else None
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
        stale = self.history.changed_since(draft.base, [r for r in draft.files if not r.startswith(KNOWLEDGE_PREFIX)])
        articles = [r[len(KNOWLEDGE_PREFIX):] for r in draft.files if r.startswith(KNOWLEDGE_PREFIX)]
        if articles and self.knowledge_history and draft.knowledge_base:
            changed = self.knowledge_history.changed_since(draft.knowledge_base, articles)
            stale += [KNOWLEDGE_PREFIX + n for n in changed]
        if stale:
            return (f"Someone changed {', '.join(stale)} after this draft was started. "
                    "Discard this draft and make the change again on the new version.")  # never overwrite on a guess
        return None

    def publish(self, draft: Draft, user: Author, why: str) -> str:
        with self._publishing:
            self.history.record_outside_changes()
            if self.knowledge_history:
                self.knowledge_history.record_outside_changes()
            reason = self.why_not_publish(draft, user)
            if reason:
                raise Refused(reason)
            why = why.strip() or draft.why.strip()
            if not why:
                raise Refused("Say in a few words why this change is made: it goes in the history.")
            files = dict(draft.files)
            files["guidance.yaml"], version = bump_version(files.get("guidance.yaml") or self.text("guidance.yaml"))
            with self.tree(None, files) as root:  # the exact files about to be written, checked once more
                errors = [p for p in check_tree(root, set(files), with_knowledge=True) if p.is_error]
            if errors:
                raise Refused("The change has errors; it cannot be published.")
            self._write(files)
            body = [why, "", *(f"- {c.summary}" for c in draft.changes), "",
                    f"Author: {draft.author}",
                    f"Approved-by: {draft.approved_by or 'not needed (contact-only change)'}",
                    f"Published-by: {user.name}", f"Guidance-version: {version}"]
            subject = f"{version}: " + ("; ".join(c.summary for c in draft.changes)[:150] or "change")
            if self.knowledge_history and any(r.startswith(KNOWLEDGE_PREFIX) for r in files):
                ksha = self.knowledge_history.commit(draft.author, subject, "\n".join(body))
                body.append(f"{KNOWLEDGE_TRAILER}: {ksha}")
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
            write_atomically(self.path_of(rel), files[rel])

    def knowledge_commits(self, since: str) -> list[str]:
        """The knowledge commits named by guidance commits from ``since`` to now, oldest first."""
        out = self.history.git("log", "--reverse", "--format=%b%x1e", f"{since}^..HEAD")
        return [line.split(":", 1)[1].strip() for record in out.split("\x1e") for line in record.splitlines()
                if line.startswith(f"{KNOWLEDGE_TRAILER}:")]

    def diff(self, sha: str) -> str:
        """A published change's diff: the guidance files, then any articles it changed."""
        text = self.history.diff(sha)
        entry = self.history.entry(sha)
        if entry and self.knowledge_history:
            for line in entry.body.splitlines():
                if line.startswith(f"{KNOWLEDGE_TRAILER}:"):
                    ksha = line.split(":", 1)[1].strip()
                    text += self.knowledge_history.git("show", "--format=", "--no-color", "--no-ext-diff",
                                                       "--src-prefix=a/knowledge/", "--dst-prefix=b/knowledge/", ksha)
        return text

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
            # the articles go back too, to just before the first of them this change or a later one made
            articles: dict[str, str] = {}
            articles_now: set[str] = set()
            named = self.knowledge_commits(sha) if self.knowledge_history else []
            if self.knowledge_history and named:
                self.knowledge_history.record_outside_changes()
                before = self.knowledge_history.parent(named[0])
                if before is None:
                    raise Refused("There is no earlier version of the knowledge articles to go back to.")
                articles = {KNOWLEDGE_PREFIX + n: d.decode("utf-8")
                            for n, d in self.knowledge_history.files_at(before).items()}
                articles_now = {KNOWLEDGE_PREFIX + n for n in
                                self.knowledge_history.files_at(self.knowledge_history.head())}
            with tempfile.TemporaryDirectory(prefix="signpost-rollback-") as tmp:
                root = Path(tmp) / "pathways"
                for rel, text in old.items():
                    write_atomically(root / rel, text)
                if self.knowledge is not None:
                    copy_guidance(self.knowledge, Path(tmp) / "knowledge")
                    for gone in articles_now - set(articles):
                        (Path(tmp) / gone).unlink(missing_ok=True)
                    for rel, text in articles.items():
                        write_atomically(Path(tmp) / rel, text)
                if any(p.is_error for p in check_tree(root, set(articles), with_knowledge=bool(articles))):
                    raise Refused("The earlier version does not pass today's checks, "
                                  "so it cannot be restored as it is.")
            self._write({**old, **articles})
            for gone in current - set(old):
                (self.pathways / gone).unlink(missing_ok=True)
            for gone in articles_now - set(articles):
                self.path_of(gone).unlink(missing_ok=True)
            body = (f"Restores the guidance as it was before {sha[:10]} ({entry.subject}).\n\n"
                    f"Rolled-back-by: {user.name}\nGuidance-version: {version}")
            subject = f"{version}: roll back “{entry.subject}”"
            if articles and self.knowledge_history:
                ksha = self.knowledge_history.commit(user.name, subject, body)
                body += f"\n{KNOWLEDGE_TRAILER}: {ksha}"
            return self.history.commit(user.name, subject, body)

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
