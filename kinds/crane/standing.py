"""Where a tower crane stands, and whether it moves: any slewing (回转), trolley travel (变幅) or hoisting
(起升), as standards.md §10 lists the motions a jacking window forbids and as a weather stop forbids them.

Motion is a change beyond the sensor's noise (大于: a change of exactly the noise is still) from a place
the crane stood, never from the sample before: a slow slew of 0.4°/s moves 0.4° a sample, under a 1°
noise at every step, and 4° in ten seconds. A crane stands still once every motion has stayed within a
share of its noise (half, for a jacking window's all-clear; the whole of it, for a weather stop's work) of
one place for a settled time, counted from the second of the complete samples one poll apart that find it
there: a sample without every motion, or a silence, starts the count again (the hook may have swung away
and back between). The last steps of a motion slower than that share a sample cannot be told from
standing: such a crane may count as standing up to share × noise ÷ speed samples early.
"""

from __future__ import annotations

from typing import Final

from kinds.crane.thresholds import CraneJackingRule

# (metric, Chinese motion, English motion, unit)
MOTIONS = (
    ("slew_deg", "回转", "slewing", "°"),
    ("radius_m", "变幅（小车行走）", "trolley travel", " m"),
    ("height_m", "起升", "hoisting", " m"),
)
METRICS = tuple(m for m, *_ in MOTIONS)
STILL_BAND: Final = 0.5  # of the noise: a place the crane keeps within half its noise of is where it stands
STILL_GAP: Final = 1.5  # polls: two samples further apart than this have a silence between them

Noise = tuple[float, float, float]
"""Each motion's noise, in MOTIONS' order: its change up to this is no motion."""


def noise_of(cfg: CraneJackingRule) -> Noise:
    """The crane's motion noises from its rules' section."""
    return cfg.slew_noise_deg, cfg.radius_noise_m, cfg.height_noise_m


def change(metric: str, now: float, before: float) -> float:
    """How far ``metric`` moved; a slew the short way round (359° to 1° is 2°)."""
    d = abs(now - before)
    if metric != "slew_deg":
        return d
    d %= 360.0
    return min(d, 360.0 - d)


def moved(
    now: dict[str, float], at: dict[str, float], noise: Noise, share: float = 1.0
) -> list[tuple[int, float]]:
    """The motions (index in MOTIONS, change) that moved beyond ``share`` of their noise from ``at``; a
    motion not known both now and at ``at`` is not judged."""
    out: list[tuple[int, float]] = []
    for i, metric in enumerate(METRICS):
        a, b = now.get(metric), at.get(metric)
        if a is None or b is None:
            continue
        d = change(metric, a, b)
        if d > noise[i] * share:
            out.append((i, d))
    return out


class Standing:
    """Where one crane has stood (each motion's reading, None: unknown) and since when (None: not known
    to stand anywhere yet). Written out for the three motions: every crane sample passes here."""

    def __init__(self) -> None:
        self._slew: float | None = None
        self._radius: float | None = None
        self._height: float | None = None
        self.since: float | None = None
        self._last: float | None = None

    def see(
        self, now: dict[str, float], complete: bool, noise: Noise, share: float, gap_s: float, ts: float
    ) -> bool:
        """Take the sample of ``ts`` (``complete``: it reported every motion the crane reports): whether
        it left the place the crane stood by more than ``share`` of a noise (as :func:`moved`).
        Leaving, at the first sample or after a silence longer than ``gap_s``, the crane is here now, and
        stands here from the next complete sample that finds it here (one sample alone shows no
        standing: the crane may have swung away and back since the one before); an incomplete sample
        proves nothing, and the count starts again after it."""
        slew, radius, height = now.get("slew_deg"), now.get("radius_m"), now.get("height_m")
        left = (
            (
                slew is not None
                and self._slew is not None
                and change("slew_deg", slew, self._slew) > noise[0] * share
            )
            or (
                radius is not None
                and self._radius is not None
                and abs(radius - self._radius) > noise[1] * share
            )
            or (
                height is not None
                and self._height is not None
                and abs(height - self._height) > noise[2] * share
            )
        )
        if not complete:
            self.since = self._last = None
            return left
        if left or self._last is None or ts - self._last > gap_s:
            self._slew, self._radius, self._height = slew, radius, height
            self.since = None
        elif self.since is None:
            self.since = ts
        self._last = ts
        return left

    def place(self) -> dict[str, float]:
        """Where it stands: each motion's reading there."""
        found = zip(METRICS, (self._slew, self._radius, self._height), strict=True)
        return {m: v for m, v in found if v is not None}

    def still_for(self, ts: float) -> float:
        """Seconds the crane has stood where it stands, at ``ts`` (0: not known to stand)."""
        return 0.0 if self.since is None else ts - self.since
