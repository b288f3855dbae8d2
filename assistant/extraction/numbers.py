"""Numbers as professionals type them: "3", "three", "third", "twice"."""
from __future__ import annotations

import re

_WORDS = {
    "zero": 0, "none": 0, "no": 0, "once": 1, "twice": 2, "a": 1, "an": 1,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "first": 1, "second": 2, "third": 3, "fourth": 4,
    "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "eleventh": 11, "twelfth": 12,
}
_ORDINAL_SUFFIX = re.compile(r"^(\d+)(?:st|nd|rd|th)$")

# Used inside phrasing patterns where an author writes NUM. "a"/"no" are left
# out: "a time this year" must not read as a count.
NUM_PATTERN = r"(?:\d+(?:st|nd|rd|th)?|" + "|".join(
    sorted((w for w in _WORDS if w not in {"a", "an", "no"}), key=len, reverse=True)
) + r")"
_NUM_RE = re.compile(r"\b" + NUM_PATTERN + r"\b")


def parse_number(token: str) -> int | None:
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    match = _ORDINAL_SUFFIX.match(token)
    if match:
        return int(match.group(1))
    return _WORDS.get(token)


def first_number(text: str) -> int | None:
    """The first number written in ``text``, in digits or words."""
    match = _NUM_RE.search(text.lower())
    return parse_number(match.group(0)) if match else None
