"""The regulator's --db for a highly available PostgreSQL: the multi-host URL ``pg_autoctl show uri``
prints is taken as it is, by SQLAlchemy's engine and by the asyncio pool of the ingest path alike."""

from __future__ import annotations

import psycopg.conninfo
import sqlalchemy as sa

from regulator.storage.db import libpq_conninfo, normalise_url

HA = "postgresql://postgres@10.0.0.1:5432,10.0.0.2:6432/sitegw?target_session_attrs=read-write"


def test_a_multi_host_url_names_every_host_for_sqlalchemy() -> None:
    url = sa.make_url(normalise_url(HA))
    assert url.query["host"] == ("10.0.0.1:5432", "10.0.0.2:6432")
    assert url.query["target_session_attrs"] == "read-write"
    assert (url.database, url.username) == ("sitegw", "postgres")


def test_the_ingest_pool_gets_libpq_hosts_and_ports_in_step() -> None:
    params = psycopg.conninfo.conninfo_to_dict(libpq_conninfo(sa.make_url(normalise_url(HA))))
    assert params["host"] == "10.0.0.1,10.0.0.2"
    assert params["port"] == "5432,6432"
    assert params["target_session_attrs"] == "read-write"
    assert (params["dbname"], params["user"]) == ("sitegw", "postgres")


def test_one_host_is_unchanged() -> None:
    one = "postgresql://sitegw:pw@127.0.0.1:5432/regulator"
    assert normalise_url(one) == "postgresql+psycopg://sitegw:pw@127.0.0.1:5432/regulator"
    assert (
        libpq_conninfo(sa.make_url(normalise_url(one))) == "postgresql://sitegw:pw@127.0.0.1:5432/regulator"
    )
