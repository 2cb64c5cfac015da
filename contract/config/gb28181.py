"""The site as one GB/T 28181-2016 device on a video platform: the platform, the IDs, the cameras as channels.

IDs are the standard's 20 digits (§D.1: centre code 8, industry 2, type 3, network 1, serial 6; type 111-130
is a front-end device such as a DVR/NVR, 131 a camera, 132 an IP camera, 200 a platform): the platform's
operator hands them out, and they are only checked to be 20 digits and unique here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from contract.config.common import Model

GbId = Annotated[str, Field(pattern=r"^[0-9]{20}$")]


class Gb28181Channel(Model):
    """One camera of the site, offered to the platform as a channel of the device."""

    camera: str = Field(title="Camera", description="the name of a camera in vision.cameras")
    channel_id: GbId = Field(
        title="Channel ID",
        description="the channel's 20-digit ID from the platform's operator (type digits 11-13 usually 131 or 132)",
    )
    name: str = Field(
        "", title="Name", description="the channel's name on the platform (default: the camera's name)"
    )


class Gb28181Config(Model):
    """Registration with a GB/T 28181 video platform (SIP), its keepalive, and live streams of the cameras."""

    server_id: GbId = Field(title="Platform ID", description="the platform's 20-digit SIP server ID")
    server_host: str = Field(min_length=1, title="Platform host", description="the platform's SIP address")
    server_port: int = Field(
        5060, ge=1, le=65535, title="Platform port", description="the platform's SIP port"
    )
    domain: str = Field(
        "",
        pattern=r"^[0-9A-Za-z.\-]*$",
        title="SIP domain",
        description="the platform's SIP domain (default: the first 10 digits of its ID, as the standard makes it)",
    )
    transport: Literal["udp", "tcp"] = Field(
        "udp", title="SIP transport", description="SIP over udp (the standard's default) or tcp"
    )
    device_id: GbId = Field(
        title="Device ID", description="this gateway's 20-digit device ID on the platform"
    )
    password: str = Field(
        min_length=1,
        title="Password",
        description="the device's password for the platform's digest challenge",
    )
    local_host: str = Field(
        "",
        title="Local address",
        description="the address the platform reaches this gateway at (Via, Contact, media); default: the "
        "address this box uses towards the platform (set it behind NAT)",
    )
    local_port: int = Field(
        5060,
        ge=0,
        le=65535,
        title="Local SIP port",
        description="SIP port of this gateway (0: any free port)",
    )
    name: str = Field("sitegw", title="Device name", description="the device's name in DeviceInfo answers")
    expires_s: int = Field(
        3600,
        ge=60,
        le=86400,
        title="Registration expiry",
        description="seconds a registration lasts; renewed halfway",
    )
    keepalive_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        title="Keepalive",
        description="seconds between keepalives (GB/T 28181-2016 §9.6: 60)",
    )
    keepalive_misses: int = Field(
        3,
        ge=1,
        le=20,
        title="Keepalive misses",
        description="keepalives in a row without an answer before the platform counts as lost and the device "
        "registers again (GB/T 28181-2016 §9.6: 3)",
    )
    retry_min_s: float = Field(
        5.0,
        gt=0,
        title="First retry",
        description="wait before the first new REGISTER after a failed one; doubled after each failure",
    )
    retry_max_s: float = Field(
        60.0,
        gt=0,
        title="Longest retry",
        description="the longest wait between REGISTER attempts (practice: 60 s; not confirmed against the printed "
        "standard)",
    )
    media_fps: int = Field(
        25, ge=1, le=30, title="Stream rate", description="frames per second of the live H.264"
    )
    media_kbps: int = Field(
        1024, ge=64, le=16384, title="Stream bitrate", description="kbit/s of the live H.264 stream"
    )
    channels: list[Gb28181Channel] = Field(
        min_length=1, title="Channels", description="the cameras offered to the platform, one channel each"
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> Gb28181Config:
        seen: dict[str, str] = {self.device_id: "the device_id", self.server_id: "the server_id"}
        if self.device_id == self.server_id:
            raise ValueError(
                f"gb28181: device_id and server_id are both {self.device_id}: give the device its own ID"
            )
        cameras: set[str] = set()
        for ch in self.channels:
            if ch.channel_id in seen:
                raise ValueError(
                    f"gb28181: channel {ch.channel_id} of camera {ch.camera} is also {seen[ch.channel_id]}: "
                    "every ID must be unique"
                )
            seen[ch.channel_id] = f"the channel of camera {ch.camera}"
            if ch.camera in cameras:
                raise ValueError(f"gb28181: camera {ch.camera} has two channels: give each camera one")
            cameras.add(ch.camera)
        if self.retry_max_s < self.retry_min_s:
            raise ValueError(
                f"gb28181: retry_max_s {self.retry_max_s:g} is below retry_min_s {self.retry_min_s:g}"
            )
        return self

    @property
    def sip_domain(self) -> str:
        """The SIP domain: as configured, else the first 10 digits of the platform's ID."""
        return self.domain or self.server_id[:10]
