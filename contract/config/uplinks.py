"""Where hazard alerts go: the regulator platform and supervisors' notification channels.

Every uplink sits behind the disk outbox (gateway/outbox): its settings here say how to reach the
platform and how patiently to retry; `OutboxConfig` bounds the queue itself.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from contract.alert_event import LEVELS, Level
from contract.config.common import Model
from contract.config.tls import TlsSettings

MIN_PERIOD_S = 0.2  # feedback polls and readings summaries: 0 (off) or at least this


class UplinkBase(Model):
    """Settings every uplink shares: its name, which alerts it takes, and its retry pace."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        title="Name",
        description="unique name of this uplink (its cursor in the outbox is kept under this name; "
        "renaming it starts a new, empty queue)",
    )
    levels: list[Level] = Field(
        default_factory=lambda: list(LEVELS),
        min_length=1,
        title="Levels",
        description="alert levels this uplink receives",
    )
    rules: list[str] = Field(
        default_factory=lambda: [""],
        min_length=1,
        title="Rules",
        description="rule id prefixes this uplink receives, e.g. [crane., pit.]; "
        'the default [""] takes every rule',
    )
    timeout_s: float = Field(10, gt=0, le=300, title="Timeout", description="seconds per request")
    backoff_initial_s: float = Field(
        1,
        gt=0,
        le=3600,
        title="First retry",
        description="seconds before the first retry after a failed delivery",
    )
    backoff_max_s: float = Field(
        300,
        gt=0,
        le=86400,
        title="Retry cap",
        description="longest wait between retries while the platform is unreachable",
    )
    platform: str = Field(
        "",
        title="Platform",
        description="what this uplink delivers to, when its address is not what identifies it "
        "(default: the URL, or the broker and topic). When it differs from the last run's, the "
        "events of the alerts still open are delivered to the new platform (logged)",
    )
    concurrency: int = Field(
        4,
        ge=1,
        le=64,
        title="Concurrency",
        description="requests in flight at once (different alerts only: one alert's events "
        "always go one after another, in order)",
    )

    def accepts(self, level: str, rule: str) -> bool:
        """Whether an alert of this level and rule goes to this uplink."""
        return level in self.levels and any(rule.startswith(prefix) for prefix in self.rules)

    def target(self) -> str:
        """Where this uplink delivers (URL, broker and topic, webhook), secrets included: the outbox
        keeps only its hash, and shows :meth:`shown_target`."""
        return ""

    def platform_key(self) -> str:
        """What identifies the platform this uplink delivers to: ``platform`` when set, else its target."""
        return self.platform or self.target()

    def shown_target(self) -> str:
        """The platform as a log line may show it: ``platform``, or the target without its query
        (webhook keys, tokens)."""
        return self.platform or self.target().split("?", 1)[0]


