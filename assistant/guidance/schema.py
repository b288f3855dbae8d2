"""Checks the shape of every guidance and knowledge YAML file against its JSON Schema.

The schemas live in pathways/schema/ (one per kind of file) so that an author's
editor can underline mistakes as they type (each YAML file's first line names its
schema for the YAML language server). Here the same schemas turn a mistake into a
Problem with the file, the line and a fix an author can follow: an unknown key gets
"did you mean `maximum`?", because a misspelt key would otherwise silently vanish.
Cross-references (unknown facts, unreachable pathways) are the loader's job.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, RefResolver
from jsonschema.exceptions import ValidationError

from assistant import PROJECT_ROOT

from .problems import Collector, Problem
from .yamlfile import YDict, YList, read_yaml

SCHEMA_DIR = PROJECT_ROOT / "pathways" / "schema"

# which schema describes which file, by name in the guidance folder
SCHEMA_OF = {
    "guidance.yaml": "guidance", "facts.yaml": "facts", "catalogue.yaml": "catalogue",
    "rules.yaml": "rules", "phrasings.yaml": "phrasings", "messages.yaml": "messages",
    "glossary.yaml": "glossary", "out_of_scope.yaml": "out_of_scope",
}
SCHEMA_OF_FOLDER = {"areas": "area", "scenarios": "scenario"}
# the files that decide a recommendation: the loader checks them (and builds nothing from a misshapen one)
GUIDANCE_SCHEMAS = {"guidance", "facts", "catalogue", "rules", "area"}

# what the entries of a list are called, for messages ("fact `dash_score`")
_KIND = {"facts": "fact", "rules": "rule", "pathways": "pathway", "contacts": "contact", "options": "option",
         "urgencies": "urgency level", "groups": "group", "items": "entry"}
_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a block of `name: value` lines", "null": "empty (null)"}


def schema_name(file: Path) -> str | None:
    """The schema for a file, by its name or its folder (None: not a guidance file)."""
    if file.name in SCHEMA_OF:
        return SCHEMA_OF[file.name]
    return SCHEMA_OF_FOLDER.get(file.parent.name)


def schema_path(name: str) -> Path:
    return SCHEMA_DIR / f"{name}.schema.json"


@cache
def _validator(name: str) -> Draft202012Validator:
    store = {}
    for path in SCHEMA_DIR.glob("*.schema.json"):
        store[path.resolve().as_uri()] = json.loads(path.read_text(encoding="utf-8"))
    path = schema_path(name).resolve()
    schema = store[path.as_uri()]
    resolver = RefResolver(base_uri=path.as_uri(), referrer=schema, store=store)
    return Draft202012Validator(schema, resolver=resolver)


def _plain(value: Any) -> Any:
    """JSON-shaped data: dates as YYYY-MM-DD text, keys as text."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10]
    return value


def _child(node: Any, step: Any) -> Any:
    if isinstance(node, dict):
        if step in node:
            return node[step]
        for key in node:  # a key YAML read as true/false or a number
            if str(key) == str(step):
                return node[key]
        return None
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return None


def _key_in(node: Any, step: Any) -> Any:
    if isinstance(node, dict):
        return next((k for k in node if str(k) == str(step)), step)
    return step


def _locate(data: Any, path: Iterable[Any]) -> tuple[int, str]:
    """The line of the value at ``path`` and words naming where it is."""
    node, line, where = data, getattr(data, "line", 1) or 1, "the file"
    parent_key: Any = None
    for step in path:
        if isinstance(node, YDict):
            line = node.line_of(_key_in(node, step))
        elif isinstance(node, YList) and isinstance(step, int):
            line = node.line_of(step)
        child = _child(node, step)
        if isinstance(child, dict) and isinstance(step, int):
            name = child.get("id") or child.get("name") or child.get("label")
            kind = _KIND.get(str(parent_key), "entry")
            where = f"{kind} `{name}`" if child.get("id") else (f"{kind} '{name}'" if name else f"{kind} {step + 1}")
        elif (isinstance(child, dict) and isinstance(parent_key, str)
              and parent_key in ("pathways", "contacts", "facts")):
            where = f"`{step}` under `{parent_key}:`"
        elif isinstance(child, dict) and not isinstance(step, int) and where == "the file":
            where = f"`{step}:`"
        parent_key = step
        if child is None:
            break
        node = child
    return line, where


