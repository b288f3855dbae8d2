"""Small, exact edits to the guidance's YAML text.

The workspace changes one value on one line (a phone number, a date, a
setting) or one rule's block, and leaves every other byte, comment and
blank line as the author wrote it, so the history shows a one-line diff.
Line numbers are 1-based, as the validator reports them.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

_QUOTED = r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\''


class EditError(ValueError):
    """The text does not look as expected; nothing was changed."""


def yaml_scalar(value: Any) -> str:
    """A value as YAML text: dates stay dates, text is always double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if value is None:
        return "null"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML string


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def set_value(text: str, line: int, key: str, value: str) -> str:
    """Replaces the value of ``key:`` on ``line`` with the YAML text ``value``, keeping any comment."""
    lines = _lines(text)
    if not 1 <= line <= len(lines):
        raise EditError(f"line {line} is outside the file")
    current = lines[line - 1]
    ending = "\n" if current.endswith("\n") else ""
    pattern = re.compile(rf"^(?P<lead>\s*(?:-\s+)?{re.escape(str(key))}\s*:[ \t]*)"
                         rf"(?P<value>{_QUOTED}|[^#\n]*?)(?P<rest>[ \t]+#.*)?$")
    match = pattern.match(current.rstrip("\n"))
    if not match:
        raise EditError(f"line {line} does not hold `{key}:`")
    lines[line - 1] = f"{match['lead']}{value}{match['rest'] or ''}{ending}"
    return "".join(lines)


def insert_after(text: str, line: int, indent: int, key: str, value: str) -> str:
    """Adds ``key: value`` as a new line after ``line``, indented by ``indent`` spaces."""
    lines = _lines(text)
    if not 0 <= line <= len(lines):
        raise EditError(f"line {line} is outside the file")
    if line and not lines[line - 1].endswith("\n"):
        lines[line - 1] += "\n"
    lines.insert(line, f"{' ' * indent}{key}: {value}\n")
    return "".join(lines)


def key_column(text: str, line: int, key: str) -> int:
    """The column where ``key:`` starts on ``line`` (after any "- ")."""
    current = _lines(text)[line - 1]
    match = re.match(rf"^(\s*(?:-\s+)?){re.escape(key)}\s*:", current)
    if not match:
        raise EditError(f"line {line} does not hold `{key}:`")
    return len(match.group(1))


def item_end(text: str, start: int, next_start: int | None) -> int:
    """The last line of a list item that starts on ``start``; trailing blanks and comments belong to the next one."""
    lines = _lines(text)
    end = (next_start - 1) if next_start else len(lines)
    if next_start is None:
        # the last item ends where a line comes back to the item's indentation or less
        column = len(lines[start - 1]) - len(lines[start - 1].lstrip())
        for number in range(start + 1, len(lines) + 1):
            stripped = lines[number - 1].strip()
            if stripped and not stripped.startswith("#"):
                indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
                if indent <= column and not stripped.startswith("- ") or indent < column:
                    end = number - 1
                    break
    while end > start and (not lines[end - 1].strip() or lines[end - 1].strip().startswith("#")):
        end -= 1
    return end


def item_text(text: str, start: int, end: int) -> tuple[str, int]:
    """The item's lines without its list dash and indentation, and the column its keys start at."""
    lines = _lines(text)[start - 1:end]
    first = lines[0]
    match = re.match(r"^(\s*-\s+)", first)
    if not match:
        raise EditError(f"line {start} does not start a list item")
    column = len(match.group(1))
    out = [first[column:]]
    for current in lines[1:]:
        lead = len(current) - len(current.lstrip(" "))
        out.append(current[min(lead, column):] if current.strip() else current.lstrip(" "))
    block = "".join(out)
    return (block if block.endswith("\n") else block + "\n"), column


def replace_item(text: str, start: int, end: int, block: str, column: int) -> str:
    """Puts ``block`` (as item_text gave it, edited) back in place of lines start..end."""
    lines = _lines(text)
    new_lines = block.replace("\r\n", "\n").replace("\t", "  ").rstrip("\n").split("\n")
    dash = " " * (column - 2) + "- "
    indented = [dash + new_lines[0]] + [(" " * column + line) if line.strip() else "" for line in new_lines[1:]]
    tail = "\n" if end < len(lines) or text.endswith("\n") else ""
    return "".join(lines[:start - 1]) + "\n".join(indented) + tail + "".join(lines[end:])


_VERSION = re.compile(r'^(?P<lead>version:[ \t]*)(?P<q>["\']?)(?P<version>[^"\'\s#]+)(?P=q)(?P<rest>.*)$', re.M)


def read_version(text: str) -> str | None:
    match = _VERSION.search(text)
    return match["version"] if match else None


def bump_version(text: str, today: _dt.date | None = None) -> tuple[str, str]:
    """Raises guidance.yaml's version: YEAR.MONTH.N counts up within a month and restarts at 1 in a new one."""
    match = _VERSION.search(text)
    if not match:
        raise EditError("guidance.yaml has no `version:` line")
    today = today or _dt.date.today()
    parts = match["version"].split(".")
    month = f"{today.year}.{today.month}"
    if len(parts) == 3 and ".".join(parts[:2]) == month and parts[2].isdigit():
        new = f"{month}.{int(parts[2]) + 1}"
    elif (len(parts) == 3 and all(p.isdigit() for p in parts)
          and (int(parts[0]), int(parts[1])) > (today.year, today.month)):
        new = f"{parts[0]}.{parts[1]}.{int(parts[2]) + 1}"  # a version ahead of the clock only ever counts up
    elif parts[-1].isdigit() and len(parts) != 3:
        new = ".".join(parts[:-1] + [str(int(parts[-1]) + 1)])
    else:
        new = f"{month}.1"
    line = f'{match["lead"]}"{new}"{match["rest"]}'
    return text[:match.start()] + line + text[match.end():], new


def set_version(text: str, version: str | None) -> str:
    """guidance.yaml's text with its version line set to ``version`` (unchanged when None)."""
    if not version:
        return text
    return _VERSION.sub(lambda m: f'{m["lead"]}"{version}"{m["rest"]}', text, count=1)


def set_inline_value(text: str, line: int, key: str, value: str) -> str:
    """Like set_value, for a key inside a one-line mapping such as `- {label: "Yes", value: true}`."""
    lines = _lines(text)
    if not 1 <= line <= len(lines):
        raise EditError(f"line {line} is outside the file")
    pattern = re.compile(rf"(?P<lead>(?:^|[{{,\s]){re.escape(key)}\s*:[ \t]*)(?P<value>{_QUOTED}|[^,}}#\n]*[^,}}#\s])")
    current = lines[line - 1]
    match = pattern.search(current)
    if not match:
        raise EditError(f"line {line} does not hold `{key}:`")
    lines[line - 1] = current[:match.start("value")] + value + current[match.end("value"):]
    return "".join(lines)


def holds_whole_value(text: str, line: int, key: str, expected: Any) -> bool:
    """True when ``key:`` on ``line`` holds all of its value (not a value folded over several lines)."""
    import yaml
    current = _lines(text)[line - 1] if 1 <= line <= len(_lines(text)) else ""
    match = re.match(rf"^\s*(?:-\s+)?{re.escape(key)}\s*:(.*)$", current.rstrip("\n"))
    if not match:
        return False
    try:
        return yaml.safe_load(match.group(1)) == expected
    except yaml.YAMLError:
        return False
