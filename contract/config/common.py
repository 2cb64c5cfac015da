"""Pieces shared by every configuration model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of every config model: unknown keys are errors (a typo must not be silently ignored), and
    no number may be NaN or infinity (``.nan``/``.inf`` in YAML): a threshold or scale of NaN would
    make every comparison false and silently switch a safety rule off."""

    # defer_build: a model's validator is built at its first use, not at import. Built eagerly, each of the
    # site file's models built its own with every model under it inlined again, most of them never used on
    # their own: 1.2 MB of every gateway's memory for its whole life (issue #55).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)
