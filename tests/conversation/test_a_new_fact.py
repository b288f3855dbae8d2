"""Adding a fact to pathways/facts.yaml needs no other file edited and no retraining."""
from __future__ import annotations

import shutil

from assistant import PATHWAYS_DIR
from assistant.conversation import ButtonAnswer, read_reply, take_turn
from assistant.guidance import load_guidance

NEW_FACT = '''
  - id: pets_at_risk
    type: bool
    question: "Are there pets the person causing harm has threatened?"
    why: "Threats to pets are used to control; refuges can help with pets."
    options:
      - {label: "Yes", value: true}
      - {label: "No", value: false}
      - {label: "Not sure", value: null}
'''


def test_a_fact_added_to_facts_yaml_is_asked_and_answered_with_nothing_else_changed(tmp_path):
    pathways = tmp_path / "pathways"
    shutil.copytree(PATHWAYS_DIR, pathways)
    facts = pathways / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("\nfacts:\n", "\nfacts:\n" + NEW_FACT, 1), encoding="utf-8")
    g = load_guidance(pathways)
    assert "pets_at_risk" in g.facts
    reply = read_reply(g, "pets_at_risk", "inform", '/inform{"pets_at_risk": true}')
    assert reply == ButtonAnswer({"pets_at_risk": True})
    turn = take_turn(g, {"immediate_danger": False}, ["immediate_danger"], "pets_at_risk", reply)
    assert turn.facts["pets_at_risk"] is True
    typed = take_turn(g, {"immediate_danger": False}, ["immediate_danger"], "pets_at_risk",
                      read_reply(g, "pets_at_risk", "deny", "no, not that i know"))
    assert typed.facts["pets_at_risk"] is False
