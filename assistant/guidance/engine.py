"""decide() and next_questions(): the rules in pathways/ applied to what is known.

Rules are compiled once at load time into small closures, so one decision is a
few dozen function calls; next_questions() re-evaluates only the rules that
mention each unanswered fact.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .model import FactValue, Guidance, PathwayRec, Recommendation, Rule

_TRUE_WORDS = {"yes", "y", "true", "t", "1"}
_FALSE_WORDS = {"no", "n", "false", "f", "0"}
_UNKNOWN_WORDS = {"", "not sure", "unsure", "unknown", "don't know", "dont know", "null", "none", "n/a"}


def check_facts(guidance: Guidance, facts: Mapping[str, Any]) -> dict[str, FactValue]:
    """The facts as given, after checking each name and type; raises ValueError."""
    if not isinstance(facts, Mapping):
        raise ValueError(f"facts must be a mapping of fact name to value, not {type(facts).__name__}")
    checked: dict[str, FactValue] = {}
    for name, value in facts.items():
        spec = guidance.facts.get(name)
        if spec is None:
            raise ValueError(f"unknown fact '{name}'; the facts are: {', '.join(guidance.facts)}")
        if value is None:
            checked[name] = None
            continue
        if spec.type == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"fact '{name}' must be true, false or null (not sure), not {value!r}")
        elif spec.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"fact '{name}' must be a whole number or null (not sure), not {value!r}")
            if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
                raise ValueError(f"fact '{name}' must be between {spec.minimum} and {spec.maximum}, not {value}")
        elif value not in spec.values:
            raise ValueError(f"fact '{name}' must be one of {', '.join(spec.values)} or null (not sure), not {value!r}")
        checked[name] = value
    return checked


def parse_fact_value(guidance: Guidance, name: str, raw: Any) -> FactValue:
    """A typed value from a loose answer ("yes", "Not sure", "12"); raises ValueError."""
    spec = guidance.facts.get(name)
    if spec is None:
        raise ValueError(f"unknown fact '{name}'")
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _UNKNOWN_WORDS:
            return None
        for option in spec.options:
            if option.label.strip().lower() == text:
                return option.value
        if spec.type == "bool":
            if text in _TRUE_WORDS:
                return True
            if text in _FALSE_WORDS:
                return False
        elif spec.type == "int":
            try:
                raw = int(text)
            except ValueError:
                raise ValueError(f"fact '{name}' needs a whole number, not {raw!r}") from None
        elif text in spec.values:
            return text
    elif spec.type == "int" and isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # JSON and Rasa float slots send 14.0 for 14
    return check_facts(guidance, {name: raw})[name]


def coerce_facts(guidance: Guidance, raw: Mapping[str, Any]) -> dict[str, FactValue]:
    """Loose answers (strings from buttons or forms) made into typed facts; raises ValueError."""
    return {name: parse_fact_value(guidance, name, value) for name, value in raw.items()}


def _outcome(guidance: Guidance, fired: Iterable[Rule]) -> dict[str, int]:
    """pathway id -> urgency rank: the part of a recommendation that matters for asking more."""
    best: dict[str, int] = {}
    excluded: set[str] = set()
    ranks = guidance.urgencies
    for rule in fired:
        if rule.adds is not None:
            assert rule.urgency is not None  # the loader rejects a rule that adds a pathway without an urgency
            rank = ranks[rule.urgency].rank
            if rank < best.get(rule.adds, 1 << 30):
                best[rule.adds] = rank
        excluded.update(rule.excludes)
    for pid in excluded:
        best.pop(pid, None)
    return best


def decide(guidance: Guidance, facts: Mapping[str, Any]) -> Recommendation:
    """The pathways the guidance recommends for these facts, most urgent first.

    Unknown or absent facts never raise; an unknown fact name or a wrongly typed
    value raises ValueError.
    """
    known = check_facts(guidance, facts)
    fired = [rule for rule in guidance.rules if rule.check(known) is True]
    grouped: dict[str, dict] = {}
    excluded: dict[str, list[str]] = {}
    for rule in fired:
        for pid in rule.excludes:
            excluded.setdefault(pid, []).append(rule.reason)
        if rule.adds is None:
            continue
        assert rule.urgency is not None  # the loader rejects a rule that adds a pathway without an urgency
        urgency = guidance.urgencies[rule.urgency]
        entry = grouped.setdefault(rule.adds, {"urgency": urgency, "reasons": [], "rules": [], "local": []})
        if urgency.rank < entry["urgency"].rank:
            entry["urgency"] = urgency
        if rule.reason not in entry["reasons"]:
            entry["reasons"].append(rule.reason)
        entry["rules"].append(rule.id)
        if rule.local:
            entry["local"].append(rule.id)
    recs = []
    for pid, entry in grouped.items():
        if pid in excluded:
            continue
        spec = guidance.pathways[pid]
        urgency = entry["urgency"]
        recs.append(PathwayRec(
            id=pid, title=spec.title, urgency=urgency.id, urgency_rank=urgency.rank,
            urgency_label=urgency.label, reasons=entry["reasons"], rules=entry["rules"],
            contacts=[dict(c) for c in spec.contacts], what_to_do=spec.what_to_do,
            how_to_refer=spec.how_to_refer, consent=spec.consent,
            sharing_without_consent=spec.sharing_without_consent, local_rules=entry["local"]))
    recs.sort(key=lambda r: (r.urgency_rank, guidance.pathways[r.id].order))
    return Recommendation(pathways=recs, guidance_version=guidance.version, area=guidance.area,
                          facts=dict(known), excluded={k: v for k, v in excluded.items() if k in grouped},
                          closing_note=guidance.closing_note)


def _rules_by_fact(guidance: Guidance) -> dict[str, list[Rule]]:
    index = getattr(guidance, "_rules_by_fact", None)
    if index is None:
        index = {}
        for rule in guidance.rules:
            for fid in rule.facts_used:
                index.setdefault(fid, []).append(rule)
        guidance._rules_by_fact = index  # type: ignore[attr-defined]
    return index


def next_questions(guidance: Guidance, facts: Mapping[str, Any], asked: Iterable[str] = ()) -> list[str]:
    """Unanswered facts (not in ``asked``) whose answer could still change which
    pathways are recommended or how urgently; most safety-critical first."""
    known = check_facts(guidance, facts)
    skip = set(asked)
    fired = {rule.id for rule in guidance.rules if rule.check(known) is True}
    base = _outcome(guidance, (r for r in guidance.rules if r.id in fired))
    index = _rules_by_fact(guidance)
    sensitive: dict[str, bool] = {}

    def is_sensitive(rule: Rule) -> bool:
        # would this rule alone, switching on or off, change the outcome?
        if rule.id not in sensitive:
            toggled = fired ^ {rule.id}
            sensitive[rule.id] = _outcome(guidance, (r for r in guidance.rules if r.id in toggled)) != base
        return sensitive[rule.id]

    # a rule whose result an answer could still change, and whose change would
    # alter the outcome, makes every fact still "live" inside it worth asking
    relevant: set[str] = set()
    for rule in guidance.rules:
        live = rule.live(known)
        if live and not live <= relevant and is_sensitive(rule):
            relevant |= live
    # answers that change several rules at once (each alone changing nothing)
    trial = dict(known)
    for fid, rules in index.items():
        if fid in relevant or known.get(fid) is not None:
            continue
        for value in guidance.candidates.get(fid, ()):
            trial[fid] = value
            changed = {r.id for r in rules if (r.check(trial) is True) != (r.id in fired)}
            if changed and _outcome(guidance, (r for r in guidance.rules if r.id in fired ^ changed)) != base:
                relevant.add(fid)
                break
        trial.pop(fid, None)
    return [fid for fid in guidance.facts
            if fid in relevant and fid not in skip and known.get(fid) is None and worth_asking(guidance, known, fid)]


def worth_asking(guidance: Guidance, facts: Mapping[str, Any], fact_id: str) -> bool:
    """False only when the fact's ``ask_when:`` (facts.yaml) is known not to hold for these facts,
    e.g. pregnancy for a person known to be 50 or over. Unknown keeps the question."""
    when = guidance.ask_when.get(fact_id)
    return when is None or when.check(facts) is not False


def urgency_of(rec: Recommendation, pathway_id: str) -> str | None:
    found = rec.get(pathway_id)
    return found.urgency if found else None
