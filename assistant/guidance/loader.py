"""Loads pathways/ into a Guidance, or raises GuidanceError listing every problem.

Nothing is half-loaded: every file and every area is checked first, and a
Guidance is only built when no error was found. Checking is in two stages:

1. shape: each file against its JSON Schema in pathways/schema/ (schema.py), so
   unknown keys, missing fields and wrong types are reported with file, line and fix;
2. meaning (here): what the schema cannot see, i.e. cross-references between files
   (unknown pathways, facts and settings, duplicate ids, area overrides), values that
   depend on a fact's type, and contact dates. checks.py adds the whole-guidance
   checks (rules that never fire, pathways never reached, danger first, no dead end).
   Stage 2 only runs on files that passed stage 1, so it can trust their shape.

Files (all under the guidance folder):
  guidance.yaml     version, default area, default settings, urgency levels
  facts.yaml        the questions, in safety order (most critical first)
  catalogue.yaml    the pathways: what to do, how to refer, consent, contacts
  rules.yaml        definitions and the rules that add or exclude pathways
  areas/*.yaml      one file per area: settings and contacts that differ
"""
from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
from pathlib import Path
from typing import Any

from assistant import PATHWAYS_DIR
from assistant.dates import as_date

from . import checks
from .conditions import ConditionCompiler, compile_ask_when
from .groups import load_groups
from .model import FactSpec, Guidance, Option, PathwaySpec, Rule, Urgency
from .problems import Collector, GuidanceError, Problem
from .schema import check_shape
from .vocabulary import DISCLOSURE_SOURCES, FACT_TYPES, PATHWAY_IDS
from .yamlfile import YDict, YList, read_yaml

CORE_FILES = ("guidance.yaml", "facts.yaml", "catalogue.yaml", "rules.yaml")
TEXT_FIELDS = ("title", "summary", "what_to_do", "how_to_refer", "consent", "sharing_without_consent")


def guidance_files(root: Path) -> list[Path]:
    """Every file whose content decides a recommendation (scenarios and phrasings do not)."""
    files = [root / name for name in CORE_FILES]
    files += sorted((root / "areas").glob("*.yaml"))
    return files


class _Source:
    """The raw YAML of one load, read once and checked against the schemas."""

    def __init__(self, root: Path, out: Collector):
        self.root = root
        self.out = out
        self.docs: dict[str, YDict] = {}
        self.areas: dict[str, tuple[Path, YDict]] = {}
        self.complete = True  # every core file and an area are present, readable and well-shaped
        for name in CORE_FILES:
            path = root / name
            if not path.is_file():
                out.error(path, 0, f"{name} is missing from the guidance folder",
                          f"restore {name} (see pathways/README.md for what it holds)")
                self.complete = False
                continue
            data = self._read(path)
            if data is not None:
                self.docs[name] = data
        area_dir = root / "areas"
        for path in sorted(area_dir.glob("*.yaml")) if area_dir.is_dir() else []:
            data = self._read(path)
            if data is None:
                continue
            area_id = data["area"]
            if area_id in self.areas:
                out.error(path, data.line_of("area"),
                          f"area `{area_id}` is also defined in {self.areas[area_id][0].name}",
                          "give each area file its own `area:` name")
                self.complete = False
                continue
            self.areas[area_id] = (path, data)
        if not self.areas and self.complete:
            out.error(area_dir, 0, "no area file found in areas/",
                      "add areas/sefton.yaml (area name, settings, contacts)")
            self.complete = False

    def _read(self, path: Path) -> YDict | None:
        """The file when it is readable YAML of the right shape; otherwise reports why and gives None."""
        reported = len(self.out.problems)
        data = read_yaml(path, self.out)
        if data is None:
            if len(self.out.problems) == reported:  # nothing wrong with the YAML: the file is empty
                self.out.error(path, 0, f"{path.name} is empty", f"restore the content of {path.name}")
            self.complete = False
            return None
        if check_shape(self.out, path, data) or not isinstance(data, YDict):
            self.complete = False
            return None
        return data


