"""Loads pathways/ into a Guidance, or raises GuidanceError listing every problem.

Nothing is half-loaded: every file and every area is checked first, and a
Guidance is only built when no error was found.

Files (all under the guidance folder):
  guidance.yaml     version, default area, default settings, urgency levels
  facts.yaml        the questions, in safety order (most critical first)
  catalogue.yaml    the pathways: what to do, how to refer, consent, contacts
  rules.yaml        definitions and the rules that add or exclude pathways
  areas/*.yaml      one file per area: settings and contacts that differ
"""
from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path
from typing import Any, Optional

from assistant import PATHWAYS_DIR

from . import checks
from .conditions import ConditionCompiler, compile_ask_when
from .groups import load_groups
from .model import FactSpec, Guidance, Option, PathwaySpec, Rule, Urgency
from .problems import Collector, GuidanceError, Problem
from .schema import check_patterns, check_shape, schema_name
from .vocabulary import DISCLOSURE_SOURCES, FACT_TYPES, PATHWAY_IDS
from .yamlfile import YDict, YList, line_of, read_yaml

CORE_FILES = ("guidance.yaml", "facts.yaml", "catalogue.yaml", "rules.yaml")
TEXT_FIELDS = ("title", "summary", "what_to_do", "how_to_refer", "consent", "sharing_without_consent")
CONTACT_REACH = ("phone", "url", "form", "email", "how")


def guidance_files(root: Path) -> list[Path]:
    """Every file whose content decides a recommendation (scenarios and phrasings do not)."""
    files = [root / name for name in CORE_FILES]
    files += sorted((root / "areas").glob("*.yaml"))
    return files


class _Source:
    """The raw YAML of one load, read once."""

    def __init__(self, root: Path, out: Collector):
        self.root = root
        self.out = out
        self.docs: dict[str, Any] = {}
        self.areas: dict[str, tuple[Path, YDict]] = {}
        self.shape_errors = 0  # errors against pathways/schema/: nothing is built from a misshapen file
        for name in CORE_FILES:
            path = root / name
            if not path.is_file():
                out.error(path, 0, f"{name} is missing from the guidance folder",
                          f"restore {name} (see pathways/README.md for what it holds)")
                continue
            data = read_yaml(path, out)
            if data is None:
                if not out.has_errors:
                    out.error(path, 0, f"{name} is empty", f"restore the content of {name}")
                continue
            self.shape_errors += check_shape(out, path, data)
            if not isinstance(data, YDict):
                continue
            self.docs[name] = data
        area_dir = root / "areas"
        for path in sorted(area_dir.glob("*.yaml")) if area_dir.is_dir() else []:
            data = read_yaml(path, out)
            if data is None:
                if not out.has_errors:
                    out.error(path, 0, "the area file is empty", "copy the layout of areas/sefton.yaml")
                continue
            self.shape_errors += check_shape(out, path, data)
            if not isinstance(data, YDict):
                continue
            area_id = data.get("area")
            if not isinstance(area_id, str) or not area_id:
                out.error(path, data.line_of("area"), "the area file has no `area:` name",
                          f"add `area: {path.stem}` at the top")
                continue
            if area_id in self.areas:
                out.error(path, data.line_of("area"), f"area `{area_id}` is also defined in {self.areas[area_id][0].name}",
                          "give each area file its own `area:` name")
                continue
            self.areas[area_id] = (path, data)
        if not self.areas:
            out.error(area_dir, 0, "no area file found in areas/", "add areas/sefton.yaml (area name, settings, contacts)")


def _text(out: Collector, file: Path, block: YDict, key: str, what: str, required: bool = True) -> str:
    value = block.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            out.error(file, block.line, f"{what} has no `{key}:`", f"add `{key}:` with plain-words text")
        return ""
    if not isinstance(value, str):
        out.error(file, block.line_of(key), f"`{key}:` of {what} must be text", "put the text in quotes")
        return ""
    return " ".join(value.split()) if "\n" not in value.strip() else value.strip()


