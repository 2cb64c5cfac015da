"""Where the regulator keeps things, the bottom floor of its packages: the database (``db``: engine and
migrations; partitions, backups, adopting a first receiver's file), the ``Repository`` of what it keeps
(``repository``: ``projects``, ``nonces``, ``events`` and ``event_sql``, ``readings``), the places tree
(``jurisdictions``), the scoped connection every person's read goes through (``scope``), and the evidence
files, local or S3-compatible (``evidence``, ``evidence_s3``, ``evidence_spec``)."""
