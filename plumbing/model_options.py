"""A CLI command's options generated from a pydantic settings model, so the model is their one source.

Each field becomes ``--field-name`` (or the flag its ``json_schema_extra`` names under ``"flag"``, e.g.
``"--secure-cookies/--plain-cookies"``), with the field's type and default, its description as the help,
its ``ge``/``le`` bounds as the option's range and an environment variable where ``json_schema_extra``
names one under ``"envvar"``. The command receives the model, validated, instead of the options.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import annotated_types
import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo

M = TypeVar("M", bound=BaseModel)


def flag_of(name: str, field: FieldInfo) -> str:
    """The option's spelling on the command line (``--name``, or the field's own ``flag``)."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return str(extra.get("flag") or "--" + name.replace("_", "-"))


def envvar_of(field: FieldInfo) -> str | None:
    """The environment variable an option may be given by, or None."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    envvar = extra.get("envvar")
    return str(envvar) if envvar else None


def bounds_of(field: FieldInfo) -> tuple[float | None, float | None]:
    """The field's inclusive lower and upper bounds (``ge``, ``le``), None where it has none."""
    low: float | None = None  # an int field's bounds stay ints: click shows them as written
    high: float | None = None
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge):
            low = rule.ge  # type: ignore[assignment]
        elif isinstance(rule, annotated_types.Le):
            high = rule.le  # type: ignore[assignment]
        elif isinstance(rule, annotated_types.Gt | annotated_types.Lt):
            # click's ranges here are inclusive: an exclusive bound would check one thing and say another
            raise TypeError(f"{field.title}: give an option's bounds as ge/le, not gt/lt")
    return low, high


def _option(name: str, field: FieldInfo) -> inspect.Parameter:
    low, high = bounds_of(field)
    option = typer.Option(
        field.get_default(call_default_factory=True),
        flag_of(name, field),
        envvar=envvar_of(field),
        help=field.description,
        min=low,
        max=high,
    )
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=field.annotation
    )


def options_from(model: type[M]) -> Callable[[Callable[[M], None]], Callable[..., None]]:
    """Decorate ``command(settings: M)``: typer sees one option per field of ``model`` and the command
    is called with the model built from them."""

    def decorate(command: Callable[[M], None]) -> Callable[..., None]:
        @functools.wraps(command)
        def with_options(**options: Any) -> None:
            command(model(**options))

        del with_options.__wrapped__  # typer must read the options below, not the command's own signature
        with_options.__annotations__ = {}
        with_options.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [_option(name, field) for name, field in model.model_fields.items()], return_annotation=None
        )
        return with_options

    return decorate
