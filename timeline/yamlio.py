"""Safe YAML reading that keeps line numbers and refuses what PyYAML lets through.

Duplicate keys are an error (PyYAML keeps the last silently); dates stay strings so that
``2024-02-30`` is reported by our own rules instead of crashing the loader; only ``true``
and ``false`` are booleans (YAML 1.1 would read ``no`` as false). Aliases (``*name``) are
refused: records spell every value out, and nested aliases can expand to billions of items.
Only safe loading is used (no Python tags), and files over ``MAX_FILE_BYTES`` are not read.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import yaml

from .problems import Problem

try:  # libyaml is about ten times faster; the pure-Python parser gives the same nodes.
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


MAX_FILE_BYTES = 1_000_000  # a record file holds a few kB; the largest registry is far below this


class Mapping(dict):
    """A dict that remembers the line of each key (1-based) and its own first line."""

    line: int = 0
    lines: dict[str, int]


class Sequence(list):
    """A list that remembers its own first line and the line of each item (1-based)."""

    line: int = 0
    lines: list[int]


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
_INT = re.compile(r"^[-+]?[0-9]+$")  # decimal only: YAML 1.1 would read 0755 as octal and 08 as an error
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node), 10))


class _Dumper(yaml.SafeDumper):
    """Quotes every string our loader would read as something else (such as 0009)."""


_Dumper.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _represent_str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    # PyYAML folds NEL and the Unicode line separators in plain and single-quoted style: escape them.
    style = '"' if _BREAKS.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Mapping:
    result = Mapping()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if isinstance(key_node, yaml.ScalarNode):
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):  # 2024, null, true: name the key as it is written
                key = key_node.value
        else:
            key = f"<{key_node.id}>"  # a list or mapping used as a key
        if key in result.lines:
            raise _DuplicateKey(key, line, result.lines[key])
        result.lines[key] = line
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    result = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)

# PyYAML's wording -> ours, and whether the mistake lies where the construct began (an unclosed
# quote is only noticed at the end of the file; a key without its colon on the next line).
_SYNTAX = (
    ("end of stream", "while scanning a quoted", True,
     "a quoted value starts here but its closing quote is missing"),
    ("end of stream", "while parsing a flow", True,
     "a [ or { starts here but its closing bracket is missing"),
    ("did not find expected ','", "while parsing a flow", True,
     "a [ or { starts here but its closing bracket is missing"),
    ("could not find expected ':'", "", True,
     "a key is missing the ':' after it, or a value continues at the wrong indentation"),
    ("did not find expected key", "", False,
     "this line does not line up with the keys above it; check the indentation"),
    ("did not find expected '-' indicator", "", False,
     "this line does not line up with the list entries above it; check the indentation"),
    ("found another document", "", False,
     "a record file holds one YAML document; remove the '---' line"),
    ("mapping values are not allowed", "", False,
     "a value contains ': '; put the whole value in quotes"),
    ("could not determine a constructor", "", False,
     "tags such as !!python/... are not allowed; records hold plain text, numbers, lists and mappings"),
)


def _syntax_problem(path: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    problem, context = (exc.problem or "invalid YAML").strip(), (exc.context or "").strip()
    mark = exc.problem_mark or exc.context_mark
    what = problem
    for needle, context_needle, at_start, message in _SYNTAX:
        if needle in problem and context_needle in context:
            what = message
            if at_start and exc.context_mark is not None:
                mark = exc.context_mark
            break
    line = mark.line + 1 if mark else 1
    if "maximum nesting depth" in problem:
        line = _deep_value_line(text, line)
    lines = text.splitlines()
    if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
        what = "the line contains a tab; YAML needs spaces for indentation"
    return Problem(path, line, "", "", "yaml-syntax", f"YAML syntax error: {what}")


def _deep_value_line(text: str, fallback: int) -> int:
    """The line where the value that nests too deep starts: the top-level key's or entry's value
    (libyaml marks only where it gave up, often hundreds of lines further on)."""
    starts: list[int] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                starts.append(event.start_mark.line + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                starts.pop()
    except yaml.YAMLError:
        pass
    return starts[1] if len(starts) > 1 else fallback


def _refused(path: str, text: str) -> Problem | None:
    """The first alias (*name) or explicit tag (!!binary, !!python/...), found before anything is built.

    Records never need them: aliases can expand to billions of items, and tags turn text into
    other types (or, in unsafe loaders, into code). Only files that contain * or ! are parsed twice.
    """
    if "*" not in text and "!" not in text:
        return None
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            return Problem(path, line, "", "", "yaml-alias",
                           "aliases (*name) are not allowed in records; write the value out")
        if getattr(event, "tag", None) is not None and not isinstance(event, yaml.DocumentStartEvent):
            tag = str(event.tag).replace("tag:yaml.org,2002:", "!!")[:40]
            return Problem(path, line, "", "", "yaml-tag",
                           f"tags such as {tag} are not allowed in records; write plain text, numbers, lists "
                           "and mappings")
    return None


class _Unusual(Exception):
    """Something the fast builder leaves to the full loader (which also words every error)."""


_STR = "tag:yaml.org,2002:str"
# First characters that some implicit resolver matches on (None: resolvers for any first character).
_FIRST_CHARS = frozenset(_Loader.yaml_implicit_resolvers)
_SHORTCUT = None not in _FIRST_CHARS and not _Loader.yaml_path_resolvers


_Scalar, _MapStart, _MapEnd = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent
_SeqStart, _SeqEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent


def _scalar(loader: _Loader, event: yaml.ScalarEvent) -> object:
    """A scalar's value, as ``_Loader`` would construct it."""
    if event.anchor is not None or event.tag not in (None, "!"):
        raise _Unusual
    value = event.value
    # Resolver.resolve, short-cut: quoted scalars and plain ones no implicit tag can start with are text.
    if _SHORTCUT and (not event.implicit[0] or (value and value[0] not in _FIRST_CHARS)):
        return value
    tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
    if tag == _STR:
        return value
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
    return loader.yaml_constructors[tag](loader, node)