def _list_of_dicts(out: Collector, file: Path, doc: YDict, key: str) -> list[tuple[int, YDict]]:
    items = doc.get(key)
    if not isinstance(items, YList):
        out.error(file, doc.line_of(key) if key in doc else 1, f"`{key}:` must be a list",
                  f"write `{key}:` and then one entry per item starting with `- id:`")
        return []
    result = []
    for i, item in enumerate(items):
        if not isinstance(item, YDict):
            out.error(file, items.line_of(i), f"entry {i + 1} of `{key}:` is not a mapping",
                      "each entry starts with `- id: name` followed by its fields")
            continue
        result.append((items.line_of(i), item))
    return result


def _urgencies(src: _Source) -> dict[str, Urgency]:
    out, doc = src.out, src.docs.get("guidance.yaml")
    file = src.root / "guidance.yaml"
    if doc is None:
        return {}
    result: dict[str, Urgency] = {}
    for line, item in _list_of_dicts(out, file, doc, "urgencies"):
        uid = item.get("id")
        if not isinstance(uid, str):
            out.error(file, line, "an urgency level has no `id:`", "add `id: same_day` (a short name)")
            continue
        if uid in result:
            out.error(file, line, f"urgency `{uid}` is listed twice", "keep one entry per urgency level")
            continue
        result[uid] = Urgency(uid, len(result), _text(out, file, item, "label", f"urgency {uid}"),
                              _text(out, file, item, "meaning", f"urgency {uid}", required=False))
    return result


def _contacts(out: Collector, file: Path, items: Any, owner: str, line: int, today: _dt.date,
              max_age: int) -> list[dict]:
    if not isinstance(items, YList):
        out.error(file, line_of(items, line), f"contacts of {owner} must be a list",
                  "write `contacts:` then one `- name:` entry per contact")
        return []
    result = []
    for i, item in enumerate(items):
        at = items.line_of(i)
        if not isinstance(item, YDict) or not isinstance(item.get("name"), str):
            out.error(file, at, f"contact {i + 1} of {owner} has no `name:`", "start the contact with `- name: ...`")
            continue
        name = item["name"]
        if not any(isinstance(item.get(k), (str, int)) for k in CONTACT_REACH):
            out.error(file, at, f"contact '{name}' of {owner} says nowhere how to reach it",
                      "add a phone:, url:, form:, email: or how: line")
        if not isinstance(item.get("source"), str):
            out.error(file, at, f"contact '{name}' of {owner} has no `source:`",
                      "add `source:` naming where the number or address was checked")
        verified = item.get("last_verified")
        if isinstance(verified, str):
            try:
                verified = _dt.date.fromisoformat(verified)
            except ValueError:
                verified = None
        if isinstance(verified, _dt.datetime):
            verified = verified.date()
        if not isinstance(verified, _dt.date):
            out.error(file, item.line_of("last_verified"), f"contact '{name}' of {owner} has no valid `last_verified:` date",
                      "add `last_verified: YYYY-MM-DD`, the day someone last checked it")
        elif (today - verified).days > max_age:
            out.warning(file, item.line_of("last_verified"),
                        f"contact '{name}' of {owner} was last verified on {verified} ({(today - verified).days} days ago, limit {max_age})",
                        "check the contact against its source, then update `last_verified:`")
        contact = {str(k): (v.isoformat() if isinstance(v, _dt.date) else v) for k, v in item.items()}
        if isinstance(verified, _dt.date):
            contact["last_verified"] = verified.isoformat()
        result.append(contact)
    return result


def _format(text: str, settings: dict) -> str:
    try:
        return text.format_map(settings)
    except (KeyError, ValueError, IndexError):
        return text


