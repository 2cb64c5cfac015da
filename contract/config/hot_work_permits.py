"""How long the site's hot-work permits may run (动火许可证有效期, docs/standards.md §18): the site file's
``hot_work_permits:``, read by the permit register (gateway/site/hot_work.py) when a permit is issued, and by
the hot-work rules (rules/hot_work.py) and the permit list at every check after: a permit in force past its
level's validity as the site sets it now covers no hot work (contract/hot_work.py ``Permit.validity``).

GB 50720-2011 defines no approval levels and no validity: the levels (一级, 二级, 三级) and how long each
may run are a company's or a locality's scheme. The defaults are the one scheme §18 quotes (一级 1 day,
二级 3 days, 三级 1 week [U]); a site whose contractor's scheme differs writes its own here.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from contract.config.common import Model
from contract.config.errors import Located, raise_located

MIN_H = 1.0  # a window shorter than an hour is no stretch of work: a slip (days written as a fraction?)
MOST_H = 720.0  # 30 days: four times the longest validity §18 quotes; a permit is per stretch of work
LEVEL_FIELDS = {"一级": "level_1_h", "二级": "level_2_h", "三级": "level_3_h"}
"""A permit's approval level (contract/hot_work.py ``level``) and the field giving its validity, riskiest
first."""
BAD_WINDOW = "hot_work_window"
"""The pydantic error type of a validity out of its bounds (the loader names its line and the fix)."""


def _days(hours: float) -> str:
    return f"{hours / 24:g} day{'' if hours == 24 else 's'}"


def _whose(field: str) -> str:
    """Whose validity ``field`` gives, as a refusal names it."""
    level = next((lv for lv, f in LEVEL_FIELDS.items() if f == field), None)
    return "a permit naming no level" if level is None else f"a {level} permit"


class HotWorkPermitsConfig(Model):
    """The validity of the site's hot-work permits by approval level (the company's scheme [U]): each at
    least 1 h and at most 720 h (30 days), no level longer than ``max_h``; a permit whose window is longer
    is refused at issue, and one already kept stops covering hot work once its start plus its level's
    validity here has passed (a change takes effect at the gateway's next check, signed permits included)."""

    level_1_h: float = Field(
        24,
        ge=MIN_H,
        le=MOST_H,
        title="一级 validity",
        description="hours a 一级 permit's window may span (restricted zones, tanks that held flammables, "
        "enclosed rooms and basements; approved by the company's fire department): the company scheme "
        "docs/standards.md §18 quotes gives 1 day [U]",
    )
    level_2_h: float = Field(
        72,
        ge=MIN_H,
        le=MOST_H,
        title="二级 validity",
        description="hours a 二级 permit's window may span (temporary hot work with some risk, welding at "
        "height; approved by the site manager): 3 days in the scheme §18 quotes [U]",
    )
    level_3_h: float = Field(
        168,
        ge=MIN_H,
        le=MOST_H,
        title="三级 validity",
        description="hours a 三级 permit's window may span (no obvious fire risk; approved by the site "
        "lead): 1 week in the scheme §18 quotes [U]",
    )
    max_h: float = Field(
        168,
        ge=MIN_H,
        le=MOST_H,
        title="Longest permit",
        description="hours any permit's window may span: that of a permit naming no level, and the cap of "
        "each level's (none may exceed it): the longest validity of the scheme §18 quotes, 三级's week [U]",
    )

    @field_validator("level_1_h", "level_2_h", "level_3_h", "max_h", mode="before")
    @classmethod
    def _bounded(cls, value: Any, info: ValidationInfo) -> Any:
        # before the bounds' own check, so that the refusal names the field, its level and the fix
        if isinstance(value, int | float) and not isinstance(value, bool) and not MIN_H <= value <= MOST_H:
            field = str(info.field_name)
            default = cls.model_fields[field].default
            raise PydanticCustomError(
                BAD_WINDOW,
                f"{value:g} h is no validity for {_whose(field)}: it must be at least {MIN_H:g} h and at most "
                f"{MOST_H:g} h ({_days(MOST_H)})",
                {
                    "hint": f"write the hours your company's scheme gives, e.g. {field}: {default:g} "
                    f"(the default, {_days(default)}), or leave it out for the default"
                },
            )
        return value

    @model_validator(mode="after")
    def _capped(self) -> HotWorkPermitsConfig:
        raise_located(
            [
                Located(
                    (field,),
                    f"{getattr(self, field):g} h for {_whose(field)} is longer than max_h {self.max_h:g} h, "
                    "the longest any permit may run: it would never apply",
                    f"lower {field} to at most {self.max_h:g}, or raise max_h to {getattr(self, field):g}",
                )
                for field in LEVEL_FIELDS.values()
                if getattr(self, field) > self.max_h
            ]
        )
        return self

    def window_h(self, level: str | None) -> tuple[float, str]:
        """The longest window of a permit of ``level`` (None: naming none), hours, and the field giving it:
        what issuing allows and, at every check after, how long a permit covers hot work from its start
        (contract/hot_work.py ``Permit.validity``)."""
        field = "max_h" if level is None else LEVEL_FIELDS[level]
        # the model refuses a level above max_h: kept as a cap anyway
        return min(getattr(self, field), self.max_h), field

    def hints(self) -> list[str]:
        """A riskier level allowed longer than a less risky one: legal (the scheme is the company's, and
        sitegw has no standard to hold it to), but more likely two values swapped: check-config shows it."""
        levels = list(LEVEL_FIELDS.items())
        return [
            f"hot_work_permits: a {riskier} permit may run {getattr(self, rf):g} h, longer than a {safer} "
            f"permit's {getattr(self, sf):g} h: check the two are not swapped (the scheme §18 quotes gives "
            "the riskier level the shorter validity)"
            for i, (riskier, rf) in enumerate(levels)
            for safer, sf in levels[i + 1 :]
            if getattr(self, rf) > getattr(self, sf)
        ]