def _build(loader: _Loader, event: yaml.Event) -> object:
    """One node, built straight from libyaml's events as ``_Loader`` would construct it. Scalars,
    nine events in ten, are handled in the loops without a call of their own."""
    kind = type(event)
    if kind is _Scalar:
        return _scalar(loader, event)
    if event.anchor is not None or getattr(event, "tag", None) not in (None, "!"):
        raise _Unusual
    get = loader.get_event
    if kind is _MapStart:
        mapping, lines = Mapping(), {}
        mapping.line, mapping.lines = event.start_mark.line + 1, lines
        while (kind := type(key_event := get())) is not _MapEnd:
            if kind is not _Scalar:
                raise _Unusual  # a list or mapping used as a key
            key = _scalar(loader, key_event)
            if not isinstance(key, str):
                key = key_event.value
            if key in lines:
                raise _Unusual  # the full loader reports it, after any syntax error further on
            lines[key] = key_event.start_mark.line + 1
            item = get()
            mapping[key] = _scalar(loader, item) if type(item) is _Scalar else _build(loader, item)
        return mapping
    if kind is _SeqStart:
        sequence, lines_ = Sequence(), []
        sequence.line, sequence.lines = event.start_mark.line + 1, lines_
        while (kind := type(item := get())) is not _SeqEnd:
            lines_.append(item.start_mark.line + 1)
            sequence.append(_scalar(loader, item) if kind is _Scalar else _build(loader, item))
        return sequence
    raise _Unusual  # an alias


def _load(text: str) -> object:
    """``yaml.load(text, Loader=_Loader)``, built from parser events without composing nodes
    (several times faster on records); anything unusual, or any error, goes to the full loader."""
    loader = _Loader(text)
    try:
        kinds = [type(loader.get_event()), type(loader.get_event())]
        if kinds != [yaml.StreamStartEvent, yaml.DocumentStartEvent]:
            raise _Unusual
        doc = _build(loader, loader.get_event())
        if [type(loader.get_event()), type(loader.get_event())] != [yaml.DocumentEndEvent, yaml.StreamEndEvent]:
            raise _Unusual
        return doc
    except Exception:  # noqa: BLE001 - the full loader decides what is wrong, and says it
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    finally:
        loader.dispose()


def read_file(path: Path, rel: str) -> tuple[object, list[Problem]]:
    """Read and parse one record file, refusing links, special files and oversized files."""
    try:
        info = os.lstat(path)  # one call answers both: a link is not a regular file here
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        return None, [Problem(rel, 0, "", "", "file-type",
                              "not a regular file (a link, folder or device); records must be plain files")]
    size = info.st_size
    if size > MAX_FILE_BYTES:
        return None, [Problem(rel, 0, "", "", "file-size",
                              f"file is {size:,} bytes; a record file may hold at most {MAX_FILE_BYTES:,}")]
    fd = os.open(path, os.O_RDONLY)  # a file object per record costs more than the read itself
    try:
        data = _read_up_to(fd, size + 1)  # not MAX + 1: that allocates a megabyte for every small file
        if len(data) > size:  # the file grew since lstat()
            data += _read_up_to(fd, MAX_FILE_BYTES + 1 - len(data))
    finally:
        os.close(fd)
    return read_yaml(rel, data)


def _read_up_to(fd: int, n: int) -> bytes:
    """``n`` bytes, or fewer at the end of the file (a read may return less than asked)."""
    data = os.read(fd, n)
    while data and len(data) < n and (more := os.read(fd, n - len(data))):
        data += more
    return data


def read_yaml(path: str, text: bytes) -> tuple[object, list[Problem]]:
    """Parse one file's bytes. Returns the document (None on failure) and the problems."""
    if text.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(path, 1, "", "", "no-bom",
                              "file starts with a byte-order mark; save it as UTF-8 without BOM")]
    if not text.strip():
        return None, [Problem(path, 1, "", "", "empty-file", "file is empty")]
    if len(text) > MAX_FILE_BYTES:
        return None, [Problem(path, 0, "", "", "file-size",
                              f"file is {len(text):,} bytes; a record file may hold at most {MAX_FILE_BYTES:,}")]
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = text[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, "", "", "utf-8", "file is not valid UTF-8")]
    try:
        refused = _refused(path, decoded)
        if refused:
            return None, [refused]
        return _load(decoded), []
    except _DuplicateKey as exc:
        return None, [Problem(path, exc.line, "", exc.key, "duplicate-key",
                              f"key '{exc.key}' appears twice (first on line {exc.first})")]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(path, decoded, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - other parser errors carry no mark
        return None, [Problem(path, 1, "", "", "yaml-syntax", f"YAML syntax error: {exc}")]
    except (ValueError, TypeError, OverflowError) as exc:  # a value no constructor can build
        return None, [Problem(path, 1, "", "", "yaml-syntax", f"YAML value cannot be read: {str(exc)[:100]}")]
    except RecursionError:  # the pure-Python parser on absurdly deep nesting
        return None, [Problem(path, 1, "", "", "yaml-syntax", "YAML syntax error: nesting is too deep")]


def dump_yaml(data: object) -> str:
    """Write YAML the way records are kept: block style, key order kept, Unicode as is."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
