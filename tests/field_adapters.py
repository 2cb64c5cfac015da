"""FastAPI's validators of request parameters, built once per test process instead of once per app.

Building a route, FastAPI makes a pydantic TypeAdapter for each of its parameters (fastapi/_compat/v2.py's
ModelField); for the regulator's 156 routes that was 1,130 adapters, half of the 2 s its app takes to build,
and the tests build hundreds of regulators and gateways, each with its own app. A TypeAdapter depends on
nothing but the annotated type it is made from (and a config, never given for a route's parameter), and is
not changed once made, so the tests' apps share one per distinct parameter: the same validation, errors and
schema, made once. The product builds its one app per process and is untouched.

A parameter is the same as another only when its annotation is the same object (or an equal typing form
with the same text) and its metadata and field attributes have the same type and text; anything with no
hash (or a config) is built as always. The text guards against equal-but-different values: annotated_types'
metadata compare equal whatever they hold, and 0 == False."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from fastapi._compat import v2
from pydantic import TypeAdapter

_ADAPTERS: dict[Hashable, TypeAdapter[Any]] = {}


def _key(field: v2.ModelField) -> Hashable | None:
    """What the field's TypeAdapter is made from, as a key; None: not to be shared."""
    if field.config is not None:
        return None
    made_of = v2.asdict(field.field_info)
    annotation = made_of["annotation"]
    try:
        hash(annotation)
    except TypeError:
        return None
    return (
        annotation,
        repr(annotation),
        tuple((type(m), repr(m)) for m in made_of["metadata"]),
        tuple(sorted((name, type(value), repr(value)) for name, value in made_of["attributes"].items())),
    )


def share_field_adapters() -> None:
    """Make FastAPI's ModelFields share their TypeAdapters, for the rest of the process."""
    original = v2.ModelField.__post_init__

    def post_init(field: v2.ModelField) -> None:
        key = _key(field)
        if key is None:
            original(field)
            return
        adapter = _ADAPTERS.get(key)
        if adapter is None:
            original(field)
            _ADAPTERS[key] = field._type_adapter
        else:
            field._type_adapter = adapter

    setattr(v2.ModelField, "__post_init__", post_init)  # noqa: B010 (a method replaced on the class)
