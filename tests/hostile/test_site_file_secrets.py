"""A site file that holds secrets in clear and that other accounts may read is warned about at start
(issue #19): `sitegw check-config` and `sitegw run` name the file, the fields and the fix."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from config import EXAMPLE_SITE
from contract.config.loader import load_site
from contract.config.secret_fields import literal_secrets
from tests.hostile.gateway import sitegw

REPO = Path(__file__).resolve().parents[2]


def site_with(tmp_path: Path, uplink: Mapping[str, object], mode: int) -> Path:
    data = yaml.safe_load(EXAMPLE_SITE.read_text(encoding="utf-8"))
    data["uplinks"] = [uplink]
    path = tmp_path / "site.yaml"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text.replace("'${", "${").replace("}'", "}"), encoding="utf-8")
    path.chmod(mode)
    return path


def check_config(path: Path, env: dict[str, str] | None = None) -> str:
    """What `sitegw check-config` writes to stderr (its log) for a valid site."""
    return sitegw("check-config", str(path), env=env).stderr


REGULATOR = {"type": "regulator", "base_url": "https://jg.example.cn", "secret": "s3cr3t-in-the-file"}


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_secrets_in_a_file_others_may_read_are_warned_about_with_the_fix(tmp_path: Path, mode: int) -> None:
    path = site_with(tmp_path, REGULATOR, mode)
    err = check_config(path)
    [line] = [ln for ln in err.splitlines() if "holds secrets" in ln]
    assert str(path) in line and "uplinks[0].secret" in line and f"chmod 600 {path}" in line
    assert f"mode {mode:03o}" in line
    assert "s3cr3t-in-the-file" not in err, "the warning names the field, never the secret"


def test_no_warning_once_the_file_is_private(tmp_path: Path) -> None:
    assert "holds secrets" not in check_config(site_with(tmp_path, REGULATOR, 0o600))


def test_no_warning_when_the_secrets_come_from_the_environment(tmp_path: Path) -> None:
    path = site_with(tmp_path, {**REGULATOR, "secret": "${REGULATOR_SECRET}"}, 0o644)
    assert "holds secrets" not in check_config(path, {"REGULATOR_SECRET": "from-env"})


def test_credentials_inside_urls_count_as_secrets(tmp_path: Path) -> None:
    dingtalk = {
        "type": "dingtalk",
        "name": "ding",
        "webhook": "https://oapi.dingtalk.com/robot/send?access_token=abc123",
        "secret": "${DING_SECRET}",
    }
    site = load_site(site_with(tmp_path, dingtalk, 0o644), {"DING_SECRET": "x"})
    assert literal_secrets(site) == ["uplinks[0].webhook"]
    # the reference site keeps every credential in ${ENV}: nothing to warn about
    assert literal_secrets(load_site(EXAMPLE_SITE, {"SITEGW_MQTT_PASSWORD": "pw"})) == []
