"""What the ledger is read as: the overview, risk and campaign grading, the monthly report, notices and exports (XLSX, CSV, PDF)."""
