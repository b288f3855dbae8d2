"""GuidanceStore: an author's edit reaches the running bot; a broken edit does not."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.guidance import GuidanceError, GuidanceStore, decide


def touch_later(file: Path) -> None:
    # make sure the change is seen even on filesystems with coarse timestamps
    st = file.stat()
    os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_reloads_when_a_file_changes(pathways_copy: Path, edit) -> None:
    store = GuidanceStore(pathways_copy, "sefton")
    first = store.get()
    assert store.get() is first  # unchanged files: no reload
    edit(pathways_copy / "catalogue.yaml", 'title: "Call 999 now"', 'title: "Call 999 straight away"')
    touch_later(pathways_copy / "catalogue.yaml")
    second = store.get()
    assert second is not first and second.version != first.version
    assert decide(second, {"immediate_danger": True}).pathways[0].title == "Call 999 straight away"


def test_a_broken_edit_keeps_the_last_good_version(pathways_copy: Path, edit) -> None:
    store = GuidanceStore(pathways_copy)
    good = store.get()
    edit(pathways_copy / "rules.yaml", "    add: marac\n", "    add: marac_typo\n")
    touch_later(pathways_copy / "rules.yaml")
    assert store.get() is good
    assert any("marac_typo" in p.message for p in store.last_problems)
    edit(pathways_copy / "rules.yaml", "    add: marac_typo\n", "    add: marac\n")
    touch_later(pathways_copy / "rules.yaml")
    assert store.get().version == good.version
    assert not [p for p in store.last_problems if p.is_error]


def test_first_load_of_invalid_guidance_raises(tmp_path: Path) -> None:
    with pytest.raises(GuidanceError):
        GuidanceStore(tmp_path)
