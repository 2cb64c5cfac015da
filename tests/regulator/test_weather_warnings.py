"""Who may issue, lift and see the authority's warning signals (regulator/ledger/weather_warnings.py), on both
engines: a regulator issues for its place or one under it, never another's; a district sees its city's warning;
a project's user sees the warnings of their project's place only and issues none; times and colours are
checked with the field named; a site's receipt is recorded once, by the first poll that carries the warning,
and an ended warning is no longer carried."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from regulator.ledger.review import ReviewError
from regulator.ledger.weather_warning_models import NewWarning
from regulator.ledger.weather_warnings import WeatherWarnings
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from tests.regulator.support import PROJECT, SECRET, db_url  # noqa: F401 (fixture)

CITY = Actor("sz", "regulator", jurisdiction="广东省/深圳市")
DISTRICT = Actor("ns", "regulator", jurisdiction="广东省/深圳市/南山区")
OTHER_DISTRICT = Actor("ft", "regulator", jurisdiction="广东省/深圳市/福田区")
SITE_USER = Actor("wang", "project", project=PROJECT)
FT_PROJECT = "GD-SZ-2026-0002"


@pytest.fixture
def desk(db_url: str) -> Iterator[WeatherWarnings]:
    repo = Repository(db_url)
    repo.add_project(PROJECT, "南山项目", "深圳", SECRET, "南山区")
    repo.add_project(FT_PROJECT, "福田项目", "深圳", "another-secret-9", "福田区")
    yield WeatherWarnings(repo)
    repo.close()


def test_places_decide_who_issues_and_who_sees(desk: WeatherWarnings) -> None:
    city = desk.issue(CITY, NewWarning(type="rainstorm", colour="orange"))
    assert city["sites"] == 2 and "基坑" in city["measure"]
    futian = desk.issue(CITY, NewWarning(type="heat", colour="red", jurisdiction="福田区"))
    assert futian["jurisdiction"] == "广东省/深圳市/福田区" and futian["sites"] == 1
    with pytest.raises(ReviewError, match="outside your jurisdiction") as refused:
        desk.issue(DISTRICT, NewWarning(type="gale", colour="red", jurisdiction="广东省/深圳市"))
    assert refused.value.status == 403
    with pytest.raises(ReviewError) as not_a_regulator:
        desk.issue(SITE_USER, NewWarning(type="gale", colour="red"))
    assert not_a_regulator.value.status == 403
    # 南山 sees the city's warning (its own sites only), not 福田's
    [seen] = desk.visible(DISTRICT)
    assert seen["id"] == city["id"] and seen["sites"] == 1
    with pytest.raises(ReviewError) as hidden:
        desk.detail(DISTRICT, futian["id"])
    assert hidden.value.status == 404
    assert [w["id"] for w in desk.visible(SITE_USER)] == [city["id"]]
    assert [w["id"] for w in desk.visible(OTHER_DISTRICT)] == [futian["id"], city["id"]]
    # 南山 may not lift the city's warning (it sees it), the city may
    with pytest.raises(ReviewError) as not_its_own:
        desk.lift(DISTRICT, city["id"])
    assert not_its_own.value.status == 403
    assert desk.lift(CITY, city["id"])["in_force"] is False


def test_bad_input_names_the_field(desk: WeatherWarnings) -> None:
    with pytest.raises(ReviewError, match="no blue") as colour:
        desk.issue(CITY, NewWarning(type="heat", colour="blue"))
    assert colour.value.status == 422
    start = datetime.now(UTC)
    with pytest.raises(ReviewError, match="valid_to is not after valid_from"):
        desk.issue(CITY, NewWarning(type="gale", colour="red", valid_from=start, valid_to=start))
    with pytest.raises(ReviewError, match="valid_from needs a UTC offset"):
        desk.issue(CITY, NewWarning(type="gale", colour="red", valid_from=datetime(2026, 11, 25, 8)))
    with pytest.raises(ReviewError, match="unknown place"):
        desk.issue(CITY, NewWarning(type="gale", colour="red", jurisdiction="广东省/深圳市/不存在区"))


def test_the_first_poll_is_the_receipt_and_an_ended_warning_is_no_longer_carried(
    desk: WeatherWarnings,
) -> None:
    now = datetime.now(UTC)
    short = desk.issue(
        CITY,
        NewWarning(
            type="gale",
            colour="yellow",
            valid_from=now - timedelta(hours=2),
            valid_to=now + timedelta(seconds=1),
        ),
    )
    [heard] = desk.for_project(PROJECT)
    first = desk.detail(CITY, short["id"])["site_list"]
    [received] = [s["received_at"] for s in first if s["project"] == PROJECT]
    assert heard["id"] == short["id"] and received is not None
    desk.for_project(PROJECT)
    again = desk.detail(CITY, short["id"])["site_list"]
    assert [s["received_at"] for s in again if s["project"] == PROJECT] == [received]  # once
    desk.clock = lambda: (now + timedelta(seconds=1)).timestamp()  # at valid_to: over
    assert desk.for_project(PROJECT) == []
