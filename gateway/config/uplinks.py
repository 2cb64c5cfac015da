"""Where hazard alerts go: the regulator platform and supervisors' notification channels."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gateway.config.common import Model


class RegulatorUplink(Model):
    """The default regulator protocol (DESIGN.md): HMAC-SHA256 signed JSON over HTTPS."""

    type: Literal["regulator"] = "regulator"
    name: str = Field("regulator", title="Name", description="unique name of this uplink")
    base_url: str = Field(title="Base URL", description="events go to POST {base_url}/api/v1/events")
    secret: str = Field(title="Secret", description="the project's signing secret; use ${REGULATOR_SECRET}")
    timeout_s: float = Field(10, gt=0, title="Timeout", description="seconds per request")


Uplink = Annotated[RegulatorUplink, Field(discriminator="type")]
