"""The national export's requests and answers (regulator/reports/national_packages.py), typed for the API's
documentation."""

from __future__ import annotations

from pydantic import BaseModel, Field

from regulator.answers import Answer


class NewSending(BaseModel):
    """A package's sending to the national platform, as the sender tells it."""

    sent_by: str = Field(min_length=1, max_length=200, title="报送人", description="who uploaded it")
    sent_at: float | None = Field(
        None, title="报送时间", description="when it was uploaded, Unix seconds (left out: now)"
    )


class PackageAccident(Answer):
    """An accident or near miss of a package, with its national clock (48 h) now."""

    id: int = Field(description="the incident's id")
    project: str = Field(description="project code")
    project_name: str = Field(description="project name")
    kind_name: str = Field(description="事故 or 重大险情")
    occurred_at: float = Field(description="when it happened, Unix seconds")
    deadline: float | None = Field(description="the national report's deadline, Unix seconds")
    reported_at: float | None = Field(description="when it was first reported to the national platform")
    state: str = Field(description="met, late, due or overdue")
    state_name: str = Field(description="the same in Chinese: 按时上报, 迟报, 待上报, 已超时未报")
    late_s: float | None = Field(description="late: seconds past the deadline the report came (迟报)")


class PackageRow(Answer):
    """One package produced: its period, place, producer, the zip's SHA-256, counts, and its sending."""

    id: str = Field(description="the package's id, e.g. NE-20261125-060512-3f9a1c")
    jurisdiction: str = Field(description="the producer's place path; empty: every project")
    period_from: float = Field(description="the period's start, Unix seconds (included)")
    period_to: float = Field(description="the period's end, Unix seconds (excluded)")
    period_first: str = Field(description="the first day, yyyy-MM-dd Beijing time")
    period_until: str = Field(description="the day after the last, yyyy-MM-dd Beijing time")
    produced_by: str = Field(description="who made it")
    produced_at: float = Field(description="when, Unix seconds")
    produced_at_text: str = Field(description="the same, yyyy-MM-dd HH:mm Beijing time")
    sha256: str = Field(description="the zip's SHA-256 as handed out")
    counts: dict[str, int] = Field(
        description="records per item: projects, hazards, listings, accidents, enforcement"
    )
    incident_ids: list[int] = Field(description="the accidents and near misses in it")
    sent_at: float | None = Field(description="when it was uploaded to the national platform; None: not yet")
    sent_at_text: str = Field(description="the same in words; empty: not yet")
    sent_by: str | None = Field(description="who uploaded it")
    marked_by: str | None = Field(description="the user who recorded the sending")
    marked_at: float | None = Field(description="when that was recorded, Unix seconds")


class PackageDetail(PackageRow):
    """One package with its accidents' national clocks now."""

    accidents: list[PackageAccident] = Field(description="by id")


class PackageList(Answer):
    """The packages of the user's places, newest first."""

    packages: list[PackageRow] = Field(description="at most 200")
