"""Where readings are kept: the embedded local store and, optionally, InfluxDB."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from contract.config.common import Model


class LocalStoreConfig(Model):
    """The embedded SQLite history every gateway keeps (serves the API, survives power cuts)."""

    retention_days: float = Field(
        35,
        ge=30,
        title="Retention",
        description="days of history kept; GB/T 28264 asks for at least 30 working days",
    )
    gate_retention_days: float = Field(
        90,
        ge=90,
        title="Gate passages retention",
        description="days of the access gates' passages kept (attendance kind); the regulator may look back "
        "3 months at the key people's attendance (倒查3个月考勤), so at least 90",
    )
    max_disk_mb: float = Field(
        8192,
        gt=0,
        title="Disk budget",
        description="MB the store may use; the oldest days go first when it is reached "
        "(a warning is logged when that cuts below the retention)",
    )
    flush_interval_s: float = Field(
        0.5, gt=0, le=10, title="Flush interval", description="seconds between batched commits"
    )
    max_held_readings: int = Field(
        500_000,
        ge=1000,
        title="Readings held while the disk is full",
        description="readings kept in memory while the state folder's disk is full (about 150 bytes "
        "each: 500,000 is about 75 MB); past this the oldest are dropped, counted and logged, so memory stays bounded and the "
        "alerts, which are recorded in the disk's reserve, keep going",
    )


class SafetyLogConfig(Model):
    """The daily safety log (施工安全日志, standards.md §14) the gateway drafts for the safety officer."""

    draft_at: str = Field(
        "18:00",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        title="Draft at",
        description="Beijing time (HH:MM) at which the day's log is drafted each evening; it is redrafted on "
        "request until signed",
    )


class InfluxConfig(Model):
    """An InfluxDB (or compatible) server that receives every reading."""

    url: str = Field(title="URL", description="e.g. http://influx.example:8086")
    api: Literal["v2", "v1"] = Field(
        "v2",
        title="API",
        description="v2: /api/v2/write (InfluxDB 2.x, 3.x, Cloud) with a token; v1: /write (InfluxDB 1.x)",
    )
    org: str = Field("", title="Organisation", description="v2 only")
    bucket: str = Field("", title="Bucket", description="v2 only")
    token: str = Field("", title="Token", description="v2 API token; use ${INFLUX_TOKEN}")
    database: str = Field("", title="Database", description="v1 only")
    retention_policy: str = Field("", title="Retention policy", description="v1 only; empty: the default")
    username: str = Field("", title="User", description="v1 only")
    password: str = Field("", title="Password", description="v1 only; use ${INFLUX_PASSWORD}")
    batch_size: int = Field(5000, ge=1, le=100_000, title="Batch size", description="points per write")
    flush_interval_s: float = Field(
        1.0, gt=0, le=60, title="Flush interval", description="seconds before a partial batch is written"
    )
    timeout_s: float = Field(10, gt=0, title="Timeout", description="seconds per write request")
    spool_max_mb: float = Field(
        1024,
        gt=0,
        title="Spool budget",
        description="MB of points kept on disk while InfluxDB is unreachable",
    )

    @model_validator(mode="after")
    def _api_fields(self) -> InfluxConfig:
        if self.api == "v2" and not self.bucket:
            raise ValueError("api v2 needs bucket: (and org:, token: for InfluxDB 2.x/Cloud)")
        if self.api == "v1" and not self.database:
            raise ValueError("api v1 needs database:")
        return self


class ApiConfig(Model):
    """The supervisors' HTTP API and dashboard."""

    host: str = Field("127.0.0.1", title="Host", description="address to listen on; 0.0.0.0 for the site LAN")
    port: int = Field(8080, ge=0, le=65535, title="Port", description="0 picks a free port")
    anonymous_read: bool = Field(
        True,
        title="Anonymous read",
        description="the site office screen may watch without logging in; every "
        "write (acknowledge, note, silence) always needs a supervisor",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        title="CORS origins",
        description="other web origins allowed to call the API; empty: closed",
    )
