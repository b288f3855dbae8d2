"""A strict structural check of the Adaptive Card 1.4 subset Signpost sends.

Not the whole schema: the elements and properties we use, each with the types
and values the 1.4 schema allows, so a typo ("Textblock", "colour") or an
element Teams cannot draw fails a test instead of showing an empty card.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SPACING = {"None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"}
COLORS = {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"}
SIZES = {"Default", "Small", "Medium", "Large", "ExtraLarge"}
WEIGHTS = {"Default", "Lighter", "Bolder"}
CONTAINER_STYLES = {"default", "emphasis", "good", "attention", "warning", "accent"}
COMMON = {"type", "id", "spacing", "separator", "isVisible"}
TEXT_STYLE = {"color": COLORS, "size": SIZES, "weight": WEIGHTS}
ALLOWED = {
    "TextBlock": COMMON | {"text", "wrap", "isSubtle", "color", "size", "weight", "maxLines"},
    "RichTextBlock": COMMON | {"inlines"},
    "TextRun": {"type", "text", "color", "size", "weight", "isSubtle", "italic"},
    "Container": COMMON | {"items", "style"},
    "ActionSet": COMMON | {"actions"},
    "Action.Submit": {"type", "title", "data"},
    "Action.OpenUrl": {"type", "title", "url"},
    "Action.ShowCard": {"type", "title", "card"},
}


def _check_style(element: dict, path: str) -> None:
    for key, values in TEXT_STYLE.items():
        if key in element:
            assert element[key] in values, f"{path}.{key} = {element[key]!r}"
    if "spacing" in element:
        assert element["spacing"] in SPACING, f"{path}.spacing = {element['spacing']!r}"
    for flag in ("wrap", "isSubtle", "separator"):
        if flag in element:
            assert isinstance(element[flag], bool), f"{path}.{flag} must be a boolean"


def _check_action(action: dict, path: str) -> None:
    kind = action.get("type")
    assert kind in ("Action.Submit", "Action.OpenUrl", "Action.ShowCard"), f"{path}: action type {kind!r}"
    assert set(action) <= ALLOWED[kind], f"{path}: unexpected {set(action) - ALLOWED[kind]}"
    assert isinstance(action.get("title"), str) and action["title"].strip(), f"{path}: an action needs a title"
    if kind == "Action.OpenUrl":
        assert action["url"].startswith(("https://", "http://", "tel:", "mailto:")), f"{path}: url {action['url']!r}"
    elif kind == "Action.Submit":
        assert isinstance(action.get("data"), dict), f"{path}: Action.Submit needs data"
    else:
        _check_card(action["card"], f"{path}.card", top=False)


def _check_element(element: dict, path: str) -> None:
    kind = element.get("type")
    assert kind in ALLOWED and not kind.startswith("Action."), f"{path}: element type {kind!r}"
    assert set(element) <= ALLOWED[kind], f"{path}: unexpected {set(element) - ALLOWED[kind]}"
    _check_style(element, path)
    if kind == "TextBlock":
        assert isinstance(element.get("text"), str), f"{path}: TextBlock needs text"
    elif kind == "RichTextBlock":
        assert element.get("inlines"), f"{path}: RichTextBlock needs inlines"
        for i, run in enumerate(element["inlines"]):
            assert run.get("type") == "TextRun" and set(run) <= ALLOWED["TextRun"], f"{path}.inlines[{i}]"
            assert isinstance(run.get("text"), str), f"{path}.inlines[{i}] needs text"
            _check_style(run, f"{path}.inlines[{i}]")
    elif kind == "Container":
        assert element.get("items"), f"{path}: Container needs items"
        if "style" in element:
            assert element["style"] in CONTAINER_STYLES
        for i, item in enumerate(element["items"]):
            _check_element(item, f"{path}.items[{i}]")
    elif kind == "ActionSet":
        assert element.get("actions"), f"{path}: ActionSet needs actions"
        assert len(element["actions"]) <= 5, f"{path}: more buttons than hosts draw in a row"
        for i, action in enumerate(element["actions"]):
            _check_action(action, f"{path}.actions[{i}]")


def _check_card(card: dict, path: str, top: bool) -> None:
    assert card.get("type") == "AdaptiveCard", f"{path}: not an AdaptiveCard"
    assert card.get("version") == "1.4", f"{path}: version {card.get('version')!r}"
    if top:
        assert card.get("$schema") == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert set(card) <= {"type", "version", "$schema", "body", "actions", "fallbackText", "msteams"}
    assert isinstance(card.get("body"), list) and card["body"], f"{path}: empty body"
    for i, element in enumerate(card["body"]):
        _check_element(element, f"{path}.body[{i}]")
    for i, action in enumerate(card.get("actions", [])):
        _check_action(action, f"{path}.actions[{i}]")


def assert_adaptive_card(card: dict) -> None:
    _check_card(card, "card", top=True)


def walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def dynamic_texts(card: dict) -> list[str]:
    """Every TextRun's text (where all guidance and conversation text goes)."""
    return [n["text"] for n in walk(card) if n.get("type") == "TextRun"]


def text_blocks(card: dict) -> list[str]:
    return [n["text"] for n in walk(card) if n.get("type") == "TextBlock"]


def submit_actions(card: dict) -> list[dict]:
    return [n for n in walk(card) if n.get("type") == "Action.Submit"]


def open_urls(card: dict) -> list[dict]:
    return [n for n in walk(card) if n.get("type") == "Action.OpenUrl"]