class RegulatorUplink(UplinkBase):
    """The default regulator protocol (docs/design.md): HMAC-SHA256 signed JSON over HTTPS."""

    type: Literal["regulator"] = "regulator"
    name: str = Field(
        "regulator",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        title="Name",
        description="unique name of this uplink",
    )
    base_url: str = Field(title="Base URL", description="events go to POST {base_url}/api/v1/events")

    def target(self) -> str:
        """The receiver's base URL."""
        return self.base_url.rstrip("/")

    secret: str = Field(
        min_length=1, title="Secret", description="the project's signing secret; use ${REGULATOR_SECRET}"
    )
    tls: TlsSettings | None = Field(
        None,
        title="TLS",
        description="for an https base_url: ca_file pins the CA that signed the regulator's certificate "
        "(only it is trusted, not the system's CAs); cert_file/key_file when the regulator requires "
        "client certificates. Absent: the system's CA store",
    )
    heartbeat_s: float = Field(
        60,
        ge=5,
        le=3600,
        title="Heartbeat",
        description="seconds between heartbeats (POST {base_url}/api/v1/heartbeat), so the "
        "regulator can tell a quiet site from a dead gateway",
    )
    feedback_every_s: float = Field(
        60,
        ge=0,
        le=3600,
        title="Feedback poll",
        description="seconds between polls of the regulator's decisions on this site's "
        "hazards (GET {base_url}/api/v1/feedback): confirmed, dismissed as a "
        "false alarm with the reason, rectification ordered with a deadline, "
        "closed; shown on the alerts in the API and dashboard. 0 turns it off; "
        "otherwise at least 0.2",
    )
    summary_every_s: float = Field(
        60,
        ge=0,
        le=3600,
        title="Readings summaries",
        description="seconds between sends of the crane, hoist, pit and formwork readings summaries "
        "(POST {base_url}/api/v1/readings): one value per device, point, "
        "metric and closed minute (the peak of load, moment, wind, tilt, "
        "displacements, settlement, forces, persons, cage speed; the last slew, "
        "radius, height, floor, water level), read from the local store after a cursor kept in the "
        "state folder, so outages and restarts lose and repeat nothing; "
        "a minute that gets readings after it was sent (a device's own "
        "backfill) is sent again and replaces its value; reviewers see "
        "them around each hazard. 0 turns it off; otherwise at least 0.2",
    )

    clips: bool = Field(
        True,
        title="Evidence clips",
        description="send each vision alert's evidence clip (VP8 WebM, a few seconds around the alert) to "
        "POST {base_url}/api/v1/clips, behind the alerts and only once the regulator has the alert; false "
        "keeps clips on the gateway only (vision.clip_budget_mb and vision.clip_max_mb bound them)",
    )

    @field_validator("feedback_every_s", "summary_every_s")
    @classmethod
    def _period_or_off(cls, seconds: float, info: ValidationInfo) -> float:
        # a tiny period would hammer the regulator with signed requests that mostly carry nothing new
        if 0 < seconds < MIN_PERIOD_S:
            raise ValueError(f"{info.field_name} must be 0 (off) or at least {MIN_PERIOD_S:g} s")
        return seconds


def http_url(url: str, field: str) -> str:
    """``url`` if it is an http(s) URL; else the error that says so."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{field} must be an http:// or https:// URL, got {url!r}")
    return url


class CraneUplink(UplinkBase):
    """What the regulator dialects of tower-crane records share: crane rules, the platform's device numbers."""

    rules: list[str] = Field(
        default_factory=lambda: ["crane."],
        min_length=1,
        title="Rules",
        description="rule id prefixes whose alerts are sent; these dialects only have tower-crane records",
    )
    device_numbers: dict[str, str] = Field(
        default_factory=dict,
        title="Device numbers",
        description="site device id -> the platform's registered device number (备案编号, DeviceSN); "
        "unmapped cranes are sent under their own id",
    )


class CwrServiceUplink(CraneUplink):
    """Guangdong/Shenzhen CWRService: MD5-signed query string, tower-crane alert records
    (gateway/uplinks/cwrservice.py; docs/standards.md §4)."""

    # "shenzhen" is the name earlier site files used for this dialect; both select it
    type: Literal["cwrservice", "shenzhen"] = "cwrservice"
    url: str = Field(
        title="URL",
        description="the platform's method URL for tower-crane records, https://.../CWRService/<method>",
    )

    def target(self) -> str:
        """The platform's method URL."""
        return self.url

    api_key: str = Field(
        min_length=1, title="API key", description="api_key the platform issued to this project"
    )
    secret: str = Field(
        min_length=1, title="Secret", description="the platform's signing secret; use ${SZ_SECRET}"
    )
    api_version: str = Field(
        "1.1",
        min_length=1,
        title="API version",
        description='api_version sent and signed (clients send "1.1")',
    )

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        return http_url(url, "url")


class DongguanUplink(CraneUplink):
    """Dongguan: the token signs the query in the name-value MD5 style, tower-crane alert records
    (gateway/uplinks/dongguan.py; docs/standards.md §4)."""

    type: Literal["dongguan"] = "dongguan"
    url: str = Field(title="URL", description="the platform's method URL for tower-crane records")

    def target(self) -> str:
        """The platform's method URL."""
        return self.url

    token: str = Field(
        min_length=1,
        title="Token",
        description="the token the platform issued: sent as ``token`` and the signature's key; use ${DG_TOKEN}",
    )
    version: str = Field("1.0", min_length=1, title="Version", description='version sent and signed ("1.0")')

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        return http_url(url, "url")


