"""``sitegw regulator add-city``: the province allows a city's platform to forward its ledger here
(regulator/forwarding/cities.py keeps the register)."""

from __future__ import annotations

import secrets

import typer

from regulator.commands.opening import DB_HELP, DEFAULT_DB, MIN_SECRET, open_repo
from regulator.forwarding.cities import NotACity, register
from regulator.storage.jurisdictions import UnknownPlace

MAX_URL = 300  # characters of a city's address


def add_city(
    city_id: str = typer.Argument(..., help="the city platform's id, e.g. SZ (its --forward-id)"),
    jurisdiction: str = typer.Option(
        ...,
        "--jurisdiction",
        help="the city's place, 省/市: its projects must lie under it, e.g. 广东省/深圳市 (at a city: a district "
        "forwarding to it, 省/市/区县)",
    ),
    name: str = typer.Option("", "--name", help="the platform's name, e.g. 深圳市建设工程安全监管平台"),
    secret: str = typer.Option(
        "",
        "--secret",
        envvar="REGULATOR_CITY_SECRET",
        help=f"the key the city signs with, at least {MIN_SECRET} characters (left out: a random one, printed "
        "once: the city's --forward-secret)",
    ),
    url: str | None = typer.Option(
        None,
        "--url",
        help="the city platform's address as the province's users' browsers reach it, e.g. https://city.example/: "
        "the province's hazard page links each of a city's hazard's pictures and clips there (signed, a few "
        "minutes; left out: as registered before, none for a new city)",
    ),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Province: allow a city's platform to forward its ledger here (its projects appear under its place); at a
    city, a district's platform (issue 50 §5)."""
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
    if url is not None and url and (not url.startswith(("http://", "https://")) or len(url) > MAX_URL):
        typer.echo(
            f"--url {url[:80]!r} is not an http(s) URL of at most {MAX_URL} characters, e.g. https://city.example/",
            err=True,
        )
        raise typer.Exit(2)
    made = not secret
    secret = secret or secrets.token_hex(16)
    repo = open_repo(db)
    try:
        path = register(repo, city_id, name or city_id, jurisdiction, secret, url)
    except (NotACity, UnknownPlace) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    finally:
        repo.close()
    typer.echo(f"city {city_id} may forward to {db}, its projects under {path}")
    if made:
        typer.echo(f"its key, shown only now (the city's --forward-secret): {secret}")
