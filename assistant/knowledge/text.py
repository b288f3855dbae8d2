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
    i'm im""".split()
)


def strip_markdown(text: str) -> str:
    """Readable text: link labels kept, link targets and emphasis marks dropped."""
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _stem(token: str) -> str:
    # A deliberately tiny stemmer: plurals and possessives only. Anything
    # cleverer mangles acronyms ("MASH", "IRIS") that must match exactly.
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss") and not token.endswith("us"):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Lower-cased content words, apostrophes folded ("Clare's" -> "clare")."""
    text = text.lower().replace("'s ", " ").replace("’s ", " ").replace("'", "").replace("’", "")
    return [_stem(t) for t in _TOKEN.findall(text) if t not in STOPWORDS]