class CraneRecordsUplink(CraneUplink):
    """What the dialects that take both alerts and periodic crane records share (工务署, Chongqing)."""

    records_every_s: float = Field(
        60,
        ge=0,
        le=3600,
        title="Crane records",
        description="seconds between sends of each crane's per-minute record (the minute's peak load, "
        "moment and wind, the last radius, height and slew) read from the local store after a kept "
        "cursor, so outages and restarts lose and repeat nothing; records of minutes sent late are "
        "flagged backfill (补传). 0 turns it off; otherwise at least 0.2",
    )

    @field_validator("records_every_s")
    @classmethod
    def _records_period(cls, seconds: float, info: ValidationInfo) -> float:
        if 0 < seconds < MIN_PERIOD_S:
            raise ValueError(f"{info.field_name} must be 0 (off) or at least {MIN_PERIOD_S:g} s")
        return seconds

    @field_validator("base_url", check_fields=False)
    @classmethod
    def _base_url(cls, url: str) -> str:
        return http_url(url, "base_url")


class SzGwsUplink(CraneRecordsUplink):
    """Shenzhen 工务署 device API: ``/crane/addRecord`` per minute and ``/crane/warning`` per alert event
    (gateway/uplinks/szgws.py; docs/standards.md §4)."""

    type: Literal["szgws"] = "szgws"
    base_url: str = Field(
        title="Base URL",
        description="records go to POST {base_url}/crane/addRecord, alerts to {base_url}/crane/warning",
    )

    def target(self) -> str:
        """The platform's base URL."""
        return self.base_url.rstrip("/")

    api_key: str = Field(
        min_length=1, title="API key", description="api_key the platform issued to this project"
    )
    secret: str = Field(
        min_length=1, title="Secret", description="the platform's signing secret; use ${SZGWS_SECRET}"
    )
    api_version: str = Field(
        "1.1", min_length=1, title="API version", description="api_version sent and signed"
    )
    eng_code: str = Field(
        min_length=1, title="Engineering code", description="eng_code of the works (工程编码)"
    )
    project_code: str = Field(
        min_length=1, title="Project code", description="project_code the platform registered (项目编码)"
    )


class ChongqingUplink(CraneRecordsUplink):
    """Chongqing IoT platform: OAuth2 bearer token, form field ``params`` holding JSON
    (gateway/uplinks/chongqing.py; docs/standards.md §4)."""

    type: Literal["chongqing"] = "chongqing"
    base_url: str = Field(
        title="Base URL", description="the platform's address, e.g. https://iot.example.cq.cn"
    )

    def target(self) -> str:
        """The platform's base URL."""
        return self.base_url.rstrip("/")

    app_key: str = Field(min_length=1, title="App key", description="appKey the platform issued")
    app_secret: str = Field(
        min_length=1, title="App secret", description="appSecret the platform issued; use ${CQ_APP_SECRET}"
    )
    token_path: str = Field(
        "/IOTWebService/rest/oauth2/token",
        title="Token path",
        description="where the OAuth2 token is fetched (POST, form appKey and appSecret)",
    )
    record_path: str = Field(
        title="Record path",
        description="path of the crane real-time record method the platform gave you (starts with /)",
    )
    alarm_path: str = Field(
        title="Alarm path",
        description="path of the crane alarm method the platform gave you (starts with /)",
    )
    unified_project_code: str = Field(
        min_length=1, title="Unified project code", description="UnifiedProjectCode (全市统一项目编码)"
    )
    device_factory: str = Field(
        min_length=1,
        title="Device factory",
        description="DeviceFactory: the black box maker's registered name",
    )

    @field_validator("token_path", "record_path", "alarm_path")
    @classmethod
    def _path(cls, path: str, info: ValidationInfo) -> str:
        if not path.startswith("/"):
            raise ValueError(
                f"{info.field_name} is a path under base_url and must start with '/', e.g. /{path.lstrip('/')}"
            )
        return path


