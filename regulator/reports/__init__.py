"""What the ledger is read as: the overview (``overview``), risk and campaign grading (``risk``, ``grading``),
the monthly report (``monthly``), notices (``notice_pdf``), exports (XLSX, CSV, PDF) and the national export
(``national_export``, ``national_packages``). It reads the ledger/ and storage/; video/ reads it (the patrol
wall's order by risk)."""
