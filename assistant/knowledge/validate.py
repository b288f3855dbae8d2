"""Checks an author runs before publishing articles: `signpost knowledge validate`."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from assistant.guidance.problems import Collector
from assistant.guidance.schema import check_shape
from assistant.guidance.yamlfile import read_yaml, read_yaml_text
from assistant.knowledge.articles import ArticleError, article_paths, parse_article
from assistant.knowledge.glossary import load_glossary
from assistant.knowledge.render import PATHWAY_NAMES
from assistant.knowledge.scope import load_out_of_scope

DEFAULT_MAX_AGE_DAYS = 365


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    severity: str  # "error" stops publishing; "warning" is for the author to judge
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.severity}: {self.message}"
        return f"{text}\n    fix: {self.fix}" if self.fix else text


def validate_knowledge(
    directory: Path,
    *,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    today: _dt.date | None = None,
) -> list[Problem]:
    """Every problem found in the articles under ``directory``, errors first."""
    today = today or _dt.date.today()
    problems: list[Problem] = []
    paths = article_paths(directory)
    if not paths:
        return [Problem(str(directory), 0, "error", "no articles (*.md) found", "check the folder name")]
    known_files = {p.name for p in paths}
    seen_ids: dict[str, str] = {}
    parsed: list[Path] = []  # only these get the schema check: the others are reported already
    for path in paths:
        name = str(path)
        try:
            article = parse_article(path)
        except ArticleError as exc:
            problems.append(Problem(name, exc.line, "error", exc.message))
            continue
        parsed.append(path)

        def add(severity: str, message: str, fix: str = "", line: int = 1, name: str = name) -> None:
            problems.append(Problem(name, line, severity, message, fix))

        if article.id != path.stem:
            add("error", f"id '{article.id}' does not match the file name", f"use id: {path.stem}, or rename the file")
        if article.id in seen_ids:
            add("error", f"id '{article.id}' is also used by {seen_ids[article.id]}", "give each article its own id")
        seen_ids.setdefault(article.id, path.name)
        for field_name in ("title", "summary"):
            if not getattr(article, field_name):
                add("error", f"'{field_name}' is empty")
        if not article.tags:
            add("error", "'tags' is empty", "add a few words people might search for, e.g. acronyms")
        if not article.sources:
            add("error", "'sources' is empty", "cite where the guidance comes from (see the domain brief)")
        if not article.passages:
            add("error", "the article has no text after the front matter")
        unknown = [p for p in article.pathways if p not in PATHWAY_NAMES]
        if unknown:
            add("warning", f"pathways not in vocabulary.md: {', '.join(unknown)}",
                "use pathway ids from vocabulary.md, e.g. marac, idva")
        if article.last_reviewed > today:
            add("error", f"last_reviewed {article.last_reviewed} is in the future")
        elif (today - article.last_reviewed).days > max_age_days:
            age = (today - article.last_reviewed).days
            add("warning", f"last reviewed {age} days ago ({article.last_reviewed}), more than {max_age_days}",
                "check the article is still right, then update last_reviewed")
        for line, target in article.links:
            if target.startswith(("http://", "https://", "mailto:", "tel:")):
                continue
            if not target.endswith(".md"):
                add("error", f"link to '{target}' is not an article file",
                    "link to another article as other-id.md", line)
            elif Path(target).name not in known_files:
                add("error", f"link to '{target}', which is not an article here",
                    "fix the file name or remove the link", line)
    broken: set[str] = set()  # reported by their own loader: not reported twice
    for load_list in (load_out_of_scope, load_glossary):
        try:
            load_list(directory)
        except ArticleError as exc:
            problems.append(Problem(str(exc.path), exc.line, "error", exc.message))
            broken.add(Path(exc.path).name)
    problems += _shapes(directory, parsed, broken)
    return sorted(problems, key=lambda p: (p.severity != "error", p.file, p.line))


def _shapes(directory: Path, paths: list[Path], skip: set[str]) -> list[Problem]:
    """The YAML files and each article's front matter against pathways/schema/ (unknown keys
    are errors with a 'did you mean'), so a misspelt field does not silently vanish."""
    out = Collector(directory)
    for name in ("glossary.yaml", "out_of_scope.yaml"):
        file = directory / name
        if file.is_file() and name not in skip:
            data = read_yaml(file, out)
            if data is not None:
                check_shape(out, file, data)
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # parse_article has reported it
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            continue
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
        if end is None:
            continue
        # one blank line for the opening `---`, so each key keeps its line in the file
        data = read_yaml_text("\n" + "\n".join(lines[1:end]) + "\n", path, out)
        if data is not None:
            check_shape(out, path, data, "article")
    return [Problem(str(directory.parent / p.file) if not Path(p.file).is_absolute() else p.file,
                    p.line, p.severity, p.message, p.fix) for p in out.problems]
