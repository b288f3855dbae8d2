"""Plain-text helpers shared by the article parser and the lexical index."""
from __future__ import annotations

import re

_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_TOKEN = re.compile(r"[a-z0-9]+")

# Small on purpose: acronyms and short domain words (s42, ani, 999) must survive.
STOPWORDS = frozenset(
    """a an and are as at be been but by can could do does did for from has have
    how i if in into is it its me my of on or our she he her him his should so
    that the their them then there they this to was we were what when where which
    who whom why will with would you your about tell explain mean means am any
    i'm im whats hows whos wheres whens theres thats""".split()
)


def strip_markdown(text: str) -> str:
    """Readable text: link labels kept, link targets and emphasis marks dropped."""
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def strip_links(text: str) -> str:
    """Text without links at all: a "see [other article](x.md)" pointer names
    another article's subject and must not make this passage match it."""
    text = _LINK.sub("", text)
    text = re.sub(r"\b[Ss]ee( also)?\s*[.,;]", "", text)
    return strip_markdown(text)


def _stem(token: str) -> str:
    # A deliberately tiny stemmer (plurals, -ing, -ed, final e) applied the
    # same way to questions and articles; anything cleverer starts mangling
    # acronyms. Short words are left alone so "MASH", "IRIS", "s42" survive.
    if len(token) > 4 and token.endswith("ies"):
        token = token[:-3] + "y"
    elif len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us")):
        token = token[:-1]
    if len(token) > 5 and token.endswith("ing"):
        token = token[:-3]
    elif len(token) > 4 and token.endswith("ed"):
        token = token[:-2]
    if len(token) > 4 and token.endswith("e"):
        token = token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Lower-cased content words, apostrophes folded ("Clare's" -> "clare")."""
    text = text.lower().replace("'s ", " ").replace("’s ", " ").replace("'", "").replace("’", "")
    return [_stem(t) for t in _TOKEN.findall(text) if t not in STOPWORDS]
