"""Hazards from every channel into one ledger (issue #16 §2; standards.md §4: 企业自查上报、督导检查发现、
群众举报查实).

A hazard's ``source`` (regulator/ledger/sources.py) says how it reached the ledger:

- ``gateway`` (机器告警): a site gateway's alert (regulator/ingest/, stored by regulator/storage/events.py);
- ``inspection`` (监督检查): an inspector records it on site or from a camera's patrol picture
  (regulator/channels/ledger.py);
- ``self_check`` (企业自查): the project's safety officer submits what the site found, from the review UI
  or through the site's gateway (signed, idempotent by the check's id);
- ``public`` (群众举报): a report from the public form (regulator/channels/public.py), which enters the
  ledger only once an inspector of its district verified it.

What the package offers: ``ledger.record``/``ledger.write`` (a finding into the ledger, cited to its article:
``articles``), ``photos`` (a finding's pictures), ``public`` (the public reports and their limits) and
``safety_logs`` (the sites' daily safety logs, a missing one becoming a hazard). Its HTTP routes are
regulator/routes/channels.py.
"""
