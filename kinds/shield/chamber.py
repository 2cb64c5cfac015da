"""shield.chamber 盾构仓压超限: the earth (slurry) chamber pressure outside the band set for the ring being
driven is a warning (docs/standards.md §16 [practice], from GB 55034-2022 §3.7.2: the advance matched to the
ground's heave and settlement, the muck and the grouting). Outside is strict: a pressure on either end of the
band is inside it. The band is the plan's: the ring range's (``shield.rings``), else the drive's
(``shield.chamber_kpa``).

Both ends are judged as one line, the pressure's departure from the band's middle against half its width (as
slope.anchor judges an anchor's band), so the clearing band is the same share of it at either end."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.shield.clauses import ADVANCE_3_7_2
from kinds.shield.kind import Band
from kinds.shield.words import at_ring
from rules.reached import Reached, Words
from rules.result import WORSE_DETAIL, RuleResult
from rules.wording import PRACTICE_ZH

WORDS = Words(
    rule="shield.chamber",
    clauses={"warning": f"{ADVANCE_3_7_2}；土仓（泥水仓）压力超出设定范围即预警{PRACTICE_ZH}"},
    unit="kPa",
    actions={
        "warning": (
            "核查仓压设定与出土（排浆）量，调整掘进参数使仓压回到设定范围，加强地表隆沉监测",
            "check the set pressure and the muck (slurry) discharge, adjust the drive until the pressure is "
            "back in its band, and watch the ground's heave and settlement more closely",
        )
    },
    strict=True,
)


class ShieldChamber(Reached):
    """Each machine's chamber pressure against the band set for its ring."""

    def __init__(self) -> None:
        super().__init__(WORDS)

    def evaluate(
        self,
        device: str,
        name: str,
        band_kpa: Band,
        hysteresis: float,
        pressure_kpa: float,
        ring: float | None,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one pressure reading against ``band_kpa`` (low, high), the plan's for ``ring``."""
        low, high = band_kpa
        middle, half = (low + high) / 2, (high - low) / 2
        upper = pressure_kpa >= middle
        level = self.level(device, "", abs(pressure_kpa - middle), [("warning", half)], hysteresis)
        at, at_en = at_ring(ring)
        side, side_en = ("高于上限", "above its upper end") if upper else ("低于下限", "below its lower end")

        def what(level: Level | None) -> tuple[str, str]:
            out, out_en = (f"，{side}", f", {side_en}") if level else ("", "")
            return (
                f"{name}{at} 土仓压力 {pressure_kpa:g} kPa，设定范围 {low:g}～{high:g} kPa{out}",
                f"{name}{at_en} chamber pressure {pressure_kpa:g} kPa, set band {low:g}-{high:g} kPa{out_en}",
            )

        end: list[tuple[Level, float]] = [("warning", high if upper else low)]  # the end it is nearer
        # worse both ways: say which, as slope.anchor does (the alert manager's worsening updates read it)
        details: dict[str, float | str | list[str]] = {WORSE_DETAIL: "higher" if upper else "lower"}
        return self.report(device, "", level, pressure_kpa, end, what, details, ts, backfill)
