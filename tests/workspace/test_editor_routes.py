"""The editor's shape route: signed-in only, built from the schemas and the loaded guidance,
and in step with the condition parser's own words."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from assistant import PATHWAYS_DIR
from assistant.guidance.conditions import KEYWORDS, OPERATORS
from assistant.guidance.loader import load_guidance
from assistant.workspace import editor, view

from .conftest import sign_in


def test_the_condition_words_are_the_parsers():
    assert set(editor.KEYWORD_DOCS) == KEYWORDS
    # the word operators; `in` is one_of's short (symbol-like) spelling, offered as one_of
    assert set(editor.OPERATOR_DOCS) == {op for op in OPERATORS if op.isidentifier()} - {"in"}


@pytest.mark.parametrize("kind", sorted(editor.KINDS))
def test_each_kinds_keys_come_from_its_schema(kind):
    name, pointer = editor.KINDS[kind]
    schema = json.loads((editor.SCHEMA_DIR / f"{name}.schema.json").read_text())
    for part in pointer:
        schema = schema[part]
    root = editor.kind_shape(kind)
    assert set(root["keys"]) == set(schema["properties"])
    assert root["required"] == schema["required"]
    # every reference laid over the schema names a key the schema has
    assert set(editor.REFERENCES[kind]) <= set(schema["properties"])


def test_the_shape_offers_the_guidances_facts_pathways_and_definitions():
    guidance = load_guidance(PATHWAYS_DIR)
    shape = editor.shape("rule", guidance, (PATHWAYS_DIR / "rules.yaml").read_text(), view.areas(PATHWAYS_DIR))
    condition = shape["nodes"]["condition"]["keys"]
    assert set(guidance.facts) <= set(condition) and KEYWORDS <= set(condition)
    assert {p["label"] for p in shape["lists"]["pathways"]} == set(guidance.pathways)
    assert {u["label"] for u in shape["lists"]["urgencies"]} == set(guidance.urgencies)
    assert "serious_crime" in {d["label"] for d in shape["lists"]["definitions"]}
    number = next(f for f in guidance.facts.values() if f.type == "int")
    assert "at_least" in shape["nodes"][f"fact:{number.id}"]["keys"]
    assert shape["root"]["keys"]["when"]["ref"] == "condition"


def test_the_route_needs_sign_in_and_names_the_kinds(workspace, new_page):
    request = urllib.request.Request(workspace.url + "/api/editor/shape/rule")
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *a, **k: None}))
    with pytest.raises(urllib.error.HTTPError) as signed_out:
        opener.open(request, timeout=10)
    assert signed_out.value.code == 303 and signed_out.value.headers["Location"].startswith("/signin")
    page = new_page()
    sign_in(page, workspace.url, "alice")
    answer = page.evaluate("""async () => { const r = await fetch('/api/editor/shape/scenario');
                                            return [r.status, await r.json()]; }""")
    assert answer[0] == 200 and answer[1]["root"]["keys"]["facts"]["ref"] == "fact_answers"
    unknown = page.evaluate("""async () => { const r = await fetch('/api/editor/shape/contact');
                                             return [r.status, await r.json()]; }""")
    assert unknown[0] == 404 and "rule, scenario, article" in unknown[1]["error"]
