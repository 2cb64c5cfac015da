"""The province's register of the cities that forward to it: ``sitegw regulator add-city``."""

from __future__ import annotations

import secrets
import time

import typer

from regulator.access.jurisdictions import UnknownPlace, add
from regulator.cli import DB_HELP, DEFAULT_DB, MIN_SECRET, _repo
from regulator.storage.db import sql
from regulator.storage.repository import Repository


class NotACity(ValueError):
    """A city registered with a place that is not a city (a province, a district)."""


def register(repo: Repository, city_id: str, name: str, jurisdiction: str, secret: str) -> str:
    """Register (or update) a city allowed to forward to this province; its place's path (created where
    missing). NotACity or UnknownPlace for a place that is not 省/市."""
    with repo.engine.begin() as db:
        place = add(db, jurisdiction)
        if place.level != "city":
            raise NotACity(
                f"--jurisdiction {jurisdiction!r} is a {place.level}: a forwarding city's place is 省/市, "
                "e.g. 广东省/深圳市"
            )
        db.execute(
            sql(
                "INSERT INTO forward_cities(id, name, jurisdiction, secret, created_at) "
                "VALUES (:i, :n, :j, :s, :now) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                "jurisdiction = excluded.jurisdiction, secret = excluded.secret"
            ),
            {"i": city_id, "n": name, "j": place.path, "s": secret, "now": time.time()},
        )
    return place.path


def add_city(
    city_id: str = typer.Argument(..., help="the city platform's id, e.g. SZ (its --forward-id)"),
    jurisdiction: str = typer.Option(
        ...,
        "--jurisdiction",
        help="the city's place, 省/市: its projects must lie under it, e.g. 广东省/深圳市",
    ),
    name: str = typer.Option("", "--name", help="the platform's name, e.g. 深圳市建设工程安全监管平台"),
    secret: str = typer.Option(
        "",
        "--secret",
        envvar="REGULATOR_CITY_SECRET",
        help=f"the key the city signs with, at least {MIN_SECRET} characters (left out: a random one, printed "
        "once: the city's --forward-secret)",
    ),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Province: allow a city's platform to forward its ledger here (its projects appear under its place)."""
    if len(city_id) > 64 or not city_id.strip():
        typer.echo("the city's id is 1 to 64 characters, e.g. SZ", err=True)
        raise typer.Exit(2)
    if secret and len(secret) < MIN_SECRET:
        typer.echo(
            f"--secret is {len(secret)} characters: at least {MIN_SECRET} (whoever guesses it writes into the "
            "province's ledger as this city); leave it out to have one made",
            err=True,
        )
        raise typer.Exit(2)
    made = not secret
    secret = secret or secrets.token_hex(16)
    repo = _repo(db)
    try:
        path = register(repo, city_id, name or city_id, jurisdiction, secret)
    except (NotACity, UnknownPlace) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    finally:
        repo.close()
    typer.echo(f"city {city_id} may forward to {db}, its projects under {path}")
    if made:
        typer.echo(f"its key, shown only now (the city's --forward-secret): {secret}")