def _facts(src: _Source, settings: dict) -> dict[str, FactSpec]:
    out, doc = src.out, src.docs.get("facts.yaml")
    file = src.root / "facts.yaml"
    if doc is None:
        return {}
    compiler = ConditionCompiler({}, settings, out, file)  # resolves settings.NAME in facts.yaml
    result: dict[str, FactSpec] = {}
    for line, item in _list_of_dicts(out, file, doc, "facts"):
        fid = item.get("id")
        if not isinstance(fid, str) or not fid.isidentifier():
            out.error(file, line, "a fact has no valid `id:`", "add `id: name_in_lower_case`")
            continue
        if fid in result:
            out.error(file, line, f"fact `{fid}` is defined twice", "keep one definition and delete the other")
            continue
        ftype = item.get("type")
        if ftype not in ("bool", "int", "enum"):
            out.error(file, item.line_of("type"), f"fact `{fid}` has type {ftype!r}",
                      "use `type: bool` (yes/no), `type: int` (a number) or `type: enum` (a choice)")
            continue
        values: tuple[str, ...] = ()
        if ftype == "enum":
            raw = item.get("values")
            if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw):
                out.error(file, item.line_of("values"), f"choice fact `{fid}` has no `values:` list",
                          "add `values: [first, second]`")
                continue
            values = tuple(raw)
        minimum = maximum = None
        if ftype == "int":
            bounds = []
            for key in ("minimum", "maximum"):
                ok, v = compiler.resolve(item.get(key), item.line_of(key))
                if ok and v is not None and (isinstance(v, bool) or not isinstance(v, int)):
                    out.error(file, item.line_of(key), f"`{key}:` of `{fid}` must be a whole number", "write e.g. `minimum: 0`")
                    v = None
                bounds.append(v if ok else None)
            minimum, maximum = bounds
        spec_for_check = FactSpec(fid, ftype, "", "", [], 0, values, minimum, maximum)
        options: list[Option] = []
        raw_options = item.get("options")
        if not isinstance(raw_options, YList) or not raw_options:
            out.error(file, item.line_of("options") if "options" in item else line,
                      f"fact `{fid}` offers no answer options",
                      "add `options:` with `- {label: Yes, value: true}` entries and a `Not sure` (value: null)")
        else:
            for i, opt in enumerate(raw_options):
                at = raw_options.line_of(i)
                if not isinstance(opt, YDict) or not isinstance(opt.get("label"), str) or "value" not in opt:
                    out.error(file, at, f"option {i + 1} of `{fid}` needs `label:` and `value:`",
                              "write `- {label: Yes, value: true}`")
                    continue
                ok, value = compiler.resolve(opt["value"], at)
                if not ok:
                    continue
                if value is not None and not _fits(spec_for_check, value):
                    out.error(file, at, f"option '{opt['label']}' of `{fid}` has value {value!r}, which is not a valid {ftype} answer",
                              "use true/false for yes/no facts, a whole number for number facts, one of the values for choices, null for Not sure")
                    continue
                options.append(Option(_format(opt["label"], settings), value))
            if options and all(o.value is not None for o in options):
                out.error(file, raw_options.line, f"fact `{fid}` has no 'Not sure' option",
                          "add `- {label: Not sure, value: null}` so nobody has to guess")
        result[fid] = FactSpec(
            id=fid, type=ftype,
            question=_format(_text(out, file, item, "question", f"fact `{fid}`"), settings),
            why=_format(_text(out, file, item, "why", f"fact `{fid}`"), settings),
            options=options, priority=len(result), values=values, minimum=minimum, maximum=maximum, line=line)
    for fid, ftype in FACT_TYPES.items():
        if fid not in result:
            out.error(file, doc.line, f"fact `{fid}` of the shared vocabulary is missing",
                      f"add a fact with `id: {fid}` and `type: {ftype}`")
        elif result[fid].type != ftype:
            out.error(file, result[fid].line, f"fact `{fid}` must have `type: {ftype}` (shared vocabulary)",
                      f"change it to `type: {ftype}`")
        elif fid == "disclosure_source" and set(result[fid].values) != set(DISCLOSURE_SOURCES):
            out.error(file, result[fid].line, "`disclosure_source` must have values victim, third_party, perpetrator",
                      "write `values: [victim, third_party, perpetrator]`")
    return result


def _fits(spec: FactSpec, value: Any) -> bool:
    if spec.type == "bool":
        return isinstance(value, bool)
    if spec.type == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    return value in spec.values


