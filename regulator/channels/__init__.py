"""Hazards from every channel into one ledger (issue #16 §2; standards.md §4: 企业自查上报、督导检查发现、
群众举报查实).

A hazard's ``source`` says how it reached the ledger:

- ``gateway`` (机器告警): a site gateway's alert (regulator/storage/repository.py, today's path);
- ``inspection`` (监督检查): an inspector records it on site or from a camera's patrol picture
  (regulator/channels/ledger.py);
- ``self_check`` (企业自查): the project's safety officer submits what the site found, from the review UI
  or through the site's gateway (signed, idempotent by the check's id);
- ``public`` (群众举报): a report from the public form (regulator/channels/public.py), which enters the
  ledger only once an inspector of its district verified it.
"""

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
