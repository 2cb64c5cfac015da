"""What a 一级 slope with important buildings in its sliding zone must monitor, which check-config asks for: GB
50330-2013 §19.1.1, a mandatory clause (强制性条文, docs/standards.md §15; its wording from memory [U]): the
slope top's horizontal and vertical displacement, the ground cracks and the deformation of the buildings at the
top.

Whether such buildings stand there is the site file's ``buildings_in_sliding_zone``; a building point is taken
as one whatever that says (fail safe: a building watched at the top is a building the slope can take with it),
so a 一级 slope with a building point needs the other items too."""

from __future__ import annotations

from collections.abc import Callable

from contract.config.yamlsrc import Loc
from kinds.slope.kind import SlopePoint, SlopeSpec

CLAUSE = "GB 50330-2013 §19.1.1 (强制性条文, mandatory)"
# each item: does a point monitor it, what it is, and the point that would
ITEMS: tuple[tuple[Callable[[SlopePoint], bool], str, str], ...] = (
    (
        lambda p: p.kind == "surface",
        "the top's horizontal and vertical displacement (a surface point)",
        "{code: <code>, kind: surface}",
    ),
    (
        lambda p: p.kind == "crack" and p.crack_in == "ground",
        "the ground cracks (a crack point on the ground)",
        "{code: <code>, kind: crack, crack_in: ground}",
    ),
    (
        lambda p: p.kind == "building",
        "the buildings at the top (a building point)",
        "{code: <code>, kind: building, allowable_settle_mm: <mm>, allowable_tilt: <ratio>}",
    ),
)


def buildings_in_zone(spec: SlopeSpec) -> str | None:
    """Why the slope has important buildings in its sliding zone (None: it has none the file tells of)."""
    if spec.buildings_in_sliding_zone:
        return "buildings_in_sliding_zone: true"
    if any(p.kind == "building" for p in spec.points):
        return "a building point, taken as a building in its sliding zone"
    return None


def check_mandatory(device: str, spec: SlopeSpec, at: Loc) -> list[tuple[Loc, str, str]]:
    """§19.1.1's items a 一级 slope with buildings in its sliding zone does not monitor, ``at`` the slope's place:
    one issue naming them all, or none."""
    why = buildings_in_zone(spec) if spec.grade == 1 else None
    if why is None:
        return []
    missing = [(what, point) for monitors, what, point in ITEMS if not any(monitors(p) for p in spec.points)]
    if not missing:
        return []
    return [
        (
            (*at, "points"),
            f"slope {device}: a grade 1 (一级) slope with important buildings in its sliding zone ({why}) "
            f"does not monitor {'; '.join(what for what, _ in missing)}",
            f"add {', '.join(point for _, point in missing)} to its points: {CLAUSE} has a grade 1 slope with "
            "important buildings in its sliding zone monitor the top's horizontal and vertical displacement, "
            "the ground cracks and the buildings at the top",
        )
    ]
