"""The widget keeps no copy of the card's words: the server sends them with every card
(assistant/guidance/render.py CARD_WORDS) and the widget draws what it is sent."""
from __future__ import annotations

import re

from assistant import PROJECT_ROOT
from assistant.guidance.render import CARD_WORDS

WIDGET = PROJECT_ROOT / "channels" / "web" / "static" / "signpost-widget.js"


def test_none_of_the_cards_words_is_written_in_the_widget() -> None:
    source = WIDGET.read_text(encoding="utf-8")
    for key, words in CARD_WORDS.items():
        for piece in re.split(r"\{[a-z]+\}", words):
            piece = piece.strip(" ():.,")
            # a single short word ("Phone", "Consent") may be a variable name; a phrase may not
            if " " in piece:
                assert piece not in source, f"the widget still writes {key!r}: {piece!r}"


def test_the_answers_used_are_drawn_as_the_server_words_them() -> None:
    source = WIDGET.read_text(encoding="utf-8")
    assert "not sure" not in source.lower()   # answer words come from the guidance's options
