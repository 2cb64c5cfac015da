"""The optional parts of an install, and what to say when one is missing.

An edge box installs sitegw alone; the regulator's side (SQLAlchemy, Alembic, psycopg, boto3, uvloop) is
the ``regulator`` extra. The demo embeds a regulator when the extra is there and runs without one when
it is not; the regulator's commands say how to get it.
"""

from __future__ import annotations

REGULATOR_INSTALL = "pip install 'sitegw[regulator]'"
_REGULATOR_ONLY = frozenset(
    {"sqlalchemy", "alembic", "psycopg", "psycopg_binary", "boto3", "botocore", "uvloop"}
)


def regulator_extra_missing(exc: ModuleNotFoundError) -> bool:
    """Whether an import failed only because the regulator extra is not installed."""
    return (exc.name or "").split(".")[0] in _REGULATOR_ONLY
