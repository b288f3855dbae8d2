"""How often a real message is one of the bot's own phrases, whose sentence
vector the Rasa server computes once (assistant/nlu/phrase_vectors.py).

The versus-stock conversation repeats the same eight messages, so there the
reuse is as high as it gets. This is the figure for typed input the phrases
were not written from: the typed-reply corpus (tune and held-out halves) and
the free-text openings (tune and held-out).
"""
from __future__ import annotations

from assistant.conversation.evaluate import HELDOUT, TUNE, load_cases
from assistant.nlu.phrase_vectors import default_phrases, normalised
from bench.walks import openings


def share(texts: list[str], phrases: frozenset[str]) -> tuple[int, int]:
    return sum(normalised(t) in phrases for t in texts), len(texts)


def main() -> None:
    phrases = default_phrases()
    corpora = {
        "typed replies, tune": [c["text"] for c in load_cases(TUNE)],
        "typed replies, held-out": [c["text"] for c in load_cases(HELDOUT)],
        "openings, tune": list(openings("tune").values()),
        "openings, held-out": list(openings("heldout").values()),
    }
    print(f"{len(phrases)} phrases known; a message that is one of them reuses its sentence vector")
    for name, texts in corpora.items():
        hit, total = share(texts, phrases)
        print(f"  {name:<26} {hit:3d} of {total:3d} messages reuse a vector ({hit / total:.0%})")


if __name__ == "__main__":
    main()
