"""Knowledge articles: Markdown with YAML front matter, split into passages.

An article's passages are its lead paragraph and each ``##`` section; a
passage is the unit that is embedded, scored and shown to the professional.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.dates import as_date
from assistant.knowledge.text import strip_links, strip_markdown

REQUIRED_FIELDS = ("id", "title", "summary", "tags", "sources", "last_reviewed", "pathways")
_HEADING = re.compile(r"^##\s+(.*)$")
_LINK_TARGET = re.compile(r"\[[^\]]+\]\(([^)#\s]+)(?:#[^)]*)?\)")


@dataclass(frozen=True)
class Passage:
    article_id: str
    heading: str  # "" for the lead paragraph
    text: str  # readable text, markdown stripped
    line: int  # 1-based line in the file, for authors
    index_text: str = ""  # what search sees: the text without cross-references

    @property
    def key(self) -> str:
        return f"{self.article_id}#{self.heading}"


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    summary: str
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    last_reviewed: _dt.date
    pathways: tuple[str, ...]
    body: str
    path: Path
    passages: tuple[Passage, ...] = field(default=())
    links: tuple[tuple[int, str], ...] = field(default=())  # (line, target) pairs
    # optional front matter `examples:`: questions the article answers, as people type them
    examples: tuple[str, ...] = field(default=())


class ArticleError(ValueError):
    """An article that cannot be read; ``line`` points the author at the spot."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path.name}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


def read_yaml_file(path: Path) -> object:
    """A knowledge data file's contents ({} when empty); bad YAML names its line."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ArticleError(path, mark.line + 1 if mark else 1, "not valid YAML") from None


def split_front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    """Returns (front matter, body, line number where the body starts)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ArticleError(path, 1, "the file must start with '---' and YAML front matter")
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        raise ArticleError(path, 1, "the front matter is not closed with a '---' line")
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise ArticleError(path, line, f"the front matter is not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(meta, dict):
        raise ArticleError(path, 2, "the front matter must be a set of 'key: value' lines")
    return meta, "\n".join(lines[end + 1 :]), end + 2


def _as_date(value: object, path: Path) -> _dt.date:
    date = as_date(value)
    if date is None:
        raise ArticleError(path, 1, f"last_reviewed must be a date like 2026-11-01, not {value!r}")
    return date


def _as_list(meta: dict, key: str, path: Path) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ArticleError(path, 1, f"'{key}' must be a list")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _split_passages(article_id: str, body: str, first_line: int) -> tuple[Passage, ...]:
    passages: list[Passage] = []
    heading, start = "", first_line
    buf: list[str] = []

    def flush() -> None:
        raw = "\n".join(buf)
        text = strip_markdown(raw).strip()
        if text:
            passages.append(Passage(article_id, heading, text, start, strip_links(raw).strip()))

    for offset, line in enumerate(body.splitlines()):
        match = _HEADING.match(line)
        if match:
            flush()
            heading, buf, start = match.group(1).strip(), [], first_line + offset
        elif not line.startswith("# "):  # the H1 repeats the title
            buf.append(line)
    flush()
    return tuple(passages)


def parse_article(path: Path) -> Article:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ArticleError(path, 1, "the file is not UTF-8 text") from None
    meta, body, body_line = split_front_matter(text, path)
    missing = [key for key in REQUIRED_FIELDS if key not in meta]
    if missing:
        raise ArticleError(path, 1, f"front matter is missing: {', '.join(missing)}")
    article_id = str(meta["id"]).strip()
    links = tuple(
        (body_line + offset, m.group(1))
        for offset, line in enumerate(body.splitlines())
        for m in _LINK_TARGET.finditer(line)
    )
    return Article(
        id=article_id,
        title=str(meta["title"]).strip(),
        summary=str(meta["summary"]).strip(),
        tags=_as_list(meta, "tags", path),
        sources=_as_list(meta, "sources", path),
        last_reviewed=_as_date(meta["last_reviewed"], path),
        pathways=_as_list(meta, "pathways", path),
        body=body,
        path=path,
        passages=_split_passages(article_id, body, body_line),
        links=links,
        examples=_as_list(meta, "examples", path) if "examples" in meta else (),
    )


def article_paths(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.md") if p.name.lower() != "readme.md")


def load_articles(directory: Path) -> tuple[list[Article], list[ArticleError]]:
    """Every readable article, plus the errors for those that are not.

    A broken article is left out rather than taking the whole knowledge base
    down with it; ``signpost knowledge validate`` reports it to the author.
    """
    articles: list[Article] = []
    errors: list[ArticleError] = []
    seen: set[str] = set()
    for path in article_paths(directory):
        try:
            article = parse_article(path)
        except ArticleError as exc:
            errors.append(exc)
            continue
        if article.id in seen:
            errors.append(ArticleError(path, 1, f"id '{article.id}' is used by another article"))
            continue
        seen.add(article.id)
        articles.append(article)
    return articles, errors
