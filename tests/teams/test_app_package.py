"""The Teams app package: `make teams-package` builds a zip Teams accepts.

The manifest is validated against Microsoft's published JSON schema (v1.22,
copied from the npm package @microsoft/app-manifest; see
channels/teams/app/schema/SOURCE.md) with the jsonschema package; the icons
are checked against Teams' rules (192x192 colour; 32x32 white on transparent).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from channels.teams import package

ROOT = Path(__file__).resolve().parents[2]
BOT_ID = "11111111-2222-3333-4444-555555555555"
SCHEMA_SHA256 = "1405f8ee5b7c1a62c5ade88f967252c7326c8f79eb77e693da4544780c101c2d"
EXAMPLE = package.APP_DIR / "package.example.yml"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMS_")}
    env.update(extra)
    return env


def test_the_schema_is_microsofts_unchanged_and_at_the_current_version():
    assert hashlib.sha256(package.SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(package.SCHEMA_FILE.read_text())
    template = json.loads(package.TEMPLATE.read_text())
    assert schema["properties"]["manifestVersion"]["const"] == template["manifestVersion"] == "1.22"
    assert template["$schema"].endswith("/v1.22/MicrosoftTeams.schema.json")


def test_make_teams_package_builds_a_zip_whose_manifest_validates(tmp_path):
    out = tmp_path / "signpost-teams.zip"
    config = tmp_path / "package.yml"
    config.write_text(EXAMPLE.read_text().replace('short_name: "Signpost"', 'short_name: "Signpost Sefton"'))
    result = subprocess.run(["make", "-s", "teams-package", f"TEAMS_PACKAGE_OUT={out}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env=_env(TEAMS_APP_ID=BOT_ID, TEAMS_PACKAGE_CONFIG=str(config),
                                     TEAMS_PACKAGE_VERSION="1.0.3"))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as zipped:
        assert sorted(zipped.namelist()) == ["color.png", "manifest.json", "outline.png"]  # flat, nothing else
        manifest = json.loads(zipped.read("manifest.json"))
        icons = {name: Image.open(io.BytesIO(zipped.read(name))) for name in ("color.png", "outline.png")}
    assert package.schema_problems(manifest) == []
    assert manifest["version"] == "1.0.3" and manifest["name"]["short"] == "Signpost Sefton"
    [bot] = manifest["bots"]
    assert bot["botId"] == BOT_ID == manifest["id"]
    assert set(bot["scopes"]) == {"personal", "team"}
    assert manifest["validDomains"] == ["signpost.example.org"]
    assert not package._PLACEHOLDER.search(json.dumps(manifest))  # every placeholder filled
    _check_icons(icons["color.png"], icons["outline.png"])


def _check_icons(colour: Image.Image, outline: Image.Image) -> None:
    assert colour.format == outline.format == "PNG"
    assert colour.size == (192, 192)
    assert outline.size == (32, 32)
    rgba = outline.convert("RGBA")
    pixels = list(rgba.getdata())
    assert any(a == 0 for *_, a in pixels), "the outline icon needs a transparent background"
    assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a > 0), "outline must be white only"
    assert sum(1 for *_, a in pixels if a > 128) > 40, "the outline icon is nearly empty"
    colours = colour.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours and len(colours) > 2, "the colour icon has a symbol on a background"


def test_the_committed_icons_are_the_ones_the_script_draws():
    from channels.teams.app import draw_icons

    assert list(draw_icons.colour_icon().getdata()) == list(Image.open(package.APP_DIR / "color.png").convert(
        "RGB").getdata())
    assert list(draw_icons.outline_icon().getdata()) == list(Image.open(package.APP_DIR / "outline.png").convert(
        "RGBA").getdata())


def test_missing_or_wrong_settings_are_refused_with_the_reason(tmp_path):
    with pytest.raises(package.PackageError, match="bot_app_id must be the GUID"):
        package.settings(EXAMPLE, env={})
    with pytest.raises(package.PackageError, match="privacy_url must be an https"):
        package.settings(EXAMPLE, env={"TEAMS_APP_ID": BOT_ID, "TEAMS_PACKAGE_PRIVACY_URL": "http://x.example/"})
    bad = tmp_path / "bad.yml"
    bad.write_text("bot_id: x\n")
    with pytest.raises(package.PackageError, match="unknown settings"):
        package.settings(bad, env={})
    result = subprocess.run(["make", "-s", "teams-package", f"TEAMS_PACKAGE_OUT={tmp_path / 'x.zip'}"], cwd=ROOT,
                            capture_output=True, text=True, env=_env(TEAMS_PACKAGE_CONFIG=str(EXAMPLE)), timeout=120)
    assert result.returncode != 0 and "TEAMS_APP_ID" in result.stderr


def test_the_schema_check_really_catches_a_broken_manifest():
    manifest = package.manifest(package.settings(EXAMPLE, env={"TEAMS_APP_ID": BOT_ID}))
    assert package.schema_problems(manifest) == []
    broken = json.loads(json.dumps(manifest))
    broken["bots"][0]["scopes"] = ["personal", "everywhere"]
    broken["accentColor"] = "blue"
    del broken["developer"]["privacyUrl"]
    problems = " ".join(package.schema_problems(broken))
    assert "everywhere" in problems and "accentColor" in problems and "privacyUrl" in problems