def _pathways(src: _Source, area_file: Path, area_doc: YDict, today: _dt.date, max_age: int) -> dict[str, PathwaySpec]:
    out, doc = src.out, src.docs.get("catalogue.yaml")
    file = src.root / "catalogue.yaml"
    if doc is None:
        return {}
    overrides = area_doc.get("pathways") or YDict()
    area_contacts = area_doc.get("contacts") or YDict()
    for block, what in ((overrides, "pathways"), (area_contacts, "contacts")):
        if not isinstance(block, YDict):
            out.error(area_file, area_doc.line_of(what), f"`{what}:` in the area file must be a mapping of pathway ids",
                      f"write `{what}:` then `  pathway_id:` entries under it")
    result: dict[str, PathwaySpec] = {}
    for line, item in _list_of_dicts(out, file, doc, "pathways"):
        pid = item.get("id")
        if not isinstance(pid, str) or not pid.isidentifier():
            out.error(file, line, "a pathway has no valid `id:`", "add `id: name_in_lower_case`")
            continue
        if pid in result:
            out.error(file, line, f"pathway `{pid}` is defined twice", "keep one definition and delete the other")
            continue
        fields = {k: _text(out, file, item, k, f"pathway `{pid}`", required=k in ("title", "what_to_do", "how_to_refer"))
                  for k in TEXT_FIELDS}
        override = overrides.get(pid) if isinstance(overrides, YDict) else None
        national = True   # an area may replace the national contacts with its own (e.g. its police force)
        if isinstance(override, YDict):
            for k in override:
                if k == "national_contacts":
                    national = override[k]
                    if not isinstance(national, bool):
                        out.error(area_file, override.line_of(k), f"`national_contacts:` of `{pid}` must be true or false",
                                  "write `national_contacts: false` to show only this area's contacts")
                        national = True
                elif k not in TEXT_FIELDS:
                    out.error(area_file, override.line_of(k), f"`{k}` cannot be changed per area",
                              "an area may change: " + ", ".join(TEXT_FIELDS) + ", national_contacts")
                else:
                    fields[k] = _text(out, area_file, override, k, f"pathway `{pid}` in the area file")
        contacts = []
        local = area_contacts.get(pid) if isinstance(area_contacts, YDict) else None
        if local is not None:
            contacts += _contacts(out, area_file, local, f"pathway `{pid}`", area_contacts.line_of(pid), today, max_age)
        if not national and not local:
            out.error(area_file, override.line_of("national_contacts"),
                      f"`{pid}` hides the national contacts but the area gives none of its own",
                      f"add the area's contacts for `{pid}` under `contacts:`, or remove `national_contacts: false`")
        if "contacts" in item and (national or not local):
            contacts += _contacts(out, file, item["contacts"], f"pathway `{pid}`", item.line_of("contacts"), today, max_age)
        if not contacts:
            out.error(file, line, f"pathway `{pid}` has no contact (in the catalogue or in {area_file.name})",
                      "add at least one contact with name, phone/url/form, last_verified and source")
        result[pid] = PathwaySpec(id=pid, contacts=contacts, order=len(result), line=line, **fields)
    for key in list(overrides) if isinstance(overrides, YDict) else []:
        if key not in result:
            out.error(area_file, overrides.line_of(key), f"`{key}` under pathways: is not a pathway in catalogue.yaml",
                      "use a pathway id from catalogue.yaml")
    for key in list(area_contacts) if isinstance(area_contacts, YDict) else []:
        if key not in result:
            out.error(area_file, area_contacts.line_of(key), f"`{key}` under contacts: is not a pathway in catalogue.yaml",
                      "use a pathway id from catalogue.yaml")
    for pid in PATHWAY_IDS:
        if pid not in result:
            out.error(file, doc.line, f"pathway `{pid}` of the shared vocabulary is missing",
                      f"add a pathway with `id: {pid}`")
    return result


