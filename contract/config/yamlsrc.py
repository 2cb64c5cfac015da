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
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
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
    issues: list[ConfigIssue] = []
    data = _build(node, (), smap, environ, issues) if node is not None else {}
    if issues:
        raise ConfigError(issues)
    return data, smap


def _build(
    node: yaml.Node, loc: Loc, smap: SourceMap, env: Mapping[str, str], issues: list[ConfigIssue]
) -> Any:
    smap.lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in out:
                issues.append(
                    ConfigIssue(
                        smap.file,
                        key_node.start_mark.line + 1,
                        format_loc((*loc, key)),
                        f"duplicate key {key!r}",
                        "remove one of the two entries",
                    )
                )
            child = (*loc, key)
            smap.lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, child, smap, env, issues)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), smap, env, issues) for i, item in enumerate(node.value)]
    value = _scalar(node)
    if isinstance(value, str) and "${" in value:
        value = _substitute(value, loc, node, smap, env, issues)
    return value


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _substitute(
    value: str,
    loc: Loc,
    node: yaml.Node,
    smap: SourceMap,
    env: Mapping[str, str],
    issues: list[ConfigIssue],
) -> Any:
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

    whole = _ENV_REF.fullmatch(value)
    result = _ENV_REF.sub(repl, value)
    # A value that is only a reference keeps YAML typing (PORT=1883 becomes an int).
    return yaml.safe_load(result) if whole and result.strip() else result
