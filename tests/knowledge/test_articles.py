"""The shipped articles: enough of them, complete, and covering the brief."""
from __future__ import annotations

import datetime as dt

from assistant import KNOWLEDGE_DIR
from assistant.knowledge.articles import load_articles, parse_article
from assistant.knowledge.render import PATHWAY_NAMES
from assistant.knowledge.validate import validate_knowledge


def test_at_least_25_articles_all_readable():
    articles, errors = load_articles(KNOWLEDGE_DIR)
    assert errors == []
    assert len(articles) >= 25


def test_every_article_has_sources_review_date_and_known_pathways():
    articles, _ = load_articles(KNOWLEDGE_DIR)
    for article in articles:
        assert article.sources, article.id
        assert article.tags, article.id
        assert article.last_reviewed <= dt.date.today(), article.id
        assert set(article.pathways) <= set(PATHWAY_NAMES), article.id
        assert article.passages, article.id


def test_the_shipped_articles_validate_cleanly():
    problems = validate_knowledge(KNOWLEDGE_DIR)
    assert [str(p) for p in problems if p.severity == "error"] == []


def test_every_pathway_in_the_brief_has_an_article():
    ids = {a.id for a in load_articles(KNOWLEDGE_DIR)[0]}
    for needed in ("marac", "idva", "swaca", "childrens-social-care-mash", "iris", "clares-law",
                   "adult-safeguarding", "dash-risk-checklist", "red-flags", "sharing-with-consent",
                   "sharing-without-consent", "recording-safely", "asking-safely", "trauma-informed-language",
                   "coercive-control", "suicide-and-domestic-abuse", "children-as-victims",
                   "repeat-victims-and-several-perpetrators", "non-engagement-and-follow-up",
                   "male-victims", "lgbt-victims", "older-victims", "young-victims",
                   "honour-based-abuse", "forced-marriage"):
        assert needed in ids


def test_unconfirmed_facts_send_the_reader_to_the_safeguarding_lead():
    # Where the domain brief marks a fact UNCONFIRMED the article says so.
    for name in ("iris.md", "merit-merseyside.md", "marac.md"):
        text = (KNOWLEDGE_DIR / name).read_text(encoding="utf-8")
        assert "not confirmed" in text and "safeguarding lead" in text, name


def test_passages_hide_link_targets_from_readers():
    article = parse_article(KNOWLEDGE_DIR / "marac.md")
    assert all(".md" not in p.text for p in article.passages)
    assert any("the DASH checklist" in p.text for p in article.passages)