def _rules(src: _Source, facts: dict[str, FactSpec], settings: dict, pathways: dict[str, PathwaySpec],
           urgencies: dict[str, Urgency], fallback: tuple[str, ...]) -> tuple[list[Rule], ConditionCompiler]:
    out, doc = src.out, src.docs.get("rules.yaml")
    file = src.root / "rules.yaml"
    compiler = ConditionCompiler(facts, settings, out, file)
    if doc is None:
        return [], compiler
    definitions = doc.get("definitions") or YDict()
    if not isinstance(definitions, YDict):
        out.error(file, doc.line_of("definitions"), "`definitions:` must be a mapping of names to conditions",
                  "write `definitions:` then `  name:` with a condition under it")
        definitions = YDict()
    for name, cond in definitions.items():
        if name in facts:
            out.error(file, definitions.line_of(name), f"definition `{name}` has the same name as a fact",
                      "rename the definition")
            continue
        compiled = compiler.compile(cond, definitions.line_of(name))
        if compiled is not None:
            compiler.definitions[str(name)] = compiled
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for line, item in _list_of_dicts(out, file, doc, "rules"):
        rid = item.get("id")
        if not isinstance(rid, str) or not rid:
            out.error(file, line, "a rule has no `id:`", "add `id: short_name` so the recommendation can cite it")
            continue
        if rid in seen:
            out.error(file, line, f"rule id `{rid}` is used twice (first on line {seen[rid]})",
                      "give each rule its own id")
            continue
        seen[rid] = line
        known_keys = {"id", "when", "add", "urgency", "exclude", "reason", "source", "local", "note"}
        for key in item:
            if key not in known_keys:
                out.error(file, item.line_of(key), f"rule `{rid}` has an unknown field `{key}`",
                          "a rule may have: " + ", ".join(sorted(known_keys)))
        if "when" not in item:
            out.error(file, line, f"rule `{rid}` has no `when:` condition", "add `when:` (use `always: true` for a rule that always applies)")
            continue
        compiled = compiler.compile(item["when"], item.line_of("when"))
        adds, urgency = item.get("add"), item.get("urgency")
        excludes = item.get("exclude") or []
        if isinstance(excludes, str):
            excludes = [excludes]
        if adds is None and not excludes:
            out.error(file, line, f"rule `{rid}` neither adds nor excludes a pathway",
                      "add `add: pathway_id` with `urgency:`, or `exclude: [pathway_id]`")
        if adds is not None:
            if adds not in pathways:
                out.error(file, item.line_of("add"), f"rule `{rid}` adds `{adds}`, which is not in catalogue.yaml",
                          "use a pathway id from catalogue.yaml: " + ", ".join(pathways))
            if urgency not in urgencies:
                out.error(file, item.line_of("urgency") if "urgency" in item else line,
                          f"rule `{rid}` has urgency {urgency!r}",
                          "use one of the urgency levels in guidance.yaml: " + ", ".join(urgencies))
        for ex in excludes:
            if ex not in pathways:
                out.error(file, item.line_of("exclude"), f"rule `{rid}` excludes `{ex}`, which is not in catalogue.yaml",
                          "use a pathway id from catalogue.yaml")
            elif ex == "police_999" or ex in fallback:
                out.error(file, item.line_of("exclude"), f"rule `{rid}` excludes `{ex}`, which must never be taken away",
                          "remove it from `exclude:`; 999 and the safe next steps always stay")
        reason = _text(out, file, item, "reason", f"rule `{rid}`")
        source = _text(out, file, item, "source", f"rule `{rid}`")
        local = item.get("local", False)
        if not isinstance(local, bool):
            out.error(file, item.line_of("local"), f"`local:` of rule `{rid}` must be true or false", "write `local: true`")
            local = False
        if compiled is None:
            continue
        rules.append(Rule(id=rid, check=compiled.check, adds=adds, urgency=urgency, excludes=tuple(excludes),
                          reason=reason, source=source, local=local, facts_used=compiled.facts,
                          file=src.out.rel(file), line=line, live=compiled.live))
    return rules, compiler


def _candidates(facts: dict[str, FactSpec], thresholds: dict[str, set[int]]) -> dict[str, tuple]:
    result: dict[str, tuple] = {}
    for fid, spec in facts.items():
        if spec.type == "bool":
            values: list = [True, False]
        elif spec.type == "enum":
            values = list(spec.values)
        else:
            values = [o.value for o in spec.options if o.value is not None]
            for t in sorted(thresholds.get(fid, ())):
                values += [t - 1, t, t + 1]
            if spec.minimum is not None:
                values.append(spec.minimum)
            values = [v for v in values if (spec.minimum is None or v >= spec.minimum)
                      and (spec.maximum is None or v <= spec.maximum)]
        result[fid] = tuple(dict.fromkeys(values))
    return result