def _text(block: YDict, key: str) -> str:
    """A text field with its line breaks folded (the schema has checked it is text)."""
    value = block.get(key)
    if not isinstance(value, str):
        return ""
    return " ".join(value.split()) if "\n" not in value.strip() else value.strip()


def _urgencies(src: _Source) -> dict[str, Urgency]:
    out, doc = src.out, src.docs["guidance.yaml"]
    file = src.root / "guidance.yaml"
    result: dict[str, Urgency] = {}
    items = doc["urgencies"]
    for i, item in enumerate(items):
        uid = item["id"]
        if uid in result:
            out.error(file, items.line_of(i), f"urgency `{uid}` is listed twice", "keep one entry per urgency level")
            continue
        result[uid] = Urgency(uid, len(result), _text(item, "label"), _text(item, "meaning"))
    return result


def _contacts(out: Collector, file: Path, items: YList, owner: str, today: _dt.date, max_age: int) -> list[dict]:
    """The contacts as plain dicts; a bad or old `last_verified:` date is reported."""
    result = []
    for item in items:
        name = item["name"]
        verified = as_date(item["last_verified"])
        if verified is None:
            out.error(file, item.line_of("last_verified"),
                      f"contact '{name}' of {owner} has no valid `last_verified:` date",
                      "add `last_verified: YYYY-MM-DD`, the day someone last checked it")
        elif verified > today:
            out.error(file, item.line_of("last_verified"),
                      f"contact '{name}' of {owner} was verified in the future ({verified})",
                      "write the day someone last checked it, `last_verified: YYYY-MM-DD`")
        elif (today - verified).days > max_age:
            out.warning(file, item.line_of("last_verified"),
                        f"contact '{name}' of {owner} was last verified on {verified} "
                        f"({(today - verified).days} days ago, limit {max_age})",
                        "check the contact against its source, then update `last_verified:`")
        contact = {str(k): (v.isoformat() if isinstance(v, _dt.date) else v) for k, v in item.items()}
        if verified is not None:
            contact["last_verified"] = verified.isoformat()
        result.append(contact)
    return result


def _format(text: str, settings: dict) -> str:
    try:
        return text.format_map(settings)
    except (KeyError, ValueError, IndexError):
        return text


