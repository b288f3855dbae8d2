"""Worked examples and knowledge articles: items of free shape, edited as whole files.

A scenario is one file in pathways/scenarios/, an article one Markdown file
with YAML front matter in knowledge/. The workspace lists them through the
bot's own readers, names them the way a draft does ("scenarios/NAME.yaml",
"knowledge/NAME.md") and checks a new name before a file is made for it.
"""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.dates import as_date
from assistant.guidance.problems import Collector
from assistant.guidance.yamlfile import YDict, read_yaml
from assistant.knowledge.articles import ArticleError, article_paths, parse_article, split_front_matter

KINDS = ("rule", "scenario", "article")
SCENARIO_NAME = re.compile(r"^[a-z][a-z0-9_]{0,79}$")   # common.schema.json's id
ARTICLE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")  # article.schema.json's id


@dataclass(frozen=True)
class ScenarioView:
    id: str                 # the file name without .yaml
    name: str
    area: str | None
    expect: list[str]
    readable: bool = True   # False: the file does not parse (its page shows the text to fix)

    @property
    def rel(self) -> str:
        return scenario_rel(self.id)


@dataclass(frozen=True)
class ArticleView:
    id: str                 # the file name without .md
    title: str
    reviewed: _dt.date | None
    problem: str = ""       # why the article cannot be read, when it cannot

    @property
    def rel(self) -> str:
        return article_rel(self.id)


def scenario_rel(name: str) -> str:
    return f"scenarios/{name}.yaml"


def article_rel(name: str) -> str:
    return f"knowledge/{name}.md"


def scenarios(folder: Path) -> list[ScenarioView]:
    """Every worked example in FOLDER/scenarios, each read on its own so one broken file is still listed."""
    found = []
    for file in sorted((folder / "scenarios").glob("*.yaml")):
        doc = read_yaml(file, Collector(folder))
        if isinstance(doc, YDict):
            expect = doc.get("expect")
            found.append(ScenarioView(file.stem, str(doc.get("name") or file.stem),
                                      str(doc["area"]) if doc.get("area") else None,
                                      [expect] if isinstance(expect, str) else
                                      [str(e) for e in expect] if isinstance(expect, list) else []))
        else:
            found.append(ScenarioView(file.stem, file.stem, None, [], readable=False))
    return found


def articles(folder: Path | None) -> list[ArticleView]:
    """Every knowledge article, through the bot's article reader (a broken one is listed with why)."""
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in article_paths(folder):
        try:
            article = parse_article(path)
            found.append(ArticleView(path.stem, article.title, article.last_reviewed))
        except ArticleError as exc:
            title, reviewed = path.stem, None
            try:
                meta = split_front_matter(path.read_text(encoding="utf-8"), path)[0]
                title, reviewed = str(meta.get("title") or path.stem), as_date(meta.get("last_reviewed"))
            except (ArticleError, OSError, UnicodeDecodeError):
                pass
            found.append(ArticleView(path.stem, title, reviewed, problem=f"line {exc.line}: {exc.message}"))
    return found


def name_problem(kind: str, name: str, taken: Callable[[], bool]) -> str | None:
    """Why NAME cannot be a new item's file name, in plain words (None when it can).
    ``taken`` is asked only about a well-formed name."""
    if kind == "scenario" and not SCENARIO_NAME.match(name):
        return "Give a file name of small letters, digits and underscores, starting with a letter (e.g. new_case)."
    if kind == "article" and not ARTICLE_NAME.match(name):
        return "Give a file name of small letters, digits and hyphens (e.g. new-article); it is also the article's id."
    if name == "new":
        return "“new” is kept for the page that adds one: choose another file name."
    if taken():
        return "There is already one with that file name: choose another, or edit that one."
    return None


def new_scenario_text() -> str:
    """The starting text of a new worked example: the layout of the others."""
    return ("# yaml-language-server: $schema=../schema/scenario.schema.json\n"
            "name: Describe the case in a few words\n"
            "source: where the expected answer comes from\n"
            "facts: {recent_incident: true}\n"
            "expect: [safeguarding_lead]\n")


def new_article_text(name: str, today: _dt.date | None = None) -> str:
    """The starting text of a new article: front matter with every required field, then the text."""
    today = today or _dt.date.today()
    return ("---\n"
            f"id: {name or 'new-article'}\n"
            "title: The question it answers, in plain words\n"
            "summary: \"One or two plain sentences, the short answer.\"\n"
            "tags: [words people type]\n"
            "sources:\n"
            '  - "where the guidance comes from"\n'
            f"last_reviewed: {today.isoformat()}\n"
            "pathways: []\n"
            "---\n"
            "# The question it answers, in plain words\n\n"
            "The lead paragraph: the plain answer.\n")
