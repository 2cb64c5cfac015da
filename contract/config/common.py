"""Pieces shared by every configuration model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of every config model: unknown keys are errors (a typo must not be silently ignored), and
    no number may be NaN or infinity (``.nan``/``.inf`` in YAML): a threshold or scale of NaN would
    make every comparison false and silently switch a safety rule off."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
