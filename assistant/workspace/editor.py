"""The schema-aware YAML editor's server side: what the page script needs to complete keys and values.

The editor (static/yaml-editor.js, with CodeMirror bundled into static/vendor/ by
`make install`) checks the text with the validator's own check endpoint (app.py's
/api/check-rule, or the URL its textarea names) and completes keys and values from
the shape this module serves. The shape is built from the JSON Schemas in
pathways/schema/ (the keys a rule, a scenario or an article may have, their
descriptions, their fixed values) and from the loaded guidance (the fact ids, the
pathway ids, the urgency levels, the rules' definitions, the area settings), so a
new fact or pathway appears in the completions without touching the editor.

Which key refers to which list (a rule's `add:` names a pathway, its `when:` is a
condition) is the guidance format's own structure, the same knowledge the loader
has; it is written once here, in REFERENCES, and the page script stays generic.

Kept apart from app.py so the editor (static/, this module) changes on its own.
"""
from __future__ import annotations

import json
from functools import cache
from typing import Any

import yaml
from aiohttp import web

from assistant.guidance.model import FactSpec, Guidance
from assistant.guidance.schema import SCHEMA_DIR

from . import view

Node = dict[str, Any]
Vocabulary = dict[str, list[dict[str, str]]]

# kind (the textarea's data-yaml-editor) -> (schema file, JSON pointer to the part one edit holds)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "rule": ("rules", ("properties", "rules", "items")),
    "scenario": ("scenario", ()),
    "article": ("article", ()),
}

# what a key's value refers to, per kind: a vocabulary list ("pathways"), a condition,
# or a map whose keys come from a list (a scenario's `facts:`, a named node). Laid over the schema's shape.
REFERENCES: dict[str, dict[str, Node]] = {
    "rule": {
        "when": {"ref": "condition", "doc": "when the rule holds, in the condition language"},
        "add": {"values": "pathways", "doc": "the pathway this rule recommends (with urgency:)"},
        "urgency": {"values": "urgencies", "doc": "how urgently: a level from guidance.yaml"},
        "exclude": {"values": "pathways", "items": {"values": "pathways"}, "doc": "pathways this rule takes away"},
        "local": {"doc": "true for a rule this area decided itself"},
    },
    "scenario": {
        "area": {"values": "areas"},
        "facts": {"ref": "fact_answers", "doc": "the answers of this case: fact: value"},
        "expect": {"values": "pathways", "items": {"values": "pathways"}},
        "expect_not": {"values": "pathways", "items": {"values": "pathways"}},
        "expect_first": {"values": "pathways"},
        "expect_urgency": {"ref": "pathway_urgencies", "doc": "pathway: the urgency it must have"},
    },
    "article": {
        "pathways": {"items": {"values": "pathways"}},
    },
}

# the condition language's words (assistant/guidance/conditions.py), in an author's words;
# tests/workspace/test_editor_routes.py keeps these in step with the parser's own lists
KEYWORD_DOCS = {
    "all": "a list of conditions that must all hold",
    "any": "a list of conditions of which at least one holds",
    "not": "a condition that is known not to hold",
    "unless": "holds when the condition (or definition) is false or not known yet",
    "meets": "a definition from the top of rules.yaml holds",
    "unknown": "the fact has not been answered yet",
    "known": "the fact has been answered",
    "always": "holds whatever the answers (always: true)",
}
OPERATOR_DOCS = {
    "is": "equals", "is_not": "does not equal", "at_least": "is this number or more",
    "more_than": "is more than this number", "at_most": "is this number or less",
    "less_than": "is less than this number", "one_of": "is one of a list of values",
    "contains": "a list setting includes this value",
}
NUMERIC_OPERATORS = ("at_least", "more_than", "at_most", "less_than")
TYPE_WORDS = {"bool": "yes/no question", "int": "number question", "enum": "choice question"}


@cache
def _schemas() -> dict[str, Any]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.schema.json")}


def _deref(node: Any, file: str) -> tuple[Any, str]:
    """Follows a $ref (within a file or into another schema file) to the schema it names."""
    while isinstance(node, dict) and "$ref" in node:
        target, _, pointer = str(node["$ref"]).partition("#")
        file = target or file
        node = _schemas()[file]
        for part in [p for p in pointer.split("/") if p]:
            node = node[part]
    return node, file