def _content_hash(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:8]


def _check_wording(out: Collector, src: _Source, avoid: list[str], guidance: Guidance, area_file: Path) -> None:
    lowered = [w.lower() for w in avoid]
    def scan(file: Path, line: int, text: str, what: str) -> None:
        low = text.lower()
        for word in lowered:
            if word in low:
                out.warning(file, line, f"{what} uses '{word}', which can read as blaming",
                            "rephrase in plain, non-blaming words (see `avoid_words` in guidance.yaml)")
    for rule in guidance.rules:
        scan(src.root / "rules.yaml", rule.line, rule.reason, f"the reason of rule `{rule.id}`")
    for spec in guidance.facts.values():
        scan(src.root / "facts.yaml", spec.line, spec.question, f"the question for `{spec.id}`")
    for group in guidance.groups.values():
        scan(src.root / "facts.yaml", group.line, " ".join([group.question, *group.items.values()]),
             f"the question for group `{group.id}`")
    for p in guidance.pathways.values():
        scan(src.root / "catalogue.yaml", p.line, p.what_to_do, f"what to do for `{p.id}`")


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def load_guidance(path: Path = PATHWAYS_DIR, area: Optional[str] = None, *,
                  today: Optional[_dt.date] = None) -> Guidance:
    """Load, validate and return the guidance for one area (default: the folder's default area).

    Raises GuidanceError listing every problem when anything is wrong; warnings
    (such as contacts not verified recently) are kept on ``Guidance.warnings``.
    """
    guidances, problems = validate(path, today=today)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise GuidanceError(problems)
    root = Path(path)
    default_area = _default_area(root, guidances)
    chosen = area or default_area
    if chosen not in guidances:
        raise GuidanceError([Problem(str(root), 0, f"there is no area called '{chosen}'",
                                     f"use one of: {', '.join(sorted(guidances))}, or add areas/{chosen}.yaml")])
    result = guidances[chosen]
    result.warnings = [p for p in problems if not p.is_error]
    return result


def other_files(path: Path = PATHWAYS_DIR) -> list[Problem]:
    """Problems in the folder's files that do not decide a recommendation: phrasings.yaml
    (every phrase must be a valid pattern), scenarios/*.yaml, and any YAML file no schema
    describes. Kept apart from validate() so a phrasing mistake never stops the guidance
    loading; `signpost validate` reports both."""
    root = Path(path)
    out = Collector(root)
    decided = set(guidance_files(root))
    for file in sorted(root.glob("*.yaml")) + sorted(root.glob("*/*.yaml")):
        if file in decided:
            continue
        if schema_name(file) is None:
            out.warning(file, 0, "no schema describes this file, so nothing in it is checked or used",
                        "move it out of the guidance folder, or rename it to a file the guidance uses")
            continue
        data = read_yaml(file, out)
        if data is None:
            continue
        if not check_shape(out, file, data) and file.name == "phrasings.yaml":
            check_patterns(out, file, data)
    return _dedupe(out.problems)


def _default_area(root: Path, guidances: dict[str, Guidance]) -> str:
    data = read_yaml(root / "guidance.yaml", Collector(root)) or {}
    return data.get("default_area") if isinstance(data, dict) else next(iter(guidances))


