"""`sitegw demo --regulator-chain PG_URL`: the demo's alerts travel the authority's whole chain, crane →
gateway → a city's regulator → the province's (docs/regulator/chain.md), both regulators embedded in the
demo's process: the city's on the PostgreSQL database given (forwarding needs PostgreSQL; created when
missing), the province's on SQLite in the state folder, the city registered there. A province user is made
so a newcomer can sign in and watch the site's hazards arrive under the city's place."""

from __future__ import annotations

import contextlib
import logging
import secrets
from pathlib import Path

from contract.config import LoadedSite
from contract.config.uplinks import RegulatorUplink

log = logging.getLogger(__name__)

CITY_ID = "demo-city"
PROVINCE_USER = "province"


def _kept(path: Path) -> str:
    """A random secret kept in ``path`` across runs (the databases keep what it was registered with)."""
    if not path.exists():
        path.write_text(secrets.token_hex(16), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


async def chain_regulators(
    stack: contextlib.AsyncExitStack, state_dir: Path, city_db: str, site: LoadedSite
) -> RegulatorUplink:
    """Start the province's and the city's regulators (stopped by ``stack``), the site's project at the city,
    the city forwarding to the province; the gateway's uplink to the city."""
    from regulator.access.auth import Accounts
    from regulator.forwarding.cities import register
    from regulator.forwarding.sender import ForwardLink
    from regulator.server import RegulatorServer
    from regulator.storage.db_create import create_if_missing
    from regulator.storage.jurisdictions import SEP, chain

    p = site.config.project
    city_place = SEP.join(chain(p.city, p.district)[:2])
    province = RegulatorServer(state_dir / "province.sqlite", evidence_dir=state_dir / "province-evidence")
    key = _kept(state_dir / "city.key")
    register(province.repo, CITY_ID, f"{city_place} 演示城市平台", city_place, key)
    password = _kept(state_dir / "province.password")
    Accounts(province.repo).add_user(
        PROVINCE_USER, password, "regulator", jurisdiction=city_place.split(SEP)[0]
    )
    await province.start()
    stack.push_async_callback(province.stop)
    link = ForwardLink(province.base_url, CITY_ID, key, city_place, idle_s=1.0, poll_s=5.0)
    try:
        create_if_missing(city_db)
        city = RegulatorServer(city_db, evidence_dir=state_dir / "city-evidence", forward=link)
    except Exception as exc:  # a URL that is not PostgreSQL's, a server out of reach, a role refused
        raise OSError(
            f"--regulator-chain {city_db}: cannot open the city's database ({str(exc).splitlines()[0]}); give a "
            "PostgreSQL URL a role that may create databases can reach, e.g. "
            "postgresql://postgres@127.0.0.1:5432/sitegw_demo_city"
        ) from None
    secret = _kept(state_dir / "regulator.secret")
    city.repo.add_project(p.code, p.name, p.city, secret, p.district)
    await city.start()
    stack.push_async_callback(city.stop)
    log.warning(
        "regulator chain: the site reports to the city's regulator %s/, which forwards to the province's %s/ "
        "(sign in there as %s, password %s: the site's hazards appear under %s)",
        city.base_url,
        province.base_url,
        PROVINCE_USER,
        password,
        city_place,
    )
    return RegulatorUplink(
        name="regulator", base_url=city.base_url, secret=secret, platform=f"city regulator {city_db}"
    )