def _from_schema(schema: Any, file: str, depth: int = 0) -> Node:
    """The editor's node for one schema: its description, fixed values, keys and list items."""
    schema, file = _deref(schema, file)
    node: Node = {}
    if not isinstance(schema, dict) or depth > 6:
        return node
    if schema.get("description"):
        node["doc"] = str(schema["description"])
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "boolean" in types:
        node["values"] = [{"label": "true"}, {"label": "false"}]
    if "enum" in schema:
        node["values"] = [{"label": json.dumps(v) if not isinstance(v, str) else v} for v in schema["enum"]]
    for alternative in schema.get("anyOf", []):
        if isinstance(alternative, dict) and "required" not in alternative:
            for key, value in _from_schema(alternative, file, depth + 1).items():
                node.setdefault(key, value)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        node["keys"] = {name: _from_schema(sub, file, depth + 1) for name, sub in properties.items()}
        if schema.get("required"):
            node["required"] = list(schema["required"])
    if isinstance(schema.get("items"), dict):
        node["items"] = _from_schema(schema["items"], file, depth + 1)
    return node


def kind_shape(kind: str) -> Node:
    """The schema's shape of what one edit of ``kind`` holds, with the references laid over it."""
    name, pointer = KINDS[kind]
    file = f"{name}.schema.json"
    schema: Any = _schemas()[file]
    for part in pointer:
        schema = schema[part]
    root = _from_schema(schema, file)
    for key, extra in REFERENCES.get(kind, {}).items():
        root.setdefault("keys", {}).setdefault(key, {}).update(extra)
    return root


def _fact_values(spec: FactSpec) -> list[dict[str, str]]:
    if spec.type == "bool":
        return [{"label": "true", "detail": "yes"}, {"label": "false", "detail": "no"}]
    if spec.type == "enum":
        return [{"label": v, "detail": "choice"} for v in spec.values]
    return []


def _number_settings(settings: dict[str, Any]) -> list[dict[str, str]]:
    return [{"label": f"settings.{name}", "detail": f"area setting, now {value}"}
            for name, value in settings.items() if isinstance(value, int) and not isinstance(value, bool)]


def condition_nodes(guidance: Guidance, settings: dict[str, Any]) -> dict[str, Node]:
    """The condition language as editor nodes: its keywords, each fact, each area setting."""
    nodes: dict[str, Node] = {}
    keys: dict[str, Node] = {
        "all": {"doc": KEYWORD_DOCS["all"], "items": {"ref": "condition"}},
        "any": {"doc": KEYWORD_DOCS["any"], "items": {"ref": "condition"}},
        "not": {"doc": KEYWORD_DOCS["not"], "ref": "condition"},
        "unless": {"doc": KEYWORD_DOCS["unless"], "ref": "condition", "values": "definitions"},
        "meets": {"doc": KEYWORD_DOCS["meets"], "values": "definitions"},
        "unknown": {"doc": KEYWORD_DOCS["unknown"], "values": "facts"},
        "known": {"doc": KEYWORD_DOCS["known"], "values": "facts"},
        "always": {"doc": KEYWORD_DOCS["always"], "values": [{"label": "true"}]},
    }
    for fid, spec in guidance.facts.items():
        values = _fact_values(spec)
        if spec.type == "int":
            values = _number_settings(settings)
            ops: tuple[str, ...] = NUMERIC_OPERATORS + ("is", "is_not")
        else:
            ops = ("is", "is_not", "one_of")
        op_keys: dict[str, Node] = {}
        for op in ops:
            op_keys[op] = {"doc": OPERATOR_DOCS[op], "values": values}
            if op == "one_of":
                op_keys[op]["items"] = {"values": values}
        nodes[f"fact:{fid}"] = {"doc": spec.question, "values": values, "keys": op_keys}
        keys[fid] = {"ref": f"fact:{fid}", "doc": spec.question}
    for name, value in settings.items():
        op_keys = {"is": {"doc": OPERATOR_DOCS["is"]}, "is_not": {"doc": OPERATOR_DOCS["is_not"]}}
        if isinstance(value, list):
            op_keys["contains"] = {"doc": OPERATOR_DOCS["contains"],
                                   "values": [{"label": str(v)} for v in value]}
        nodes[f"setting:{name}"] = {"doc": f"area setting, now {value}", "keys": op_keys,
                                    "values": [{"label": "true"}, {"label": "false"}]
                                    if isinstance(value, bool) else []}
        keys[f"settings.{name}"] = {"ref": f"setting:{name}", "doc": f"area setting, now {value}"}
    nodes["condition"] = {"doc": "a condition in the rules language (see the top of rules.yaml)", "keys": keys}
    return nodes


