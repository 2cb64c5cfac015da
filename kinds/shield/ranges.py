"""What a shield machine's sensors can give (the judge's sensor.fault ranges, and the limit probes' faults)."""

from __future__ import annotations

import math

from kinds.shield.kind import ADVANCE, ARTICULATION, GROUT, MUCK, RING, ROLL, TAIL_SEAL, THRUST

RANGES: dict[str, tuple[float, float]] = {
    RING: (0.0, math.inf),
    ADVANCE: (0.0, math.inf),
    THRUST: (0.0, math.inf),
    GROUT: (0.0, math.inf),
    MUCK: (0.0, math.inf),
    ROLL: (-180.0, 180.0),
    TAIL_SEAL: (0.0, 1.0),
    ARTICULATION: (0.0, 1.0),
}
"""What the machine's sensors can give: no ring, rate, thrust or volume below zero, no roll past a half turn,
no flag but 0 to 1 (a vendor's fault code, 0xFFFF). Outside, a sensor.fault that changes no alert. The
chamber pressure and the deviations have no range of their own (a gauge may read a little below zero, a
deviation is any size): the site's ``rules.sensor_fault.ranges`` may give them one."""