def _close(word: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def _describe(error: ValidationError, data: Any, schema_file: str) -> list[tuple[int, str, str]]:
    """(line, message, fix) for one schema error, in an author's words."""
    path = list(error.absolute_path)
    line, where = _locate(data, path)
    if path and not isinstance(path[-1], int):
        key = f"`{path[-1]}:`"
    elif len(path) >= 2 and not isinstance(path[-2], int):
        key = f"item {path[-1] + 1} of `{path[-2]}:`"
    else:
        key = "this entry"
    schema, instance, kind = error.schema, error.instance, error.validator
    hint = schema.get("description") if isinstance(schema, dict) else None
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        node = data
        for step in path:
            node = _child(node, step)
        result = []
        for extra in (k for k in instance if k not in allowed):
            at = node.line_of(_key_in(node, extra)) if isinstance(node, YDict) else line
            guess = _close(extra, allowed) if allowed else None
            if guess:
                fix = f"did you mean `{guess}`?"
            elif allowed:
                fix = "allowed here: " + ", ".join(allowed)
            else:
                fix = "remove it"
            result.append((at, f"unknown key `{extra}` in {where}", fix))
        return result
    if kind == "required":
        missing = [r for r in error.validator_value if r not in instance]
        return [(line, f"{where} has no `{m}:`", f"add `{m}:` (see {schema_file})") for m in missing]
    if kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(_TYPE_WORDS.get(str(w), str(w)) for w in wanted)
        return [(line, f"{key} in {where} must be {words}", hint or f"write {key} as {words}")]
    if kind == "enum":
        guess = _close(str(instance), [str(v) for v in error.validator_value])
        choices = ", ".join(str(v) for v in error.validator_value)
        return [(line, f"{key} in {where} is {instance!r}, not one of: {choices}",
                 f"did you mean `{guess}`?" if guess else f"use one of: {choices}")]
    if kind == "minLength":
        name = f"`{path[-1]}`" if path and not isinstance(path[-1], int) else "this entry"
        return [(line, f"{name} in {where} has no wording", "write the words (in quotes), or remove the line")]
    if kind in ("minItems", "minProperties"):
        return [(line, f"{key} in {where} is empty", "add at least one entry")]
    if kind in ("anyOf", "oneOf", "contains") and isinstance(schema, dict) and schema.get("errorMessage"):
        message, _, fix = schema["errorMessage"].partition(" | ")
        return [(line, f"{where}: {message}", fix or f"see {schema_file}")]
    if kind in ("anyOf", "oneOf") and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if deepest.validator not in ("anyOf", "oneOf"):
            return _describe(deepest, data, schema_file)
    if kind == "pattern":
        return [(line, f"{key} in {where} is {instance!r}, which is not {hint or 'the expected form'}",
                 f"write {hint}" if hint else f"see {schema_file}")]
    return [(line, f"{key} in {where}: {error.message}", hint or f"see {schema_file}")]


def check_shape(out: Collector, file: Path, data: Any, name: str | None = None) -> int:
    """Report every way ``data`` (read with line numbers) breaks its schema; returns the error count."""
    name = name or schema_name(file)
    if name is None:
        return 0
    validator = _validator(name)
    plain = _plain(data)
    schema_file = f"pathways/schema/{name}.schema.json"
    count = 0
    seen: set[tuple[int, str]] = set()
    for error in sorted(validator.iter_errors(plain), key=lambda e: list(map(str, e.absolute_path))):
        for line, message, fix in _describe(error, data, schema_file):
            if (line, message) in seen:
                continue
            seen.add((line, message))
            out.error(file, line, message, fix)
            count += 1
    return count


# A phrase is a regular expression; NUM stands for a number (see assistant/extraction).
_NUM = r"(\d+)"


def check_patterns(out: Collector, file: Path, data: Any) -> int:
    """Every phrase in phrasings.yaml must compile as a regular expression; returns the error count."""
    count = 0
    facts = data.get("facts") if isinstance(data, dict) else None
    if not isinstance(facts, YDict):
        return 0

    def check(fact: Any, phrases: Any, upper_ok: bool = True) -> None:
        nonlocal count
        if not isinstance(phrases, YList):
            return
        for i, phrase in enumerate(phrases):
            if not isinstance(phrase, str):
                continue
            text = phrase.strip().replace("NUM", _NUM)
            try:
                re.compile(text.lower() if upper_ok else text)
            except re.error as exc:
                out.error(file, phrases.line_of(i), f"phrase {phrase!r} of `{fact}` is not a valid pattern ({exc.msg})",
                          "check the brackets ( ) [ ] are paired and escape a literal ( ? * + with a backslash")
                count += 1

    for fact, spec in facts.items():
        if not isinstance(spec, YDict):
            continue
        for key in ("says", "says_not", "numbers"):
            check(fact, spec.get(key))
        for key in ("values", "when_asked"):
            block = spec.get(key)
            if isinstance(block, YDict):
                for phrases in block.values():
                    check(fact, phrases)
        ages = spec.get("ages")
        if isinstance(ages, YDict):
            check(fact, ages.get("patterns"), upper_ok=False)
    return count


def other_files(path: Path) -> list[Problem]:
    """Problems in the folder's files that do not decide a recommendation: phrasings.yaml
    (every phrase must be a valid pattern), messages.yaml, scenarios/*.yaml, and any YAML file no schema
    describes. Kept apart from validate() so a phrasing mistake never stops the guidance
    loading; `signpost validate` reports both."""
    root = Path(path)
    out = Collector(root)
    for file in sorted(root.glob("*.yaml")) + sorted(root.glob("*/*.yaml")):
        name = schema_name(file)
        if name in GUIDANCE_SCHEMAS:
            continue  # the loader checks these
        if name is None:
            out.warning(file, 0, "no schema describes this file, so nothing in it is checked or used",
                        "move it out of the guidance folder, or rename it to a file the guidance uses")
            continue
        data = read_yaml(file, out)
        if data is None:
            continue
        if not check_shape(out, file, data) and file.name == "phrasings.yaml":
            check_patterns(out, file, data)
    return list(dict.fromkeys(out.problems))
