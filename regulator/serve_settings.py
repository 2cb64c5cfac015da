"""The settings of ``sitegw regulator serve``: one model, the source of the command's options (generated
from it by plumbing/model_options.py), of the settings every worker process's app is built from
(regulator/asgi.py) and of their reference, docs/regulator/serve.md (scripts/config_reference.py).

A field's name is its option's (``log_due_hours``: ``--log-due-hours``), its description the option's
help, its bounds the option's range; the unit is the last part of the name (``_min`` minutes, ``_h``
hours, ``_days``, ``_mb``).
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from regulator.access.auth import LoginPolicy
from regulator.access.passwords import PasswordPolicy
from regulator.channels.public import PER_DISTRICT, PER_NETWORK, PER_SENDER, TOTAL, Limits
from regulator.channels.safety_logs import LogPolicy
from regulator.ledger.accident_followup import FollowupPolicy
from regulator.ledger.review import DeadlinePolicy
from regulator.ledger.supervision import ListingPolicy
from regulator.routes.body_limit import DEFAULT_MAX_BODY_MB
from regulator.routes.read_only import ReadOnly

DEFAULT_DB = "sqlite:///regulator.sqlite"
DB_HELP = "postgresql://USER@HOST:PORT/DB (production) or sqlite:///PATH (embedded)"
# how the CLI hands the settings to the worker processes uvicorn spawns (they inherit nothing else)
ENV = "SITEGW_REGULATOR_SERVE"


def _env(name: str) -> dict[str, Any]:
    """The option may also be given by environment variable ``name`` (secrets, container setups)."""
    return {"envvar": name}


class ServeSettings(BaseModel):
    """What ``sitegw regulator serve`` is given: where it listens and keeps its data, the ledger's
    deadlines, the public form's limits, sign-in rules, forwarding to a province, standby serving."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field("127.0.0.1", title="Listen address", description="address to listen on")
    port: int = Field(8700, title="Port", description="TCP port")
    db: str = Field(DEFAULT_DB, title="Database", description=DB_HELP, json_schema_extra=_env("REGULATOR_DB"))
    evidence_dir: str = Field(
        "",
        title="Evidence store",
        description="where evidence pictures are kept: a folder (default: next to a SQLite "
        "file, ./regulator-evidence for PostgreSQL) or s3://BUCKET/PREFIX in an "
        "S3-compatible store (MinIO, OSS, COS, S3; credentials from "
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)",
        json_schema_extra=_env("REGULATOR_EVIDENCE_DIR"),
    )
    s3_endpoint: str = Field(
        "",
        title="S3 endpoint",
        description="URL of the S3-compatible store of an s3:// --evidence-dir, e.g. "
        "http://minio.local:9000 (default: AWS_ENDPOINT_URL, else AWS S3)",
        json_schema_extra=_env("REGULATOR_S3_ENDPOINT"),
    )
    general_days: float = Field(
        7.0, title="General hazard deadline", description="default rectification deadline, days"
    )
    major_days: float = Field(
        15.0, title="Major hazard deadline", description="deadline of a major hazard (挂牌督办), days"
    )
    county_listing_days: float = Field(
        30.0,
        ge=0.01,
        title="County listing deadline",
        description="listed supervision (挂牌督办): a major hazard's county (district) listing deadline, days "
        "(the plans' 县级30日); unanswered past it, it goes up to the city",
    )
    city_listing_days: float = Field(
        60.0,
        ge=0.01,
        title="City listing deadline",
        description="the city listing's deadline, days (the plans' 市级60日); unanswered past it, to the province",
    )
    investigation_days: float = Field(
        60.0,
        ge=0.01,
        title="Accident investigation deadline",
        description="an accident whose investigation is not finished this many days after it happened is "
        "proposed for listed supervision or a higher-level investigation (国务院令第493号第二十九条: 60 days)",
    )
    penalty_days: float = Field(
        75.0,
        ge=0.01,
        title="Accident penalty deadline",
        description="the same for its penalty (第三十二条: decided within 15 days of the investigation's report)",
    )
    log_due_hours: float = Field(
        12.0,
        ge=0.0,
        title="Safety log due",
        description="a site's daily safety log (施工安全日志) is due this many hours after its day ends (Beijing "
        "time; 12: noon the next day); one signed later is listed late",
    )
    log_grace_hours: float = Field(
        24.0,
        ge=0.0,
        title="Safety log grace",
        description="a safety log still missing this many hours after it was due becomes an ordinary hazard",
    )
    offline_after_min: float = Field(
        10.0,
        title="Offline after",
        description="a project is offline after this long without a request",
    )
    warning_hold_min: float = Field(
        10.0,
        ge=0.0,
        title="Warning hold",
        description="flood control: a warning the site resolves within this many minutes is only counted "
        "(per project and rule), one open longer becomes a hazard; alarms always do (0: every warning)",
    )
    workers: int = Field(
        1,
        ge=1,
        le=64,
        title="Worker processes",
        description="API processes on the one port (about 1,000 events/s each, CPU permitting); "
        "uvicorn restarts one that dies",
    )
    max_body_mb: float = Field(
        DEFAULT_MAX_BODY_MB,
        ge=0.01,
        title="Largest request body",
        description="larger request bodies (an event with its base64 evidence JPEG, a rectification photo) "
        "are refused with 413 before they are read",
    )
    public_per_hour: int = Field(
        PER_SENDER,
        ge=1,
        title="Public reports per sender",
        description="public reports (/public/report) taken per source address an hour",
    )
    public_total_per_hour: int = Field(
        TOTAL,
        ge=1,
        title="Public reports in all",
        description="public reports taken an hour from everyone together",
    )
    public_per_network_per_hour: int = Field(
        PER_NETWORK,
        ge=1,
        title="Public reports per network",
        description="public reports taken an hour from one network (an IPv4 /24, an IPv6 /48)",
    )
    public_per_district_per_hour: int = Field(
        PER_DISTRICT,
        ge=1,
        title="Public reports per district",
        description="public reports into one district an hour past which a sender's second report is refused "
        "(a sender's first report always counts as received)",
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        title="Trusted proxies",
        description="reverse proxies (addresses, comma-separated, or *) whose X-Forwarded-For names the "
        "client, so the public form's per-address limit counts the sender, not the proxy; '' trusts none",
    )
    lock_after: int = Field(
        5,
        ge=1,
        title="Lock after failures",
        description="failed sign-ins in a row that lock a user name (unlock-user lifts it)",
    )
    lock_min: float = Field(30.0, ge=0.1, title="Lockout", description="how long a lockout lasts, minutes")
    session_idle_min: float = Field(
        30.0,
        ge=0.1,
        title="Session idle timeout",
        description="a session unused this long ends (sign in again), minutes",
    )
    password_min_length: int = Field(8, ge=8, title="Password length", description="characters at least")
    password_classes: int = Field(
        2,
        ge=1,
        le=4,
        title="Password character kinds",
        description="kinds of character a password needs: of lower-case, upper-case, digits, others (3 for "
        "等保三级 practice)",
    )
    password_max_age_days: float = Field(
        90.0,
        ge=0,
        title="Password age",
        description="a password older than this must be changed (0: never)",
    )
    forward_to: str = Field(
        "",
        title="Province's regulator",
        description="a city's platform: forward the ledger to the province's regulator at this URL, e.g. "
        "https://province.example/ (PostgreSQL only; docs/regulator/chain.md)",
        json_schema_extra=_env("REGULATOR_FORWARD_TO"),
    )
    forward_id: str = Field(
        "", title="City id at the province", description="this city's id at the province (its add-city)"
    )
    # a secret: never handed to worker processes through their environment (forwarding runs in one)
    forward_secret: str = Field(
        "",
        exclude=True,
        title="City key at the province",
        description="this city's key at the province",
        json_schema_extra=_env("REGULATOR_FORWARD_SECRET"),
    )
    forward_jurisdiction: str = Field(
        "",
        title="City's place",
        description="this city's place, 省/市, as the province registered it, e.g. 广东省/深圳市 (a district "
        "forwarding to its city: 省/市/区县)",
    )
    secure_cookies: bool | None = Field(
        None,
        title="Secure cookies",
        description="the session cookie's Secure flag: always, or never (default: when the request came over "
        "TLS, directly or by a --forwarded-allow-ips proxy's X-Forwarded-Proto)",
        json_schema_extra={"flag": "--secure-cookies/--plain-cookies"},
    )
    require_second_factor: bool = Field(
        True,
        title="Second factor required",
        description="regulators and admins without a TOTP second factor are led to enrol one (a QR code) at "
        "sign-in and can use nothing else until done (等保三级 8.1.4.1 d); optional: they may enrol",
        json_schema_extra={"flag": "--require-second-factor/--optional-second-factor"},
    )
    second_factor_grace_days: float = Field(
        0.0,
        ge=0,
        title="Second factor grace",
        description="with --require-second-factor: days after an account is created that its user may still "
        "work without a second factor",
    )
    read_only: bool = Field(
        False,
        title="Read-only (standby)",
        description="serve the pages from a PostgreSQL standby (--db ...?target_session_attrs=prefer-standby): "
        "GET requests only, every other answered 503 naming --primary-url; nothing is migrated or written "
        "(deploy/pg_auto_failover/README.md)",
    )
    primary_url: str = Field(
        "",
        title="Primary's URL",
        description="with --read-only: the primary regulator's URL, which refusals name (e.g. "
        "https://regulator.example/)",
    )

    @property
    def offline_after_s(self) -> float:
        return self.offline_after_min * 60

    @property
    def warning_hold_s(self) -> float:
        return self.warning_hold_min * 60

    def deadline_policy(self) -> DeadlinePolicy:
        """Rectification deadlines (regulator/ledger/review.py)."""
        return DeadlinePolicy(self.general_days, self.major_days)

    def listing_policy(self) -> ListingPolicy:
        """Listed supervision's deadlines (regulator/ledger/supervision.py)."""
        return ListingPolicy(self.county_listing_days, self.city_listing_days)

    def followup_policy(self) -> FollowupPolicy:
        """When an accident's unfinished investigation or penalty is proposed for listing."""
        return FollowupPolicy(self.investigation_days, self.penalty_days)

    def log_policy(self) -> LogPolicy:
        """When a site's daily safety log is due, and a hazard when missing (regulator/ledger/safety_logs.py)."""
        return LogPolicy(self.log_due_hours, self.log_grace_hours)

    def read_only_setting(self) -> ReadOnly | None:
        """A standby's read-only regulator (regulator/routes/read_only.py), or None."""
        return ReadOnly(self.primary_url) if self.read_only else None

    def public_limits(self) -> Limits:
        """The public form's limits these settings give (regulator/channels/public.py)."""
        return Limits(
            self.public_per_hour,
            self.public_total_per_hour,
            per_network=self.public_per_network_per_hour,
            per_district=self.public_per_district_per_hour,
        )

    def login_policy(self) -> LoginPolicy:
        """The sign-in policy these settings give (regulator/access/auth.py)."""
        return LoginPolicy(
            user_failures=self.lock_after,
            lock_s=self.lock_min * 60,
            idle_s=self.session_idle_min * 60,
            passwords=PasswordPolicy(
                self.password_min_length, self.password_classes, self.password_max_age_days
            ),
            second_factor_required=self.require_second_factor,
            second_factor_grace_s=self.second_factor_grace_days * 86400,
        )

    def export(self) -> None:
        """Put these settings in the environment for the worker processes (ServeSettings.from_env)."""
        os.environ[ENV] = self.model_dump_json()

    @classmethod
    def from_env(cls) -> ServeSettings:
        """The settings the CLI exported (a worker started any other way has none: say so)."""
        raw = os.environ.get(ENV)
        if not raw:
            raise RuntimeError(f"{ENV} is not set: start workers with `sitegw regulator serve --workers N`")
        return cls.model_validate_json(raw)