def vocabulary(guidance: Guidance, definitions: list[str], areas: list[tuple[str, str]]) -> Vocabulary:
    """The lists values are completed from: facts, pathways, urgencies, definitions, areas."""
    return {
        "facts": [{"label": f.id, "detail": TYPE_WORDS.get(f.type, f.type), "info": f.question}
                  for f in guidance.facts.values()],
        "pathways": [{"label": p.id, "detail": "pathway", "info": p.title} for p in guidance.pathways.values()],
        "urgencies": [{"label": u.id, "detail": "urgency", "info": u.label} for u in guidance.urgencies.values()],
        "definitions": [{"label": d, "detail": "definition in rules.yaml"} for d in definitions],
        "areas": [{"label": aid, "detail": "area", "info": name} for aid, name in areas],
    }


def map_nodes(guidance: Guidance) -> dict[str, Node]:
    """Maps whose keys come from a list: a scenario's `facts:` and `expect_urgency:`."""
    answers = {fid: {"doc": spec.question,
                     "values": _fact_values(spec) + ([{"label": "null", "detail": "not sure"}])}
               for fid, spec in guidance.facts.items()}
    urgencies = {pid: {"doc": p.title, "values": "urgencies"} for pid, p in guidance.pathways.items()}
    return {"fact_answers": {"keys": answers}, "pathway_urgencies": {"keys": urgencies}}


def definitions_in(rules_text: str) -> list[str]:
    """The names under `definitions:` in rules.yaml (empty when the text does not parse)."""
    try:
        doc = yaml.safe_load(rules_text)
    except yaml.YAMLError:
        return []
    found = doc.get("definitions") if isinstance(doc, dict) else None
    return [str(name) for name in found] if isinstance(found, dict) else []


def shape(kind: str, guidance: Guidance, rules_text: str, areas: list[view.AreaView]) -> dict[str, Any]:
    """Everything the page script needs for one kind: its root node, the named nodes, the lists."""
    settings: dict[str, Any] = {}
    for area in areas:
        for setting in area.settings:
            settings.setdefault(setting.name, setting.value)
    nodes = {**condition_nodes(guidance, settings), **map_nodes(guidance)}
    return {"kind": kind, "root": kind_shape(kind), "nodes": nodes,
            "lists": vocabulary(guidance, definitions_in(rules_text), [(a.id, a.name) for a in areas])}


def _shape_for(request: web.Request, kind: str) -> dict[str, Any]:
    from .app import WS, user_of  # app.py imports this module: resolved at call time

    ws = request.app[WS]
    draft = ws.draft_for(user_of(request))
    try:
        # the author's draft, so a fact or definition added in it is offered at once
        with ws.tree(draft) as root:
            guidance = _load(root)
    except Exception:  # noqa: BLE001 - a draft that does not load yet: complete from the published guidance
        guidance = ws.guidance()
    return shape(kind, guidance, ws.text("rules.yaml", draft), view.areas(ws.pathways))


def _load(root: Any) -> Guidance:
    from assistant.guidance.loader import load_guidance
    return load_guidance(root)


async def editor_shape(request: web.Request) -> web.Response:
    """GET /api/editor/shape/{kind}: the completions for a rule, a scenario or an article."""
    kind = request.match_info["kind"]
    if kind not in KINDS:
        return web.json_response({"error": f"no editor for {kind!r}: use one of {', '.join(KINDS)}"}, status=404)
    return web.json_response(_shape_for(request, kind), headers={"Cache-Control": "no-store"})


def add_routes(router: web.UrlDispatcher) -> None:
    """Adds the editor's routes (checking stays at app.py's /api/check-rule and its kin)."""
    router.add_get("/api/editor/shape/{kind}", editor_shape)