def _facts(src: _Source, settings: dict) -> dict[str, FactSpec]:
    out, doc = src.out, src.docs["facts.yaml"]
    file = src.root / "facts.yaml"
    compiler = ConditionCompiler({}, settings, out, file)  # resolves settings.NAME in facts.yaml
    result: dict[str, FactSpec] = {}
    items = doc["facts"]
    for i, item in enumerate(items):
        line, fid, ftype = items.line_of(i), item["id"], item["type"]
        if fid in result:
            out.error(file, line, f"fact `{fid}` is defined twice", "keep one definition and delete the other")
            continue
        values = tuple(item.get("values") or ())
        bounds = []
        for key in ("minimum", "maximum"):  # a bound may be an area setting, known only per area
            ok, v = compiler.resolve(item.get(key), item.line_of(key))
            if ok and v is not None and (isinstance(v, bool) or not isinstance(v, int)):
                out.error(file, item.line_of(key), f"`{key}:` of `{fid}` must be a whole number",
                          "write e.g. `minimum: 0`")
                v = None
            if v is not None and ftype != "int":
                out.error(file, item.line_of(key),
                          f"`{key}:` only applies to a number fact, and `{fid}` is `type: {ftype}`",
                          f"remove `{key}:`, or make the fact `type: int`")
                v = None
            bounds.append(v if ok else None)
        minimum, maximum = bounds
        spec_for_check = FactSpec(fid, ftype, "", "", [], 0, values, minimum, maximum)
        options: list[Option] = []
        raw_options = item["options"]
        for j, opt in enumerate(raw_options):
            at = raw_options.line_of(j)
            ok, value = compiler.resolve(opt["value"], at)
            if not ok:
                continue
            if value is not None and not _fits(spec_for_check, value):
                out.error(file, at,
                          f"option '{opt['label']}' of `{fid}` has value {value!r}, "
                          f"which is not a valid {ftype} answer",
                          "use true/false for yes/no facts, a whole number for number facts, "
                          "one of the values for choices, null for Not sure")
                continue
            options.append(Option(_format(opt["label"], settings), value))
        result[fid] = FactSpec(
            id=fid, type=ftype, question=_format(_text(item, "question"), settings),
            why=_format(_text(item, "why"), settings),
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
    out, doc = src.out, src.docs["catalogue.yaml"]
    file = src.root / "catalogue.yaml"
    overrides = area_doc.get("pathways") or YDict()
    area_contacts = area_doc.get("contacts") or YDict()
    result: dict[str, PathwaySpec] = {}
    items = doc["pathways"]
    for i, item in enumerate(items):
        line, pid = items.line_of(i), item["id"]
        if pid in result:
            out.error(file, line, f"pathway `{pid}` is defined twice", "keep one definition and delete the other")
            continue
        fields = {k: _text(item, k) for k in TEXT_FIELDS}
        override = overrides.get(pid) or YDict()
        # an area may reword the text fields, and replace the national contacts with its own (e.g. its police force)
        fields.update({k: _text(override, k) for k in override if k in TEXT_FIELDS})
        national = override.get("national_contacts", True)
        local = area_contacts.get(pid)
        contacts = _contacts(out, area_file, local, f"pathway `{pid}`", today, max_age) if local else []
        if not national and not local:
            out.error(area_file, override.line_of("national_contacts"),
                      f"`{pid}` hides the national contacts but the area gives none of its own",
                      f"add the area's contacts for `{pid}` under `contacts:`, or remove `national_contacts: false`")
        if item.get("contacts") and (national or not local):
            contacts += _contacts(out, file, item["contacts"], f"pathway `{pid}`", today, max_age)
        if not contacts:
            out.error(file, line, f"pathway `{pid}` has no contact (in the catalogue or in {area_file.name})",
                      "add at least one contact with name, phone/url/form, last_verified and source")
        result[pid] = PathwaySpec(id=pid, contacts=contacts, order=len(result), line=line, **fields)
    for block, what in ((overrides, "pathways"), (area_contacts, "contacts")):
        for key in block:
            if key not in result:
                guess = difflib.get_close_matches(str(key), list(result), n=1)
                out.error(area_file, block.line_of(key), f"`{key}` under {what}: is not a pathway in catalogue.yaml",
                          f"did you mean `{guess[0]}`?" if guess else "use a pathway id from catalogue.yaml")
    for pid in PATHWAY_IDS:
        if pid not in result:
            out.error(file, doc.line, f"pathway `{pid}` of the shared vocabulary is missing",
                      f"add a pathway with `id: {pid}`")
    return result


def _rules(src: _Source, facts: dict[str, FactSpec], settings: dict, pathways: dict[str, PathwaySpec],
           urgencies: dict[str, Urgency], fallback: tuple[str, ...]) -> tuple[list[Rule], ConditionCompiler]:
    out, doc = src.out, src.docs["rules.yaml"]
    file = src.root / "rules.yaml"
    compiler = ConditionCompiler(facts, settings, out, file)
    definitions = doc.get("definitions") or YDict()
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
    items = doc["rules"]
    for i, item in enumerate(items):
        line, rid = items.line_of(i), item["id"]
        if rid in seen:
            out.error(file, line, f"rule id `{rid}` is used twice (first on line {seen[rid]})",
                      "give each rule its own id")
            continue
        seen[rid] = line
        compiled = compiler.compile(item["when"], item.line_of("when"))
        adds, urgency = item.get("add"), item.get("urgency")
        excludes = item.get("exclude") or []
        if isinstance(excludes, str):
            excludes = [excludes]
        if adds is not None:
            if adds not in pathways:
                guess = difflib.get_close_matches(adds, list(pathways), n=1)
                out.error(file, item.line_of("add"), f"rule `{rid}` adds `{adds}`, which is not in catalogue.yaml",
                          (f"did you mean `{guess[0]}`? " if guess else "")
                          + "use a pathway id from catalogue.yaml: " + ", ".join(pathways))
            if urgency not in urgencies:
                out.error(file, item.line_of("urgency") if "urgency" in item else line,
                          f"rule `{rid}` has urgency {urgency!r}",
                          "use one of the urgency levels in guidance.yaml: " + ", ".join(urgencies))
        for ex in excludes:
            if ex not in pathways:
                out.error(file, item.line_of("exclude"),
                          f"rule `{rid}` excludes `{ex}`, which is not in catalogue.yaml",
                          "use a pathway id from catalogue.yaml")
            elif ex == "police_999" or ex in fallback:
                out.error(file, item.line_of("exclude"),
                          f"rule `{rid}` excludes `{ex}`, which must never be taken away",
                          "remove it from `exclude:`; 999 and the safe next steps always stay")
        if compiled is None:
            continue
        rules.append(Rule(id=rid, check=compiled.check, adds=adds, urgency=urgency, excludes=tuple(excludes),
                          reason=_text(item, "reason"), source=_text(item, "source"), local=item.get("local", False),
                          facts_used=compiled.facts, file=src.out.rel(file), line=line, live=compiled.live))
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


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def load_guidance(path: Path = PATHWAYS_DIR, area: str | None = None, *,
                  today: _dt.date | None = None) -> Guidance:
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


def _default_area(root: Path, guidances: dict[str, Guidance]) -> str:
    data = read_yaml(root / "guidance.yaml", Collector(root)) or {}
    area = data.get("default_area") if isinstance(data, dict) else None
    return str(area) if area else next(iter(guidances))


def validate(path: Path = PATHWAYS_DIR, *, today: _dt.date | None = None) -> tuple[dict[str, Guidance], list[Problem]]:
    """Check the whole folder, every area; returns the guidance per area and all problems."""
    root = Path(path)
    out = Collector(root)
    if not root.is_dir():
        out.error(root, 0, "the guidance folder does not exist", "give the path of the pathways/ folder")
        return {}, out.problems
    if not any(root.glob("*.yaml")):
        out.error(root, 0, "the guidance folder has no YAML files",
                  "point at the pathways/ folder, which holds guidance.yaml")
        return {}, out.problems
    today = today or _dt.date.today()
    src = _Source(root, out)
    if not src.complete:
        # a file is missing, unreadable or misshapen (reported against its schema): nothing
        # is cross-checked until every file has the right shape, so no error is a knock-on
        return {}, _dedupe(out.problems)
    gdoc = src.docs["guidance.yaml"]
    gfile = root / "guidance.yaml"
    version = gdoc["version"]
    default_area = gdoc["default_area"]
    if default_area not in src.areas:
        guess = difflib.get_close_matches(default_area, list(src.areas), n=1)
        out.error(gfile, gdoc.line_of("default_area"), f"default_area {default_area!r} has no file in areas/",
                  f"did you mean `{guess[0]}`?" if guess else
                  "set `default_area:` to the `area:` name of one of the files in areas/")
    max_age = gdoc.get("contact_max_age_days", 365)
    defaults = gdoc.get("default_settings") or YDict()
    fallback = list(gdoc["fallback_pathways"])
    avoid = gdoc.get("avoid_words") or []
    closing = gdoc.get("closing_note") or "Check your local protocol and talk to your safeguarding lead."
    urgencies = _urgencies(src)

    guidances: dict[str, Guidance] = {}
    for area_id, (area_file, area_doc) in src.areas.items():
        settings = {**defaults, **(area_doc.get("settings") or {})}
        facts = _facts(src, settings)
        groups = load_groups(out, root / "facts.yaml", src.docs.get("facts.yaml"), facts,
                             lambda text, settings=settings: _format(text, settings))
        pathways = _pathways(src, area_file, area_doc, today, max_age)
        for fid in fallback:
            if fid not in pathways:
                out.error(gfile, gdoc.line_of("fallback_pathways"),
                          f"fallback pathway `{fid}` is not in catalogue.yaml",
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
        if not out.has_errors:
            checks.check_wording(out, root, avoid, guidance)
    if not out.has_errors:
        checks.cross_check(out, root / "rules.yaml", root / "catalogue.yaml", list(guidances.values()), tuple(fallback))
    return guidances, _dedupe(out.problems)
