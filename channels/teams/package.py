"""Builds the Teams app package (the zip an admin uploads): ``make teams-package``.

    .venv/bin/python -m channels.teams.package [--config FILE] [--out FILE]

The manifest comes from channels/teams/app/manifest.template.json with the
deployment's values (bot app id, names, URLs) filled in from a YAML file
(package.example.yml shows every key) and the environment, and is checked
against Microsoft's schema before the zip is written. The zip holds exactly
manifest.json, color.png and outline.png at its top level, as Teams requires.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

APP_DIR = Path(__file__).resolve().parent / "app"
TEMPLATE = APP_DIR / "manifest.template.json"
SCHEMA_FILE = APP_DIR / "schema" / "MicrosoftTeams.v1.22.schema.json"
ICONS = ("color.png", "outline.png")
DEFAULT_OUT = Path("build") / "signpost-teams.zip"
KEYS = ("bot_app_id", "teams_app_id", "version", "short_name", "full_name", "developer_name",
        "website_url", "privacy_url", "terms_url", "domain")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class PackageError(ValueError):
    """The package settings are incomplete or wrong; the message says which and how to fix it."""


def settings(config: Path | None = None, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The package settings: the config file, then the environment on top."""
    values: dict[str, Any] = {}
    if config is not None:
        try:
            loaded = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise PackageError(f"cannot read {config}: {exc}") from exc
        if not isinstance(loaded, Mapping):
            raise PackageError(f"{config} must be a mapping of settings")
        unknown = set(loaded) - set(KEYS)
        if unknown:
            raise PackageError(f"{config}: unknown settings {sorted(unknown)} (known: {', '.join(KEYS)})")
        values.update(loaded)
    if env.get("TEAMS_APP_ID"):
        values["bot_app_id"] = env["TEAMS_APP_ID"]
    for key in KEYS:
        if env.get(f"TEAMS_PACKAGE_{key.upper()}"):
            values[key] = env[f"TEAMS_PACKAGE_{key.upper()}"]
    result = {key: str(values.get(key) or "").strip() for key in KEYS}
    result["teams_app_id"] = result["teams_app_id"] or result["bot_app_id"]
    if not result["domain"] and result["website_url"]:
        result["domain"] = urlsplit(result["website_url"]).hostname or ""
    _check(result)
    return result


def _check(values: Mapping[str, str]) -> None:
    problems = []
    for key in ("bot_app_id", "teams_app_id"):
        if not _GUID.match(values[key]):
            problems.append(f"{key} must be the GUID from the Azure Bot (got {values[key] or 'nothing'!r}); "
                            "set TEAMS_APP_ID or bot_app_id in the config file")
    for key in ("website_url", "privacy_url", "terms_url"):
        if not values[key].startswith("https://"):
            problems.append(f"{key} must be an https:// address (got {values[key] or 'nothing'!r})")
    for key, limit in (("short_name", 30), ("full_name", 100), ("developer_name", 32)):
        if not values[key] or len(values[key]) > limit:
            problems.append(f"{key} must be 1 to {limit} characters")
    if not re.match(r"^\d+\.\d+\.\d+$", values["version"]):
        problems.append("version must look like 1.0.0 (raise it for every upload)")
    if problems:
        raise PackageError("; ".join(problems))


def _fill(node: Any, values: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], node)
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    return node


def manifest(values: Mapping[str, str]) -> dict[str, Any]:
    return _fill(json.loads(TEMPLATE.read_text(encoding="utf-8")), values)


def schema_problems(document: Mapping[str, Any]) -> list[str]:
    """Where ``document`` breaks Microsoft's manifest schema ([] when it validates)."""
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))]


def build(out: Path, values: Mapping[str, str]) -> Path:
    document = manifest(values)
    problems = schema_problems(document)
    if problems:
        raise PackageError("the manifest does not match Microsoft's schema: " + "; ".join(problems))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        # Fixed timestamps: the same settings always give the same zip.
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, data)
        add("manifest.json", (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        for icon in ICONS:
            add(icon, (APP_DIR / icon).read_bytes())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=os.environ.get("TEAMS_PACKAGE_CONFIG") or None,
                        help="YAML settings (see channels/teams/app/package.example.yml)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    config = args.config
    if config is None and (APP_DIR / "package.yml").exists():
        config = APP_DIR / "package.yml"
    try:
        path = build(args.out, settings(config))
    except PackageError as exc:
        print(f"teams-package: {exc}", file=sys.stderr)
        return 2
    print(f"teams-package: wrote {path} (manifest {json.loads(TEMPLATE.read_text())['manifestVersion']}, "
          f"validated against {SCHEMA_FILE.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
