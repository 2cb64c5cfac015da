"""Uplinks in the site file: each type parses, secrets come from the environment, mistakes name their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.config import ConfigError, load_site
from contract.config.uplinks import (
    ChongqingUplink,
    CwrServiceUplink,
    DingTalkUplink,
    MqttUplink,
    RegulatorUplink,
    SzGwsUplink,
    WeComUplink,
)

SITE = """\
project: {code: GD-SZ-2026-0001}
uplinks:
  - {type: regulator, base_url: "https://jg.example.cn", secret: "${REG_SECRET}"}
  - {type: shenzhen, name: sz, url: "https://sz.example.cn/tower", api_key: K, secret: "${SZ_SECRET:-dev}"}
  - {type: mqtt, name: platform, host: mq.example.cn}
  - {type: dingtalk, name: dt, webhook: "https://oapi.dingtalk.com/robot/send?access_token=t", secret: SEC1,
     levels: [alarm, critical]}
  - {type: wecom, name: wc, webhook: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
  - {type: cwrservice, name: gd, url: "https://gd.example.cn/CWRService/m", api_key: K, secret: S}
  - {type: szgws, name: gws, base_url: "https://gws.example.cn/api", api_key: K, secret: S, eng_code: E,
     project_code: P}
  - {type: chongqing, name: cq, base_url: "https://iot.example.cq.cn", app_key: A, app_secret: S,
     record_path: /r, alarm_path: /a, unified_project_code: U, device_factory: F}
"""


def test_every_uplink_type_parses_with_env_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REG_SECRET", "from-env")
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    uplinks = load_site(site).config.uplinks
    assert [type(u) for u in uplinks] == [
        RegulatorUplink,
        CwrServiceUplink,
        MqttUplink,
        DingTalkUplink,
        WeComUplink,
        CwrServiceUplink,
        SzGwsUplink,
        ChongqingUplink,
    ]
    assert uplinks[0].secret == "from-env" and uplinks[1].secret == "dev"  # type: ignore[union-attr]
    assert not uplinks[3].accepts("warning", "crane.load") and uplinks[3].accepts("alarm", "pit.rate")


def test_unknown_type_and_missing_field_name_their_line(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(
        "project: {code: P}\nuplinks:\n  - {type: regulator, secret: x}\n  - {type: fax, name: f}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_site(site)
    text = "\n".join(str(i) for i in err.value.issues)
    assert "base_url" in text and ":3" in text
    assert "fax" in text and ":4" in text


def test_dialect_mistakes_name_the_field_and_the_fix(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(
        "project: {code: P}\nuplinks:\n"
        "  - {type: chongqing, name: cq, base_url: 'https://iot.example.cq.cn', app_key: A, app_secret: S,\n"
        "     alarm_path: a, unified_project_code: U, device_factory: F}\n"
        "  - {type: szgws, name: gws, base_url: 'https://g.example.cn', api_key: K, secret: S, eng_code: E,\n"
        "     project_code: P, records_every_s: 0.1}\n"
        "  - {type: cwrservice, name: gd, url: 'gd.example.cn/CWRService/m', api_key: K, secret: ''}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_site(site)
    text = "\n".join(str(i) for i in err.value.issues)
    assert "record_path" in text and ":3" in text  # a missing method path, on the uplink's line
    assert "alarm_path is a path under base_url and must start with '/', e.g. /a" in text
    assert "records_every_s must be 0 (off) or at least 0.2 s" in text and ":6" in text
    assert "secret" in text and ":7" in text
    assert "url must be an http:// or https:// URL, got 'gd.example.cn/CWRService/m'" in text
