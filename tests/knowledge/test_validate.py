"""`signpost knowledge validate` and `signpost ask` for authors."""
from __future__ import annotations

import datetime as dt
import json

from assistant.cli import main
from assistant.knowledge.validate import validate_knowledge

GOOD = """---
id: {id}
title: A title
summary: A summary.
tags: [one]
sources: ["a source"]
last_reviewed: {date}
pathways: [marac]
---
# A title

Some text. See [the other one]({link}).
"""


def write(folder, name, **fields):
    values = {"id": name, "date": "2026-01-10", "link": "b.md"} | fields
    (folder / f"{name}.md").write_text(GOOD.format(**values), encoding="utf-8")


def messages(problems, severity):
    return [p.message for p in problems if p.severity == severity]


def test_a_clean_folder_has_no_problems(tmp_path):
    write(tmp_path, "a")
    write(tmp_path, "b", link="a.md")
    assert validate_knowledge(tmp_path, today=dt.date(2026, 2, 1)) == []


def test_broken_links_and_wrong_ids_are_errors(tmp_path):
    write(tmp_path, "a", link="missing.md")
    write(tmp_path, "b", id="not-b", link="a")
    errors = messages(validate_knowledge(tmp_path, today=dt.date(2026, 2, 1)), "error")
    assert any("missing.md" in m for m in errors)
    assert any("'a' is not an article file" in m for m in errors)
    assert any("does not match the file name" in m for m in errors)


def test_missing_front_matter_fields_and_bad_yaml_are_errors_with_a_line(tmp_path):
    (tmp_path / "a.md").write_text("---\nid: a\ntitle: [unclosed\n---\ntext\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\nid: b\ntitle: B\n---\ntext\n", encoding="utf-8")
    (tmp_path / "c.md").write_text("no front matter\n", encoding="utf-8")
    problems = validate_knowledge(tmp_path, today=dt.date(2026, 2, 1))
    by_file = {p.file.rsplit("/", 1)[-1]: p for p in problems}
    assert "not valid YAML" in by_file["a.md"].message and by_file["a.md"].line >= 2
    assert "missing: summary, tags, sources, last_reviewed, pathways" in by_file["b.md"].message
    assert "must start with '---'" in by_file["c.md"].message


def test_old_reviews_are_warnings_and_future_dates_errors(tmp_path):
    write(tmp_path, "a", date="2024-01-01")
    write(tmp_path, "b", date="2027-01-01", link="a.md")
    problems = validate_knowledge(tmp_path, today=dt.date(2026, 2, 1), max_age_days=365)
    assert any("more than 365" in m for m in messages(problems, "warning"))
    assert any("in the future" in m for m in messages(problems, "error"))
    assert not any("more than" in m for m in messages(
        validate_knowledge(tmp_path, today=dt.date(2026, 2, 1), max_age_days=1000), "warning"))


def test_validate_command_exit_codes(tmp_path, capsys):
    write(tmp_path, "a")
    write(tmp_path, "b", link="a.md")
    assert main(["knowledge", "validate", str(tmp_path), "--today", "2026-02-01"]) == 0
    write(tmp_path, "b", link="gone.md")
    assert main(["knowledge", "validate", str(tmp_path), "--today", "2026-02-01"]) == 1
    assert "gone.md" in capsys.readouterr().out
    assert main(["knowledge", "validate", str(tmp_path / "nowhere")]) == 2


def test_the_shipped_folder_validates(capsys):
    assert main(["knowledge", "validate"]) == 0


def test_ask_json_prints_the_answer_object(kb, capsys):
    assert main(["ask", "what is MARAC?", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is True and data["answers"][0]["article_id"] == "marac"


def test_ask_text_shows_scores_and_near_misses_when_refusing(kb, capsys):
    assert main(["ask", "what's the weather"]) == 0
    out = capsys.readouterr().out
    assert "Not answered" in out and "Nearest articles" in out and "[0." in out


def test_ask_on_a_folder_without_articles_is_a_clear_message(tmp_path, capsys):
    assert main(["ask", "what is MARAC?", "--knowledge", str(tmp_path)]) == 2
    assert "no readable knowledge articles" in capsys.readouterr().err


def test_a_malformed_out_of_scope_list_is_an_error(tmp_path):
    write(tmp_path, "a")
    write(tmp_path, "b", link="a.md")
    (tmp_path / "out_of_scope.yaml").write_text("topics: just one string\n", encoding="utf-8")
    errors = messages(validate_knowledge(tmp_path, today=dt.date(2026, 2, 1)), "error")
    assert any("topics:" in m for m in errors)