def validate(path: Path = PATHWAYS_DIR, *, today: Optional[_dt.date] = None) -> tuple[dict[str, Guidance], list[Problem]]:
    """Check the whole folder, every area; returns the guidance per area and all problems."""
    root = Path(path)
    out = Collector(root)
    if not root.is_dir():
        out.error(root, 0, "the guidance folder does not exist", "give the path of the pathways/ folder")
        return {}, out.problems
    if not any(root.glob("*.yaml")):
        out.error(root, 0, "the guidance folder has no YAML files", "point at the pathways/ folder, which holds guidance.yaml")
        return {}, out.problems
    today = today or _dt.date.today()
    src = _Source(root, out)
    if src.shape_errors:
        # the schema found misshapen files: report them before any cross-reference
        return {}, _dedupe(out.problems)
    gdoc = src.docs.get("guidance.yaml") or YDict()
    gfile = root / "guidance.yaml"
    version = gdoc.get("version")
    if not isinstance(version, (str, int, float)) or not str(version).strip():
        out.error(gfile, gdoc.line_of("version") or 1, "guidance.yaml has no `version:`",
                  "add `version: \"2026.11.1\"` and raise it with every published change")
    default_area = gdoc.get("default_area")
    if src.docs.get("guidance.yaml") is not None and default_area not in src.areas:
        out.error(gfile, gdoc.line_of("default_area") or 1, f"default_area {default_area!r} has no file in areas/",
                  "set `default_area:` to the `area:` name of one of the files in areas/")
    max_age = gdoc.get("contact_max_age_days", 365)
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age <= 0:
        out.error(gfile, gdoc.line_of("contact_max_age_days"), "`contact_max_age_days:` must be a positive whole number",
                  "write e.g. `contact_max_age_days: 365`")
        max_age = 365
    defaults = gdoc.get("default_settings") or YDict()
    if not isinstance(defaults, YDict):
        out.error(gfile, gdoc.line_of("default_settings"), "`default_settings:` must be a mapping", "write `name: value` lines under it")
        defaults = YDict()
    fallback = gdoc.get("fallback_pathways") or []
    if not isinstance(fallback, list) or not fallback:
        out.error(gfile, gdoc.line_of("fallback_pathways") or 1, "`fallback_pathways:` must list the safe next steps",
                  "write `fallback_pathways: [safeguarding_lead, gp_follow_up]`")
        fallback = []
    avoid = gdoc.get("avoid_words") or []
    closing = gdoc.get("closing_note") or "Check your local protocol and talk to your safeguarding lead."
    urgencies = _urgencies(src)

    guidances: dict[str, Guidance] = {}
    per_area_rules: dict[str, tuple[Guidance, ConditionCompiler]] = {}
    for area_id, (area_file, area_doc) in src.areas.items():
        settings = dict(defaults)
        area_settings = area_doc.get("settings") or YDict()
        if not isinstance(area_settings, YDict):
            out.error(area_file, area_doc.line_of("settings"), "`settings:` must be a mapping", "write `name: value` lines under it")
        else:
            settings.update(area_settings)
        facts = _facts(src, settings)
        groups = load_groups(out, root / "facts.yaml", src.docs.get("facts.yaml"), facts,
                             lambda text, settings=settings: _format(text, settings))
        pathways = _pathways(src, area_file, area_doc, today, max_age)
        for fid in fallback:
            if fid not in pathways:
                out.error(gfile, gdoc.line_of("fallback_pathways"), f"fallback pathway `{fid}` is not in catalogue.yaml",
                          "list pathway ids from catalogue.yaml")
        rules, compiler = _rules(src, facts, settings, pathways, urgencies, tuple(fallback))
        # facts.yaml `ask_when:` may use rules.yaml's definitions, so it is compiled after the rules
        ask_when = compile_ask_when(out, root / "facts.yaml", src.docs.get("facts.yaml"), facts, settings,
                                    compiler.definitions)
        files = [root / n for n in CORE_FILES] + [area_file]
        digest = _content_hash([f for f in files if f.is_file()])
        guidance = Guidance(
            version=f"{version}+{digest}", area=area_id, settings=settings, facts=facts,
            urgencies=urgencies, pathways=pathways, rules=rules, closing_note=str(closing),
            candidates=_candidates(facts, compiler.thresholds), groups=groups, ask_when=ask_when,
            source_files=tuple(str(f) for f in files))
        guidances[area_id] = guidance
        per_area_rules[area_id] = (guidance, compiler)
        if not out.has_errors:
            _check_wording(out, src, avoid, guidance, area_file)
    if not out.has_errors:
        checks.cross_check(out, root / "rules.yaml", root / "catalogue.yaml", list(guidances.values()), tuple(fallback))
    return guidances, _dedupe(out.problems)
