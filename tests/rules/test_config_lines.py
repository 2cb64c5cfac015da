"""A site-file mistake only the rules can see is reported at its line, as the config loader knows it.

The engine used to read the YAML a second time to find the line; the loader now hands the lines over with
the site (LoadedSite.source), so the rules read no files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from config import EXAMPLE_SITE, PROFILES
from contract.config import ConfigError, load_site
from rules.engine import RuleEngine


def test_rules_for_an_unknown_device_name_the_line_and_the_known_devices(tmp_path: Path) -> None:
    text = EXAMPLE_SITE.read_text(encoding="utf-8")
    text = text.replace(
        "  device_offline: {warning_intervals: 3, alarm_after_s: 600}\n",
        "  device_offline: {warning_intervals: 3, alarm_after_s: 600}\n"
        "  devices:\n"
        "    crane-9:\n"
        "      crane_load: {warning_pct: 85}\n",
    )
    site_file = tmp_path / "site.yaml"
    site_file.write_text(text, encoding="utf-8")
    (tmp_path / "profiles").symlink_to(PROFILES)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.strip() == "crane-9:")

    site = load_site(site_file)
    site_file.unlink()  # the engine must not need the file any more: the lines came with the site
    with pytest.raises(ConfigError) as err:
        RuleEngine(site)
    (issue,) = err.value.issues
    assert (issue.line, issue.path) == (line, "rules.devices.crane-9")
    assert "not in devices" in issue.message and "crane-1" in issue.hint
