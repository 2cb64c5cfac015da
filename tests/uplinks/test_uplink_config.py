"""Uplinks in the site file: each type parses, secrets come from the environment, mistakes name their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.config import ConfigError, load_site
from contract.config.uplinks import DingTalkUplink, MqttUplink, RegulatorUplink, ShenzhenUplink, WeComUplink

SITE = """\
project: {code: GD-SZ-2026-0001}
uplinks:
  - {type: regulator, base_url: "https://jg.example.cn", secret: "${REG_SECRET}"}
  - {type: shenzhen, name: sz, url: "https://sz.example.cn/tower", api_key: K, secret: "${SZ_SECRET:-dev}"}
  - {type: mqtt, name: platform, host: mq.example.cn}
  - {type: dingtalk, name: dt, webhook: "https://oapi.dingtalk.com/robot/send?access_token=t", secret: SEC1,
     levels: [alarm, critical]}
  - {type: wecom, name: wc, webhook: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
"""


def test_every_uplink_type_parses_with_env_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REG_SECRET", "from-env")
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    uplinks = load_site(site).config.uplinks
    assert [type(u) for u in uplinks] == [
        RegulatorUplink,
        ShenzhenUplink,
        MqttUplink,
        DingTalkUplink,
        WeComUplink,
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