class MqttUplink(UplinkBase):
    """A platform that takes alerts over MQTT: one JSON AlertEvent per message, QoS 1, confirmed by PUBACK."""

    type: Literal["mqtt"] = "mqtt"
    host: str = Field(title="Host", description="broker host name or address")
    port: int = Field(1883, ge=1, le=65535, title="Port", description="broker port")
    topic: str = Field(
        "sitegw/{project}/alerts/{device}",
        title="Topic",
        description="topic template; {project}, {device} and {rule} are filled in",
    )
    client_id: str = Field("", title="Client id", description="empty: sitegw-uplink-<name>")
    username: str = Field("", title="User", description="broker user")
    password: str = Field("", title="Password", description="broker password; use ${MQTT_UPLINK_PASSWORD}")
    tls: bool | TlsSettings = Field(
        False,
        title="TLS",
        description="connect over TLS (port: the broker's TLS listener, usually 8883). true: the broker's "
        "certificate checked against the system's CAs; {ca_file, cert_file, key_file, verify}: against a "
        "pinned CA, with this gateway's client certificate when the broker requires one. false: plain TCP",
    )

    def tls_settings(self) -> TlsSettings | None:
        """The TLS settings to connect with (``true`` is the system's CAs, no client certificate); None: plain TCP."""
        if isinstance(self.tls, TlsSettings):
            return self.tls
        return TlsSettings() if self.tls else None

    def target(self) -> str:
        """The broker and the topic template."""
        return f"mqtt{'s' if self.tls else ''}://{self.host}:{self.port}/{self.topic}"


class DingTalkUplink(UplinkBase):
    """A DingTalk group robot (钉钉群机器人) with the 加签 signature: supervisors' notifications."""

    type: Literal["dingtalk"] = "dingtalk"
    webhook: str = Field(
        title="Webhook",
        description="the robot's URL, https://oapi.dingtalk.com/robot/send?"
        "access_token=...; use ${DINGTALK_WEBHOOK}",
    )
    secret: str = Field(
        min_length=1, title="Secret", description="the robot's SEC... signing secret; use ${DINGTALK_SECRET}"
    )
    at_mobiles: list[str] = Field(
        default_factory=list, title="@ mobiles", description="phone numbers to @ on alarm and critical alerts"
    )

    def target(self) -> str:
        """The robot's webhook (its access token in the query)."""
        return self.webhook


class WeComUplink(UplinkBase):
    """A WeCom group robot (企业微信群机器人): supervisors' notifications as markdown."""

    type: Literal["wecom"] = "wecom"
    webhook: str = Field(
        title="Webhook",
        description="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...; use ${WECOM_WEBHOOK}",
    )

    def target(self) -> str:
        """The robot's webhook (its key in the query)."""
        return self.webhook


Uplink = Annotated[
    RegulatorUplink
    | CwrServiceUplink
    | DongguanUplink
    | SzGwsUplink
    | ChongqingUplink
    | MqttUplink
    | DingTalkUplink
    | WeComUplink,
    Field(discriminator="type"),
]


class OutboxConfig(Model):
    """The disk queue in front of every uplink (`<state-dir>/outbox.sqlite`)."""

    max_disk_mb: float = Field(
        512,
        gt=0,
        title="Disk budget",
        description="MB the outbox may use; beyond it the oldest undelivered events are "
        "dropped, lowest level first (logged one by one)",
    )
    warn_pct: float = Field(
        70,
        gt=0,
        lt=100,
        title="Warning level",
        description="per cent of the budget at which a warning is logged and the "
        "outbox_disk_pct gauge crosses outbox_disk_warn_pct",
    )
    backfill_after_s: float = Field(
        60,
        gt=0,
        title="Backfill after",
        description="an event sent more than this many seconds after it was queued "
        "goes out flagged backfill (补传)",
    )
    keep_delivered_days: float = Field(
        35, ge=0, title="Keep delivered", description="days delivered events stay listed by `sitegw events`"
    )
