"""Configuration errors that name the file, the line, the field and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic_core import PydanticCustomError


@dataclass(frozen=True)
class ConfigIssue:
    """One problem found in a configuration file."""

    file: Path
    line: int | None
    path: str  # dotted field path, e.g. devices[2].transport.port
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        text = f"{where}: {self.path or '<top>'}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class ConfigError(Exception):
    """Raised with every issue of a file at once, so a user fixes them in one pass."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


LOCATED = "located"
"""The pydantic error type of problems a model finds across its entries, each with the path of the entry
concerned (``ctx["problems"]``): the loader names each at that entry's line."""


@dataclass(frozen=True)
class Located:
    """One problem a model's check found, at a field path below the model (``("devices", 2, "transport")``)."""

    loc: tuple[str | int, ...]
    message: str
    hint: str = ""


def raise_located(problems: Sequence[Located]) -> None:
    """Raise every problem found at once (a ``PydanticCustomError`` of :data:`LOCATED`), if there is any."""
    if problems:
        raise PydanticCustomError(
            LOCATED, "; ".join(p.message for p in problems), {"problems": list(problems)}
        )
