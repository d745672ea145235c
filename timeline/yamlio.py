"""Safe YAML reading that keeps line numbers and refuses what PyYAML lets through.

Duplicate keys are an error (PyYAML keeps the last silently); dates stay strings so that
``2024-02-30`` is reported by our own rules instead of crashing the loader; only ``true``
and ``false`` are booleans (YAML 1.1 would read ``no`` as false).
"""

from __future__ import annotations

import re

import yaml

from .problems import Problem

try:  # libyaml is about ten times faster; the pure-Python parser gives the same nodes.
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class Mapping(dict):
    """A dict that remembers the line of each key (1-based) and its own first line."""

    line: int = 0
    lines: dict[str, int]


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first: int):
        self.key, self.line, self.first = key, line, first


class _Loader(_Base):  # type: ignore[misc,valid-type]
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Mapping:
    result = Mapping()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            key = str(key)
        if key in result.lines:
            raise _DuplicateKey(key, line, result.lines[key])
        result.lines[key] = line
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_yaml(path: str, text: bytes) -> tuple[object, list[Problem]]:
    """Parse one file's bytes. Returns the document (None on failure) and the problems."""
    if text.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(path, 1, "", "", "no-bom",
                              "file starts with a byte-order mark; save it as UTF-8 without BOM")]
    if not text.strip():
        return None, [Problem(path, 1, "", "", "empty-file", "file is empty")]
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = text[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, "", "", "utf-8", "file is not valid UTF-8")]
    try:
        return yaml.load(decoded, Loader=_Loader), []  # noqa: S506 - _Loader is a SafeLoader
    except _DuplicateKey as exc:
        return None, [Problem(path, exc.line, "", exc.key, "duplicate-key",
                              f"key '{exc.key}' appears twice (first on line {exc.first})")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = (exc.problem or "invalid YAML").strip()
        lines = decoded.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
            what = "the line contains a tab; YAML needs spaces for indentation"
        return None, [Problem(path, line, "", "", "yaml-syntax", f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:  # pragma: no cover - other parser errors carry no mark
        return None, [Problem(path, 1, "", "", "yaml-syntax", f"YAML syntax error: {exc}")]


def dump_yaml(data: object) -> str:
    """Write YAML the way records are kept: block style, key order kept, Unicode as is."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
