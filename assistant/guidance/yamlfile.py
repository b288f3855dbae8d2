"""A YAML reader that remembers the line of every key and list item.

PyYAML throws line numbers away once it builds dicts, so this builds them
itself from the node tree; validation messages can then point an author at
the exact line. Duplicate keys are reported instead of silently overwritten.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .problems import Collector

# libyaml's parser when installed (several times faster); same nodes, same marks
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YDict(dict):
    """A dict that knows its own line and the line of each key."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class YList(list):
    """A list that knows its own line and the line of each item."""

    line: int = 0

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


def line_of(value: Any, default: int = 0) -> int:
    return getattr(value, "line", default) or default


def _convert(loader: Any, node: yaml.Node, file: Path, out: Collector) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves `<<:` merge keys
        result = YDict()
        result.line = line
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, file, out)
            if isinstance(key, (dict, list)):
                out.error(file, key_node.start_mark.line + 1, "a key here is itself a list or mapping",
                          "write a plain name before the colon")
                continue
            if key in result:
                out.error(file, key_node.start_mark.line + 1,
                          f"'{key}' appears twice in the same block (first on line {result.lines[key]})",
                          "keep one of the two entries and delete the other")
                continue
            result[key] = _convert(loader, value_node, file, out)
            result.lines[key] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        result_list = YList()
        result_list.line = line
        for item in node.value:
            result_list.append(_convert(loader, item, file, out))
            result_list.lines.append(item.start_mark.line + 1)
        return result_list
    return loader.construct_object(node, deep=True)


def read_yaml(file: Path, out: Collector) -> Any | None:
    """The file's content with line numbers, or None after reporting why not."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.error(file, 0, f"cannot read the file ({exc.__class__.__name__}: {exc})",
                  "save it as UTF-8 text and check it is readable")
        return None
    return read_yaml_text(text, file, out)


def read_yaml_text(text: str, file: Path, out: Collector) -> Any | None:
    """Like read_yaml for text already read (e.g. an article's front matter; pad it with
    blank lines first so that line numbers match the file it came from)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node, file, out)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or exc.context or "the YAML is malformed"
        out.error(file, line, f"this is not valid YAML: {what}",
                  "check the indentation (spaces, not tabs), colons after names and matching quotes")
        return None
    except yaml.YAMLError as exc:
        out.error(file, 0, f"this is not valid YAML: {exc}", "check the file's indentation and quotes")
        return None
    finally:
        loader.dispose()
