"""Generic devices: whatever their profile maps, stored and shown, judged by no rule of their own.

A meter or a sensor sitegw has no kind for yet (a site's power meter, a second anemometer nobody reads the
wind of) is still read, kept, summarised nowhere and watched for going offline.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.device import DeviceConfig
from contract.kinds import offline
from contract.kinds.kind import Kind


class GenericDevice(DeviceConfig):
    """A device read as its profile says, with no rules of its own."""

    kind: Literal["generic"] = Field(title="Kind", description="generic: read and kept, not judged")


KIND = Kind(
    name="generic",
    zh="其他设备",
    en="generic device",
    device=GenericDevice,
    metrics=(),
    offline_clause=offline.UNMAPPED,
    open_metrics=True,
    simulator="drivers.simulators.profile_sim:ProfileSim",
)
