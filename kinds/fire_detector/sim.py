"""A smoke/heat detector's simulator: quiet at about 24 ℃ (``normal``), or, in ``smolder``, embers left after the
work rekindling: the temperature creeping up from 10 minutes in until the detector alarms at 15 minutes, for
5 minutes, then reset (normal again) for the rest of each hour."""

from __future__ import annotations

import math
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from kinds.fire_detector.kind import ALARM, FIRE, NORMAL, TEMP, FireDetectorDevice

HOUR_S = 3600.0
SMOULDER_S, ALARM_S, RESET_S = 600.0, 900.0, 1200.0  # seconds into each hour: creeping, alarming, reset
ROOM_C, ALARM_C = 24.0, 62.0  # a room's air; a heat detector's alarm, about 57-62 ℃ (A1R class) [U]


class FireDetectorSim:
    """One smoke/heat detector."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, FireDetectorDevice)
        self.smoulders = scenario == "smolder"
        self.phase = float(seed % 60)

    def values(self, t: float) -> Mapping[str, float | str]:
        room = ROOM_C + 0.5 * math.sin((t + self.phase) / 300)
        at = t % HOUR_S
        if not self.smoulders or not SMOULDER_S <= at < RESET_S:
            return {ALARM: float(NORMAL), TEMP: round(room, 1)}
        rising = min(1.0, (at - SMOULDER_S) / (ALARM_S - SMOULDER_S))
        return {
            ALARM: float(FIRE if at >= ALARM_S else NORMAL),
            TEMP: round(room + (ALARM_C - room) * rising, 1),
        }
