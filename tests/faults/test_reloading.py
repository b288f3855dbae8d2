"""One reloading policy for guidance, knowledge and phrasings (assistant/reloading.py):
an edit is noticed on the next use, an invalid one is refused and logged with
file:line the same way for all three, and the last good version is kept on disk
so that a restart with a broken file still serves it."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from assistant import KNOWLEDGE_DIR, PATHWAYS_DIR
from assistant.extraction import phrasings as phrasings_module
from assistant.guidance import GuidanceError, GuidanceStore
from assistant.knowledge.search import KnowledgeError
from assistant.knowledge.store import KnowledgeStore
from assistant.reloading import registered


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("SIGNPOST_STATE_DIR", str(folder))
    return folder


def _refusals(caplog: pytest.LogCaptureFixture, name: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "signpost.reloading" and r.getMessage().startswith(f"{name}")
            and "edit refused at" in r.getMessage()]


def test_guidance_restart_with_a_broken_file_serves_the_last_good_copy(tmp_path, caplog):
    pathways = tmp_path / "pathways"
    shutil.copytree(PATHWAYS_DIR, pathways)
    good = GuidanceStore(pathways).version
    (pathways / "rules.yaml").write_text("rules:\n  - id: [never closed\n")
    with caplog.at_level(logging.ERROR, "signpost.reloading"):
        restarted = GuidanceStore(pathways)          # a new process: nothing in memory
    assert restarted.version == good
    assert restarted.serving_last_good_copy
    assert restarted.refused and restarted.refused[0].file.endswith("rules.yaml") and restarted.refused[0].line
    logged = _refusals(caplog, "guidance")
    assert logged and "rules.yaml:" in logged[0] and "last good copy kept on disk" in logged[0]


def test_guidance_with_nothing_good_ever_still_fails_loudly(tmp_path):
    pathways = tmp_path / "pathways"
    shutil.copytree(PATHWAYS_DIR, pathways)
    (pathways / "rules.yaml").write_text("rules:\n  - id: [never closed\n")
    with pytest.raises(GuidanceError):
        GuidanceStore(pathways)


def test_phrasings_refused_edit_is_logged_like_guidance_and_survives_a_restart(tmp_path, caplog, monkeypatch):
    path = tmp_path / "phrasings.yaml"
    shutil.copy(PATHWAYS_DIR / "phrasings.yaml", path)
    good = phrasings_module.load_phrasings(path)
    path.write_text(path.read_text() + "\n  broken: [unclosed\n")
    with caplog.at_level(logging.ERROR, "signpost.reloading"):
        assert phrasings_module.load_phrasings(path) is good      # noticed on the next use, refused
        monkeypatch.setattr(phrasings_module, "_stores", {})      # a restart
        again = phrasings_module.load_phrasings(path)
    assert set(again.facts) == set(good.facts)
    logged = _refusals(caplog, "phrasings")
    assert len(logged) >= 2 and all("phrasings.yaml:" in line for line in logged)


def test_knowledge_refused_edit_keeps_the_last_good_copy_across_a_restart(tmp_path, caplog):
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for article in sorted(KNOWLEDGE_DIR.glob("*.md"))[:3]:
        shutil.copy(article, folder / article.name)
    good = KnowledgeStore(folder, cache_dir=tmp_path / "cache").get()
    for article in folder.glob("*.md"):
        article.write_text("not an article: no front matter\n")
    with caplog.at_level(logging.ERROR, "signpost.reloading"):
        restarted = KnowledgeStore(folder, cache_dir=tmp_path / "cache")
        kb = restarted.get()
    assert set(kb.articles) == set(good.articles)
    assert restarted._reloading.from_disk_copy and restarted._reloading.refused
    assert _refusals(caplog, "knowledge")
    assert any(s.name == "knowledge" for s in registered().values())


def test_knowledge_with_nothing_good_ever_raises(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    with pytest.raises(KnowledgeError):
        KnowledgeStore(folder, cache_dir=tmp_path / "cache").get()
