"""The channels a hazard reaches the ledger by (its ``source``), with their Chinese names (issue #16 §2;
standards.md §4: 企业自查上报、督导检查发现、群众举报查实). What each channel does is regulator/channels/."""

from __future__ import annotations

SOURCES: dict[str, str] = {
    "gateway": "机器告警",
    "inspection": "监督检查",
    "self_check": "企业自查",
    "public": "群众举报",
}


def source_name(source: str) -> str:
    """The channel's Chinese name."""
    return SOURCES.get(source, source)
