"""The drive's plan at a ring: the thrust's upper end and the chamber pressure's band of the ring range it is
in (a drive order), else the drive's own; and the check of a machine left without a line its rules need."""

from __future__ import annotations

from contract.config.yamlsrc import Loc
from kinds.shield.kind import PLAN_FIELDS, Band, RingPlan, ShieldSpec


def ring_plan(spec: ShieldSpec, ring: float | None) -> RingPlan | None:
    """The ring range ``ring`` is in (None: in none, or the ring not known yet)."""
    if ring is None:
        return None
    return next((r for r in spec.rings if r.from_ring <= ring <= r.to_ring), None)


def thrust_max(spec: ShieldSpec, ring: float | None) -> float | None:
    """The planned thrust's upper end at ``ring``, kN: its range's, else the drive's (a ring not yet read is
    under the drive's); None where the plan gives none (check-config refused the site)."""
    found = ring_plan(spec, ring)
    return (
        found.thrust_max_kn if found is not None and found.thrust_max_kn is not None else spec.thrust_max_kn
    )


def chamber_band(spec: ShieldSpec, ring: float | None) -> Band | None:
    """The set chamber pressure's band at ``ring``, kPa, as :func:`thrust_max` picks it."""
    found = ring_plan(spec, ring)
    return found.chamber_kpa if found is not None and found.chamber_kpa is not None else spec.chamber_kpa


def check_plan(index: int, device: str, spec: ShieldSpec) -> list[tuple[Loc, str, str]]:
    """The plan values left out (each a rule's line): (where, what, how to fix)."""
    missing = [f for f in PLAN_FIELDS if getattr(spec, f) is None]
    return [
        (
            ("devices", index, "shield"),
            f"shield {device} has no {field} ({PLAN_FIELDS[field]}): its rule has no line to judge by",
            f"add shield.{field}: from the drive's special construction plan (专项施工方案); "
            "no standard gives a value (docs/standards.md §16)",
        )
        for field in missing
    ]
