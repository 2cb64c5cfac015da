"""`null` for an optional field of a wire body means "not given": the field takes its default.

Other platforms' adapters (and JSON writers in general) send ``"point": null`` or ``"note": null`` for what
they do not know, where the contract's field is a string or a number with a default. A required field stays
required: ``null`` there is still refused, naming the field. Unknown fields are refused by every wire model
(``extra="forbid"``), so a misspelt field never silently drops what it carried.

The model parses a body as it is first, so a body it takes (every gateway's) costs nothing more; only a body
it refuses over a ``null`` is parsed again with the nulls of optional fields left out, nested wire models
included (a readings summary's readings).
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

M = TypeVar("M", bound=BaseModel)


def validate_wire(model: type[M], body: bytes) -> M:
    """``body`` (JSON) as ``model``, ``null`` for an optional field taken as its default; ValidationError as
    the model raises it otherwise (naming each wrong field)."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        if not any(e.get("input", ...) is None for e in exc.errors()):
            raise
        # the errors are about fields, so the body is JSON
        return model.model_validate(without_optional_nulls(model, from_json(body)))


class _Field(NamedTuple):
    required: bool
    nested: type[BaseModel] | None  # a wire model the value is (or, with ``many``, a list of)
    many: bool


@cache
def _fields(model: type[BaseModel]) -> dict[str, _Field]:
    """What ``without_optional_nulls`` needs of each field of ``model`` (worked out once per model)."""
    out = {}
    for name, field in model.model_fields.items():
        annotation, many = field.annotation, False
        if get_origin(annotation) is list and get_args(annotation):
            annotation, many = get_args(annotation)[0], True
        nested = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        out[name] = _Field(field.is_required(), nested, many)
    return out


def without_optional_nulls(model: type[BaseModel], data: Any) -> Any:
    """``data`` without the keys whose value is ``null`` where ``model``'s field has a default."""
    if not isinstance(data, dict):
        return data
    fields = _fields(model)
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key)
        if field is None or field.nested is None:
            if value is not None or field is None or field.required:
                out[key] = value  # an unknown key stays: the model refuses it by name
        elif field.many and isinstance(value, list):
            out[key] = [without_optional_nulls(field.nested, v) for v in value]
        elif value is not None or field.required:
            out[key] = without_optional_nulls(field.nested, value)
    return out
