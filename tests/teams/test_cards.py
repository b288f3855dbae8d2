"""The Adaptive Cards Teams users see, built straight from the wire messages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.guidance import decide, load_guidance
from assistant.guidance.render import CARD_WORDS
from channels.teams.cards import (
    CARD_VERSION,
    DONT_KNOW_TEXT,
    TEAMS_MAX_CARD_VERSION,
    answer_card,
    cards_for_custom,
    emergency_line,
    escape_markdown,
    fits_teams,
    question_card,
    recommendation_card,
    recommendation_cards,
    required_version,
    tel_url,
    web_url,
)

from .card_schema import assert_adaptive_card, dynamic_texts, open_urls, submit_actions, text_blocks, walk

ROOT = Path(__file__).resolve().parents[2]
INJECTION = "[Call this number instead](https://evil.example) **now** <https://evil.example> _x_"


@pytest.fixture(scope="module")
def guidance():
    return load_guidance(ROOT / "pathways", area="sefton")


def _pathway(**overrides):
    pathway = {
        "id": "marac", "title": "Refer to MARAC", "urgency": "same_day", "urgency_label": "Today",
        "reasons": ["A DASH score of 14 or more is a high-risk indicator."],
        "contacts": [{"name": "MARAC coordinator", "phone": "0151 934 0000",
                      "url": "https://example.org/marac-form"}],
        "what_to_do": "Complete the MARAC referral form today.",
    }
    pathway.update(overrides)
    return pathway


def _recommendation(*pathways, **extra):
    rec = {"pathways": list(pathways), "guidance_version": "2026.11.1+3f2a9c1d", "area": "sefton",
           "facts": {"dash_score": 15, "children_in_household": True, "recent_incident": None}}
    rec.update(extra)
    return rec


def test_a_recommendation_card_says_urgency_in_words_reasons_contacts_and_guidance_version():
    card = recommendation_card(_recommendation(_pathway()))
    assert_adaptive_card(card)
    texts = dynamic_texts(card)
    joined = "".join(texts)
    assert "1. Refer to MARAC" in texts
    assert "Urgency: Today" in joined
    assert "\u2022 A DASH score of 14 or more is a high-risk indicator." in texts
    assert "Complete the MARAC referral form today." in texts
    assert "MARAC coordinator" in texts
    assert "Phone: 0151 934 0000" in joined
    assert any("Guidance version 2026.11.1+3f2a9c1d, area sefton" == t for t in texts)
    urls = {a["url"] for a in open_urls(card)}
    assert {"tel:999", "tel:01519340000", "https://example.org/marac-form"} <= urls


def test_the_999_line_comes_first_on_every_recommendation_even_when_nothing_matched():
    for rec in (_recommendation(), _recommendation(_pathway()), {"pathways": []}):
        card = recommendation_card(rec)
        assert_adaptive_card(card)
        first = card["body"][0]
        assert first["style"] == "attention"
        assert dynamic_texts(first)[0] == emergency_line("sefton")
        assert [a["url"] for a in open_urls(first)] == ["tel:999"]
    # the server's card words, the same the web draws (Teams keeps no copy of its own)
    assert CARD_WORDS["no_pathway"] in dynamic_texts(recommendation_card(_recommendation()))


def test_pathways_keep_the_engines_order_and_urgency_falls_back_to_its_id_in_words():
    card = recommendation_card(_recommendation(
        _pathway(id="police_999", title="Call 999 now", urgency="immediate", urgency_label="Now"),
        _pathway(id="idva", title="Refer to an IDVA", urgency="within_days", urgency_label=None)))
    texts = dynamic_texts(card)
    assert texts.index("1. Call 999 now") < texts.index("2. Refer to an IDVA")
    assert "Urgency: Within days" in "".join(texts)


def test_answers_used_are_listed_with_not_sure_for_unknowns():
    card = recommendation_card(_recommendation(_pathway()))
    [show] = [n for n in walk(card) if n.get("type") == "Action.ShowCard"]
    assert show["title"] == "Answers used (3)"
    assert dynamic_texts(show["card"]) == ["Dash score: 15", "Children in household: yes", "Recent incident: not sure"]


def test_text_from_the_guidance_cannot_become_a_link_or_formatting():
    card = recommendation_card(_recommendation(_pathway(
        title=INJECTION, reasons=[INJECTION], what_to_do=INJECTION,
        contacts=[{"name": INJECTION, "url": "javascript:alert(1)", "phone": "call [me](https://x)"}]),
        note=INJECTION))
    assert_adaptive_card(card)
    # Guidance text is only ever in TextRuns, which Adaptive Cards never read as Markdown...
    assert f"1. {INJECTION}" in dynamic_texts(card)
    assert not any("evil" in block for block in text_blocks(card))
    # ...and only plain web, phone and email addresses become buttons.
    assert {a["url"] for a in open_urls(card)} == {"tel:999"}


def test_escape_markdown_neutralises_links_emphasis_and_lists():
    escaped = escape_markdown("[a](https://x) **b** _c_ <https://y>\n- item\n1. first")
    assert "[a]" not in escaped and "](" not in escaped
    assert "\\[a\\]\\(https://x\\)" in escaped
    assert "\\*\\*b\\*\\*" in escaped and "\\_c\\_" in escaped and "\\<https://y\\>" in escaped
    assert "\n\\- item" in escaped and "\n1\\. first" in escaped
    assert escape_markdown("Recommended next steps") == "Recommended next steps"


@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_escaped_text_never_keeps_an_unescaped_link_bracket(text):
    escaped = escape_markdown(text)
    for i, char in enumerate(escaped):
        if char in "[]()<>*_`":
            backslashes = len(escaped[:i]) - len(escaped[:i].rstrip("\\"))
            assert backslashes % 2 == 1, f"unescaped {char!r} in {escaped!r}"


def test_phone_and_web_links_are_strict():
    assert tel_url("0808 2000 247") == "tel:08082000247"
    assert tel_url("+44 (0)151 934 0000") == "tel:+4401519340000"
    assert tel_url("see website") is None
    assert tel_url("12+34") is None
    assert web_url("https://safelives.org.uk/x?y=1") == "https://safelives.org.uk/x?y=1"
    for bad in ("javascript:alert(1)", "safelives.org.uk/x", "https://a b", "data:text/html,x", None):
        assert web_url(bad) is None


def test_a_question_card_turns_each_button_into_a_message_back_submit():
    buttons = [{"title": "Yes", "payload": '/inform{"children_in_household": true}'},
               {"title": "Not sure", "payload": '/inform{"children_in_household": null}'}]
    card = question_card("Do any children live in the household?", buttons)
    assert_adaptive_card(card)
    assert dynamic_texts(card) == ["Do any children live in the household?"]
    actions = submit_actions(card)
    assert [a["title"] for a in actions] == ["Yes", "Not sure"]
    for action, button in zip(actions, buttons, strict=True):
        assert action["data"]["signpost_payload"] == button["payload"]
        assert action["data"]["msteams"] == {"type": "messageBack", "displayText": button["title"],
                                             "text": button["payload"]}
    assert card["fallbackText"] == "Do any children live in the household?"


def test_many_buttons_are_split_into_rows_hosts_draw_in_full():
    buttons = [{"title": f"Option {n}", "payload": f"/choose{{\"n\": {n}}}"} for n in range(8)]
    card = question_card("Pick one", buttons)
    assert_adaptive_card(card)  # at most 5 a row
    assert len(submit_actions(card)) == 8


def test_a_real_recommendation_from_the_guidance_renders(guidance):
    rec = decide(guidance, {"immediate_danger": True, "children_in_household": True, "dash_score": 15})
    cards = cards_for_custom(rec.to_json())
    for card in cards:
        assert_adaptive_card(card)
    texts = [t for card in cards for t in dynamic_texts(card)]
    for number, pathway in enumerate(rec.pathways, start=1):
        assert f"{number}. {pathway.title}" in texts
    assert any(rec.guidance_version in t for t in texts)


def test_a_long_recommendation_is_split_into_cards_under_teams_size_limit(guidance):
    facts = {}
    for name, spec in guidance.facts.items():
        facts[name] = True if spec.type == "bool" else spec.values[0] if spec.type == "enum" else spec.minimum or 1
    facts["dash_score"] = 20
    rec = decide(guidance, facts).to_json()["recommendation"]
    cards = recommendation_cards(rec, max_bytes=12_000)
    assert len(cards) > 1
    for card in cards:
        assert_adaptive_card(card)
        assert len(json.dumps(card)) < 12_000 + 4_000  # one pathway can overshoot a tiny budget
        assert dynamic_texts(card["body"][0])[0] == emergency_line("sefton")
    titles = [t for card in cards for t in dynamic_texts(card) if t[:1].isdigit() and ". " in t[:4]]
    assert titles == [f"{n}. {p['title']}" for n, p in enumerate(rec["pathways"], start=1)]
    assert "Guidance version" in " ".join(dynamic_texts(cards[-1]))
    assert all(len(json.dumps(c)) < 28_000 for c in recommendation_cards(rec))


def test_a_knowledge_answer_card_shows_passage_source_and_review_date():
    card = answer_card({"question": "what is MARAC?", "answered": True, "answers": [{
        "article_id": "marac", "title": "What is MARAC?", "passage": "A MARAC is a meeting...",
        "score": 0.8, "sources": ["safelives.org.uk"], "last_reviewed": "2026-11-01"}]})
    assert_adaptive_card(card)
    joined = " ".join(dynamic_texts(card))
    for expected in ("What is MARAC?", "A MARAC is a meeting...", "safelives.org.uk", "Last reviewed 2026-11-01",
                     "call 999"):
        assert expected in joined
    assert "what is MARAC?" not in dynamic_texts(card)  # the person's own question is not echoed


def test_an_unanswered_question_says_so_instead_of_guessing():
    card = answer_card({"question": "x", "answered": False, "answers": []})
    assert_adaptive_card(card)
    assert "rather not guess" in " ".join(dynamic_texts(card))


def test_unknown_custom_messages_make_no_card():
    assert cards_for_custom({"something": "else"}) == []



def test_the_999_line_is_the_guidances_own_words_said_as_a_condition(guidance):
    police_999 = guidance.pathways["police_999"]
    line = emergency_line("sefton")
    assert police_999.what_to_do in line
    assert line.startswith("If someone is in danger right now")
    card = recommendation_card(_recommendation(_pathway()))
    assert dynamic_texts(card)[0] == line


def test_i_dont_know_is_the_webs_sentence():
    from assistant.knowledge import DONT_KNOW, AskResult, render_answer_text

    assert DONT_KNOW_TEXT == render_answer_text(AskResult(question="x", answered=False, answers=[]))
    card = answer_card({"question": "x", "answered": False, "answers": []})
    assert dynamic_texts(card) == [DONT_KNOW] and card["fallbackText"] == DONT_KNOW


def test_every_card_is_drawable_by_every_teams_client_and_has_a_text_fallback(guidance):
    facts = {"immediate_danger": True, "children_in_household": True, "dash_score": 20, "recent_incident": True}
    cards = recommendation_cards(decide(guidance, facts).to_json()["recommendation"])
    cards += [question_card("Is anyone in danger now?", [{"title": "Yes", "payload": "/affirm"}]),
              answer_card({"answered": True, "answers": [{"title": "t", "passage": "p"}]}),
              answer_card({"answered": False})]
    for card in cards:
        assert card["version"] == CARD_VERSION
        assert required_version(card) <= "1.2"  # what older Teams mobile clients draw
        assert fits_teams(card)
        assert card.get("fallbackText")
    assert CARD_VERSION <= TEAMS_MAX_CARD_VERSION
    newer = dict(cards[0], body=[{"type": "Table", "rows": []}])
    assert not fits_teams(newer)


def test_the_card_opens_with_the_guidances_do_this_first_actions(guidance):
    from assistant.guidance import card as card_payload

    rec = decide(guidance, {"recent_incident": True, "children_in_household": True, "dash_score": 15})
    payload = card_payload(rec, guidance)["recommendation"]
    card = recommendation_card(payload)
    assert_adaptive_card(card)
    assert fits_teams(card)
    texts = dynamic_texts(card)
    first = payload["do_first"]
    assert first, "the guidance chose no first actions"
    for number, item in enumerate(first, start=1):
        assert f"{number}. {item['action']}" in texts
        if item["why"]:
            assert item["why"] in texts
    assert "Do this first" in text_blocks(card)
    # The 999 line still comes first, and the numbered pathways follow in full.
    assert texts[0] == emergency_line("sefton")
    assert f"1. {payload['pathways'][0]['title']}" in texts
    # Without do_first (an older payload) the card is as before.
    assert "Do this first" not in text_blocks(recommendation_card(rec.to_json()["recommendation"]))


def test_the_urgency_colour_follows_the_tone_the_server_sends_not_the_urgency_id():
    def colours(pathway):
        return {b.get("color") for b in walk(recommendation_card(_recommendation(pathway)))
                if isinstance(b, dict) and b.get("text") == pathway["urgency_label"]}
    assert colours(_pathway(tone="danger")) == {"Attention"}
    assert colours(_pathway(tone="neutral")) == {"Default"}   # same_day, but the guidance says neutral


def test_the_card_words_and_answers_are_the_servers(guidance):
    from assistant.guidance import card

    rec = decide(guidance, {"immediate_danger": False, "children_in_household": None})
    payload = card(rec, guidance)["recommendation"]
    payload["words"] = {**payload["words"], "title": "Next steps (test wording)"}
    shown = json.dumps(recommendation_cards(payload))
    assert "Next steps (test wording)" in shown and "Recommended next steps" not in shown
    assert "Immediate danger: No" in shown and "Children in household: Not sure" in shown
