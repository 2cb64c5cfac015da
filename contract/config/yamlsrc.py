"""YAML loading that remembers where each value came from, and fills in secrets from the environment.

pydantic reports errors by field path; mapping that path back to a line of the file is what
turns "devices.2.port: input should be an integer" into something a site electrician can fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from contract.config.errors import ConfigError, ConfigIssue

# ${NAME} or ${NAME:-default}: secrets stay out of the file (passwords, tokens, regulator keys)
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

Loc = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Field path -> 1-based line number for one loaded file."""

    file: Path
    lines: dict[Loc, int] = field(default_factory=dict)
    from_env: set[Loc] = field(default_factory=set)  # values that came from ${ENV} references

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        """Line of the deepest known prefix of ``loc`` (pydantic adds union tags the file lacks)."""
        parts = tuple(loc)
        for end in range(len(parts), -1, -1):
            line = self.lines.get(parts[:end])
            if line is not None:
                return line
        return None


def format_loc(loc: Iterable[str | int]) -> str:
    """devices, 2, transport, port -> devices[2].transport.port"""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def load_yaml(path: Path, env: dict[str, str] | None = None) -> tuple[Any, SourceMap]:
    """Parse ``path``, substitute ``${ENV}`` references and record the line of every field.

    Raises ConfigError naming the file and line for unreadable files, YAML syntax errors and
    missing environment variables.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            [
                ConfigIssue(
                    path,
                    None,
                    "",
                    f"cannot read file: {exc.strerror or exc}",
                    "check the path and the file's permissions",
                )
            ]
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [ConfigIssue(path, None, "", f"not UTF-8 text: {exc}", "save the file as UTF-8")]
        ) from exc
    try:
        _check_depth(path, text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        if isinstance(exc, yaml.reader.ReaderError):  # a control character: only its offset is known
            line = text.count("\n", 0, exc.position) + 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            [
                ConfigIssue(
                    path,
                    line,
                    "",
                    f"YAML syntax error: {problem}",
                    "check indentation (spaces, not tabs) and quoting around this line",
                )
            ]
        ) from exc
    smap = SourceMap(path)
    builder = _Builder(smap, environ)
    data = builder.build(node, ()) if node is not None else {}
    smap.lines.setdefault((), 1)  # an empty file (comments only): what it lacks is reported at line 1
    if builder.issues:
        raise ConfigError(builder.issues)
    return data, smap


MAX_DEPTH = 64  # a site file nests 6 levels; the parser recurses per level, so depth is bounded first
MAX_VALUES = 50_000  # aliases can repeat a block: "billion laughs" must not expand for ever
_UNREADABLE: Any = object()  # a scalar whose issue is recorded
_EVENTS = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when there: the check costs little


def _check_depth(path: Path, text: str) -> None:
    """Refuse nesting past MAX_DEPTH before composing (the parser's events are not recursive)."""
    depth = 0
    for event in yaml.parse(text, Loader=_EVENTS):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(
                    [
                        ConfigIssue(
                            path,
                            event.start_mark.line + 1 if event.start_mark else None,
                            "",
                            f"nested more than {MAX_DEPTH} levels deep",
                            "a site file nests a few levels: check the brackets and indentation here",
                        )
                    ]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _Builder:
    """Plain data from the composed node tree, recording lines and collecting every issue found."""

    def __init__(self, smap: SourceMap, env: Mapping[str, str]) -> None:
        self.smap = smap
        self.env = env
        self.issues: list[ConfigIssue] = []
        self._open: set[int] = set()  # nodes being built: an alias to one of them is a cycle
        self._values = 0

    def _issue(self, node: yaml.Node, loc: Loc, message: str, hint: str) -> None:
        self.issues.append(
            ConfigIssue(self.smap.file, node.start_mark.line + 1, format_loc(loc), message, hint)
        )

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        """The value of ``node`` (None where an issue was recorded instead)."""
        self.smap.lines.setdefault(loc, node.start_mark.line + 1)
        self._values += 1
        if self._values == MAX_VALUES:
            self._issue(node, loc, f"aliases expand to more than {MAX_VALUES} values", "use fewer * aliases")
        if self._values >= MAX_VALUES:
            return None
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self._scalar_value(node, loc)
        if id(node) in self._open:
            self._issue(
                node, loc, "an alias refers to itself (&anchor ... *anchor inside it)", "remove the alias"
            )
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
            return self._mapping(node, loc)
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._issue(
                    key_node, loc, "a key must be a plain name", "write name: value, no [..] or {..} as key"
                )
                continue
            key: Any = self._scalar(key_node, loc)
            if key is _UNREADABLE:
                continue
            if key in out:
                self._issue(key_node, (*loc, key), f"duplicate key {key!r}", "remove one of the two entries")
            child = (*loc, key)
            self.smap.lines[child] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, child)
        return out

    def _scalar_value(self, node: yaml.Node, loc: Loc) -> Any:
        value = self._scalar(node, loc)
        if value is _UNREADABLE:
            return None
        if isinstance(value, str) and "${" in value:
            value = _substitute(value, loc, node, self.smap, self.env, self.issues)
            self.smap.from_env.add(loc)
        return value

    def _scalar(self, node: yaml.Node, loc: Loc) -> Any:
        loader = yaml.SafeLoader("")
        try:
            return loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # an unknown or unsafe tag (!!python/object), or a tagged value that is not of its type
            problem = getattr(exc, "problem", None) or str(exc)
            self._issue(node, loc, f"cannot read this value: {problem}", _unreadable_hint(node))
            return _UNREADABLE
        finally:
            loader.dispose()


def _unreadable_hint(node: yaml.Node) -> str:
    """What to write instead of a value YAML could not build: a date that is no date (2025-13-15) reads as
    one by its shape; anything else was tagged."""
    if node.tag == "tag:yaml.org,2002:timestamp":
        return "write a real date as YYYY-MM-DD (month 1-12, a day that month has), e.g. 2025-12-15"
    return "write a plain value, without a !tag"


def _substitute(
    value: str,
    loc: Loc,
    node: yaml.Node,
    smap: SourceMap,
    env: Mapping[str, str],
    issues: list[ConfigIssue],
) -> str:
    def repl(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        issues.append(
            ConfigIssue(
                smap.file,
                node.start_mark.line + 1,
                format_loc(loc),
                f"environment variable {name} is not set",
                f"export {name}=... before starting sitegw, or write ${{{name}:-default}}",
            )
        )
        return ""

    # The variable's text is the value, as written: a secret such as 0123456, [x or a: b must not be
    # read as YAML (octal 42798, a list, a mapping). The models type it (PORT=1883 becomes an int).
    return _ENV_REF.sub(repl, value)
